import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'

/**
 * How long a client may take and how many may be connected at once. Without these a client that
 * sends its request one byte at a time holds a connection, and a file descriptor, for ever; enough
 * of them and the database can no longer open its files.
 */
export interface ServerLimits {
  /** Longest a client may take to send a whole request, headers and body. */
  requestTimeoutMs: number
  /** Longest a client may take to send the request line and headers. */
  headersTimeoutMs: number
  /** How long an idle keep-alive connection is kept open for the client's next request. */
  keepAliveTimeoutMs: number
  /** A connection on which no bytes move either way for this long is closed. */
  idleTimeoutMs: number
  /** Connections beyond this many are closed as they arrive. */
  maxConnections: number
}

export const DEFAULT_SERVER_LIMITS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
} as const satisfies Omit<ServerLimits, 'maxConnections'>

/** Descriptors kept free for the database, the console's files and the log when capping. */
export const DESCRIPTOR_RESERVE = 256
/** Assumed when the limit cannot be read (no /proc): a common default, on the safe side. */
export const FALLBACK_DESCRIPTOR_LIMIT = 1024

/** The process's soft limit on open files (RLIMIT_NOFILE), from /proc/self/limits on Linux. */
export function descriptorLimit(readLimits = () => readFileSync('/proc/self/limits', 'utf8')) {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(readLimits())
    if (match?.[1] && match[1] !== 'unlimited') return Number(match[1])
    if (match?.[1] === 'unlimited') return Number.MAX_SAFE_INTEGER
  } catch {}
  return FALLBACK_DESCRIPTOR_LIMIT
}

/**
 * The most connections to accept: what was configured, but never so many that the database and
 * files are left without descriptors (the limit minus a reserve, at most half the limit).
 */
export function connectionCap(configured: number | undefined, limit = descriptorLimit()): number {
  const reserve = Math.min(DESCRIPTOR_RESERVE, Math.floor(limit / 2))
  const cap = Math.max(1, limit - reserve)
  return configured === undefined ? cap : Math.min(configured, cap)
}

/** Fills in defaults; the connection cap is always held below the descriptor limit. */
export function resolveServerLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  return {
    requestTimeoutMs: limits.requestTimeoutMs ?? DEFAULT_SERVER_LIMITS.requestTimeoutMs,
    headersTimeoutMs: limits.headersTimeoutMs ?? DEFAULT_SERVER_LIMITS.headersTimeoutMs,
    keepAliveTimeoutMs: limits.keepAliveTimeoutMs ?? DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs,
    idleTimeoutMs: limits.idleTimeoutMs ?? DEFAULT_SERVER_LIMITS.idleTimeoutMs,
    maxConnections: connectionCap(limits.maxConnections),
  }
}

/**
 * Fastify options that carry the limits into the HTTP(S) server it creates. Node checks the
 * request and header timeouts on a timer (every 30 s by default), so the check runs often enough
 * for the timeouts to be kept within about a quarter of their length.
 */
export function serverOptions(limits: ServerLimits, https?: { cert: Buffer; key: Buffer }) {
  const shortest = Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs)
  const node = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(shortest / 4))),
  }
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    ...(https ? { https: { ...https, ...node } } : { http: node }),
  }
}

/** Caps the server's connections; connections turned away are logged, at most once a minute. */
export function capConnections(server: Server, max: number, log: FastifyBaseLogger) {
  server.maxConnections = max
  let dropped = 0
  let reported = 0
  server.on('drop', () => {
    dropped += 1
    const now = Date.now()
    if (now - reported < 60_000) return
    reported = now
    log.warn(
      { dropped, maxConnections: max },
      'connection limit reached: new connections are being closed',
    )
    dropped = 0
  })
}
