import { connect, type Socket } from 'node:net'

export interface SlowClient {
  socket: Socket
  /** What the server answered, once it has closed the connection. */
  closed: Promise<string>
  /** Stops sending and closes the connection. */
  destroy: () => void
}

/**
 * A client that sends `head`, then one more byte every `everyMs` (at most `maxBytes`), never
 * finishing its request: the slow client of the security review. Only ever to 127.0.0.1.
 */
export function slowClient(port: number, head: string, everyMs = 50, maxBytes = 400): SlowClient {
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  let sent = 0
  const timer = setInterval(() => {
    if (sent++ < maxBytes && socket.writable) socket.write('a')
  }, everyMs)
  if (head) socket.write(head) // queued until connected, always ahead of the slow bytes
  socket.on('data', (chunk) => {
    answer += chunk.toString('latin1')
  })
  socket.on('error', () => {})
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer)
      resolve(answer)
    }),
  )
  return {
    socket,
    closed,
    destroy: () => {
      clearInterval(timer)
      socket.destroy()
    },
  }
}

/** A request whose body never ends (100 000 bytes announced). */
export const SLOW_BODY =
  'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  'Content-Length: 100000\r\n\r\n{'
/** A request whose headers never end. */
export const SLOW_HEADERS = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '

/** Resolves with `promise`, or rejects naming `what` if it takes longer than `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still not done after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Sends a whole request on a fresh connection; what the server answers, '' when it just closes. */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let answer = ''
    socket.setTimeout(5_000, () => socket.destroy())
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(answer))
  })
}
