import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  isInitializeRequest,
  isJSONRPCRequest,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type MessageExtraInfo,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js'

const MAX_BATCH = 100

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

/**
 * A transport for exactly one HTTP request of a stateless server: it feeds the request's
 * messages to the SDK server and collects the responses, which the route then sends as JSON.
 * Doing this in-process avoids converting Node requests to web Requests and back on every call.
 */
export class RequestTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void
  onclose?: () => void
  onerror?: (error: Error) => void

  private readonly waiting = new Set<RequestId>()
  private readonly responses: JSONRPCMessage[] = []
  private resolve: (() => void) | undefined

  async start() {}

  async send(message: JSONRPCMessage) {
    if (
      'id' in message &&
      message.id !== undefined &&
      ('result' in message || 'error' in message) &&
      this.waiting.delete(message.id)
    ) {
      this.responses.push(message)
      if (this.waiting.size === 0) this.resolve?.()
    }
    // Notifications and server-to-client requests have nowhere to go without a stream: dropped.
  }

  async close() {
    this.resolve?.()
    this.onclose?.()
  }

  /** Delivers the messages and resolves with the answer once every request has its response. */
  async exchange(
    messages: JSONRPCMessage[],
    extra: MessageExtraInfo,
    batch: boolean,
  ): Promise<McpHttpAnswer> {
    const done = new Promise<void>((resolve) => {
      this.resolve = resolve
    })
    for (const message of messages) if (isJSONRPCRequest(message)) this.waiting.add(message.id)
    for (const message of messages) this.onmessage?.(message, extra)
    if (this.waiting.size === 0 && this.responses.length === 0) return { status: 202 }
    await done
    return { status: 200, body: batch ? this.responses : this.responses[0] }
  }
}
