import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  ErrorCode,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js'

const MAX_BATCH = 100

/**
 * The JSON-RPC error code for a request its client cancelled. MCP defines none; this is the one
 * LSP and other JSON-RPC peers use, so generic clients recognise it.
 */
export const REQUEST_CANCELLED = -32800

/** What the HTTP layer should answer. `body` undefined means no body (202). */
export interface McpHttpAnswer {
  status: number
  body?: unknown
}

const jsonRpcError = (status: number, code: number, message: string): McpHttpAnswer => ({
  status,
  body: { jsonrpc: '2.0', error: { code, message }, id: null },
})

/**
 * Checks a Streamable HTTP POST the way the SDK's transport does (Accept, protocol version,
 * JSON-RPC shape, batch rules) and returns the parsed messages, or the error answer.
 */
export function readMcpPost(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): { messages: JSONRPCMessage[] } | { error: McpHttpAnswer } {
  const accept = String(headers.accept ?? '')
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return {
      error: jsonRpcError(
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      ),
    }
  }
  const version = headers['mcp-protocol-version']
  if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return {
      error: jsonRpcError(
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      ),
    }
  }
  const raw = Array.isArray(body) ? body : [body]
  if (raw.length === 0 || raw.length > MAX_BATCH) {
    return {
      error: jsonRpcError(400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`),
    }
  }
  const messages: JSONRPCMessage[] = []
  for (const item of raw) {
    const parsed = JSONRPCMessageSchema.safeParse(item)
    if (!parsed.success)
      return { error: jsonRpcError(400, -32700, 'Parse error: Invalid JSON-RPC message') }
    messages.push(parsed.data)
  }
  // Responses are matched to requests by id: two requests with one id could not be told apart.
  const ids = messages.filter(isJSONRPCRequest).map((message) => message.id)
  if (new Set(ids).size !== ids.length) {
    return {
      error: jsonRpcError(400, -32600, 'Invalid Request: request ids in a batch must be unique'),
    }
  }
  if (messages.length > 1 && messages.some(isInitializeRequest)) {
    return {
      error: jsonRpcError(
        400,
        -32600,
        'Invalid Request: Only one initialization request is allowed',
      ),
    }
  }
  return { messages }
}

/** The id a `notifications/cancelled` message cancels, if the message is one. */
function cancelledId(message: JSONRPCMessage): RequestId | undefined {
  if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') return
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
}

const errorResponse = (id: RequestId, code: number, message: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
})

/**
 * A transport for exactly one HTTP request of a stateless server: it feeds the request's
 * messages to the SDK server and collects the responses, which the route then sends as JSON.
 * Doing this in-process avoids converting Node requests to web Requests and back on every call.
 *
 * Every request of the POST gets exactly one response, so the POST always gets its answer. A
 * request cancelled by a `notifications/cancelled` in its own batch is never started (the batch
 * arrives whole, so none of it has begun): it is answered with a REQUEST_CANCELLED error, and
 * nothing of it is written. Given to the SDK, the cancellation would let the tool run to the end
 * and then drop its response, leaving the POST without an answer. A cancellation naming any other
 * id refers to nothing this stateless server is running and is ignored.
 */
export class RequestTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
  onclose?: () => void
  onerror?: (error: Error) => void

  private readonly waiting = new Set<RequestId>()
  private readonly responses = new Map<RequestId, JSONRPCMessage>()
  private resolve: (() => void) | undefined

  async start() {}

  async send(message: JSONRPCMessage) {
    if (
      (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) &&
      message.id !== undefined &&
      this.waiting.delete(message.id)
    ) {
      this.responses.set(message.id, message)
      if (this.waiting.size === 0) this.resolve?.()
    }
    // Notifications and server-to-client requests have nowhere to go without a stream: dropped.
  }

  async close() {
    this.resolve?.()
    this.onclose?.()
  }

  /**
   * Delivers the messages and resolves with the answer once every request has its response:
   * one response per request, in the order of the requests.
   */
  async exchange(
    messages: JSONRPCMessage[],
    extra: MessageExtraInfo,
    batch: boolean,
  ): Promise<McpHttpAnswer> {
    const requests = messages.filter(isJSONRPCRequest)
    if (requests.length === 0) {
      for (const message of messages) this.onmessage?.(message, extra)
      return { status: 202 }
    }
    const inBatch = new Set(requests.map((request) => request.id))
    const cancelled = new Set<RequestId>()
    for (const message of messages) {
      const id = cancelledId(message)
      if (id !== undefined && inBatch.has(id)) cancelled.add(id)
    }
    for (const request of requests) if (!cancelled.has(request.id)) this.waiting.add(request.id)
    const done = new Promise<void>((resolve) => {
      this.resolve = resolve
    })
    for (const message of messages) {
      if (isJSONRPCRequest(message) && cancelled.has(message.id)) continue
      const id = cancelledId(message)
      if (id !== undefined && cancelled.has(id)) continue
      this.onmessage?.(message, extra)
    }
    if (this.waiting.size > 0) await done
    const answers = requests.map((request) => this.responseTo(request, cancelled))
    return { status: 200, body: batch ? answers : answers[0] }
  }

  private responseTo(request: JSONRPCRequest, cancelled: Set<RequestId>): JSONRPCMessage {
    const response = this.responses.get(request.id)
    if (response) return response
    if (cancelled.has(request.id)) {
      return errorResponse(
        request.id,
        REQUEST_CANCELLED,
        'Request cancelled: it was not started and nothing was changed.',
      )
    }
    // Only when the transport closed before the server answered.
    return errorResponse(request.id, ErrorCode.InternalError, 'The server closed before answering.')
  }
}
