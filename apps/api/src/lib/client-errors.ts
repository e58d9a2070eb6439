import type { Socket } from 'node:net'
import type { FastifyServerOptions } from 'fastify'
import { problemBody } from './problem-details.js'

const ANSWERS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    message: 'The request took too long to arrive.',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    message: 'The request headers are too large.',
  },
}

const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  code: 'malformed_request',
  message: 'The request is not valid HTTP.',
}

/**
 * Answers requests that never became requests (malformed HTTP, headers too large, too slow) with
 * the same Problem Details shape and stable `code` as every other error, then closes the socket.
 * Nothing of the raw bytes is logged: they may hold an Authorization header or a cookie.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> =
  function (this: { log: { debug: (obj: object, msg: string) => void } }, error, socket: Socket) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    if (code === 'ECONNRESET' || socket.destroyed) return
    const answer = ANSWERS[code] ?? MALFORMED
    this.log.debug({ err: { code, message: error.message } }, 'client error')
    if (!socket.writable) {
      socket.destroy()
      return
    }
    const body = JSON.stringify(problemBody(answer.status, answer.code, answer.message))
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }
