import { AppError } from './errors.js'

/**
 * The error and its causes (drizzle wraps driver errors in `DrizzleQueryError` with `.cause`;
 * Node reports a failed connection to several addresses as an AggregateError with `.errors`).
 */
function* chain(error: unknown): Generator<{ code?: unknown }> {
  const queue: unknown[] = [error]
  const seen = new Set<unknown>()
  while (queue.length > 0 && seen.size < 10) {
    const current = queue.shift()
    if (!current || typeof current !== 'object' || seen.has(current)) continue
    seen.add(current)
    yield current as { code?: unknown }
    queue.push((current as { cause?: unknown }).cause)
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors)) queue.push(...errors)
  }
}

/** The `code`s of an error and of its causes, outermost first. */
export const errorCodes = (error: unknown): string[] =>
  [...chain(error)].map((e) => e.code).filter((code): code is string => typeof code === 'string')

/** True when a database error (possibly wrapped by drizzle) is a unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return errorCodes(error).includes('23505')
}

/**
 * Failures of the connection to PostgreSQL rather than of the query: the server is down,
 * restarting, unreachable or full. They pass once it is back; the driver reconnects by itself.
 */
const UNAVAILABLE_CODES = new Set([
  // The network (Node's socket errors).
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // The postgres driver's own.
  'CONNECTION_ENDED',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
])
// SQLSTATE class 08: connection exception.
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/

/** True when an error (possibly wrapped by drizzle) means the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return errorCodes(error).some(
    (code) => UNAVAILABLE_CODES.has(code) || CONNECTION_EXCEPTION.test(code),
  )
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5

/** The answer while the database is unavailable: 503, a temporary state, not a bug. */
export function databaseUnavailable(): AppError {
  return new AppError(503, 'database_unavailable', 'The database is not reachable right now.', {
    hint: 'This is temporary: the server resumes by itself once the database is back. Try again in a few seconds; if it lasts, ask the administrator of this Tessera server to check its database.',
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  })
}
