import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger } from 'fastify'
import { AppError } from '../lib/errors.js'
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailable,
  isDatabaseUnavailable,
} from '../lib/pg-errors.js'

/**
 * A JSON-RPC error a handler throws: the SDK sends its `code`, `message` and `data` as they are.
 * (Its McpError would send "MCP error -32602: ..." as the message, and clients prefix that again.)
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError'
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message)
  }
}

/** The caller's mistake (unknown URI or prompt, missing or bad argument): Invalid Params, -32602. */
export const invalidParams = (message: string, data?: Record<string, unknown>) =>
  new ProtocolError(ErrorCode.InvalidParams, message, data)

/**
 * A failure of the server rather than of the request, as a JSON-RPC error: a database outage
 * carries `database_unavailable` (the POST then answers 503 with Retry-After, as REST does);
 * anything else is logged and told without details.
 */
export function serverFault(
  error: unknown,
  log: FastifyBaseLogger,
  context: Record<string, unknown>,
  message = 'The request failed on the server.',
): ProtocolError {
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error, ...context }, 'database unavailable')
    const unavailable = databaseUnavailable()
    return new ProtocolError(
      ErrorCode.InternalError,
      `${unavailable.message} ${unavailable.extra.hint}`,
      { code: unavailable.code, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    )
  }
  log.error({ err: error, ...context }, 'MCP request failed')
  return new ProtocolError(ErrorCode.InternalError, message)
}

/**
 * Whatever a resources, prompts or completion handler throws, as a JSON-RPC error: what the
 * caller got wrong (a task or project it cannot see, a bad cursor) is Invalid Params with the
 * service's message and stable `code`, never a 5xx; the rest is a server fault.
 */
export function protocolError(
  error: unknown,
  log: FastifyBaseLogger,
  context: Record<string, unknown>,
): Error {
  if (error instanceof ProtocolError || error instanceof McpError) return error
  if (error instanceof AppError && error.status < 500) {
    const hint = error.extra.hint ? ` ${error.extra.hint}` : ''
    return invalidParams(`${error.message}${hint}`, { code: error.code })
  }
  return serverFault(error, log, context)
}

/** Runs a request handler, turning whatever it throws into a JSON-RPC error. */
export async function answer<T>(
  log: FastifyBaseLogger,
  context: Record<string, unknown>,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw protocolError(error, log, context)
  }
}

export interface RequestSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }
}

/**
 * A request checked against the protocol's schema for its method. The SDK checks requests of
 * methods other than tools/call itself, but reports a malformed one (`resources/read` without a
 * `uri`) as Internal Error; this says Invalid Params and what is wrong.
 */
export function parseRequest<T>(schema: RequestSchema<T>, request: unknown, method: string): T {
  const parsed = schema.safeParse(request)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`)
  throw invalidParams(`Invalid ${method} request: ${problems.join('; ')}`)
}
