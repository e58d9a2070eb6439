import type { Sql, TransactionSql } from 'postgres'
import { errorCodes, isDatabaseUnavailable } from '../lib/pg-errors.js'

/** At most one new pool per this interval, however many requests fail at once. */
const RENEW_INTERVAL_MS = 1_000

/** Errors after which postgres.js has already let go of the connection's socket. */
const SOCKET_GONE = new Set(['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'])
const socketGone = (error: unknown) => errorCodes(error).some((code) => SOCKET_GONE.has(code))

/** What drizzle's postgres-js driver uses of a client. */
export type DrizzleClient = Pick<Sql, 'unsafe' | 'begin' | 'options'>

/**
 * A postgres.js client for drizzle that survives the database going away, which postgres.js
 * 3.4.9 does not always do by itself:
 *
 * - A connection dropped while a write is pending keeps a stale write timer, and every later
 *   attempt to reconnect it times out (porsager/postgres#1208, #1215). So after a connection-level
 *   failure the next queries go to a fresh pool, and the old one is ended. This also starts the
 *   reconnect backoff from zero, so the server answers again as soon as the database does.
 * - When a transaction's connection is dropped, postgres.js writes its ROLLBACK to the socket it
 *   has just discarded, an exception no caller can catch, which would end the process
 *   (porsager/postgres#1154, #1208). The server has rolled the transaction back already, so the
 *   callback's failure is held back: the transaction still rejects, with the dropped connection's
 *   error, but postgres.js never gets to write that rollback.
 *
 * Remove this once postgres.js ships the fixes.
 */
export function renewingClient(create: () => Sql) {
  const first = create()
  let current = first
  let renewedAt = 0
  let ended = false
  const retiring = new Set<Promise<void>>()

  function renew() {
    const now = Date.now()
    if (ended || now - renewedAt < RENEW_INTERVAL_MS) return
    renewedAt = now
    const old = current
    current = create()
    // drizzle set its type parsers on the first client's options; every pool needs the same.
    Object.assign(current.options.parsers, first.options.parsers)
    Object.assign(current.options.serializers, first.options.serializers)
    const ending: Promise<void> = old
      .end({ timeout: 5 })
      .catch(() => {})
      .finally(() => retiring.delete(ending))
    retiring.add(ending)
  }

  /** Returns the query unchanged, noting a connection-level failure. */
  function watch<T extends Promise<unknown>>(query: T): T {
    query.then(undefined, (error: unknown) => {
      // Ended and destroyed connections are this side's doing (closing, or retiring a pool).
      const codes = errorCodes(error)
      if (codes.includes('CONNECTION_ENDED') || codes.includes('CONNECTION_DESTROYED')) return
      if (isDatabaseUnavailable(error)) renew()
    })
    return query
  }

  const client = {
    options: first.options,
    unsafe: ((...args: Parameters<Sql['unsafe']>) =>
      watch(current.unsafe(...args))) as Sql['unsafe'],
    begin: ((...args: unknown[]) => {
      const fn = args.pop() as (sql: TransactionSql) => unknown
      const guarded = async (sql: TransactionSql) => {
        try {
          return await fn(sql)
        } catch (error) {
          // postgres.js rejects the transaction itself once the connection is closed.
          if (socketGone(error)) return new Promise<never>(() => {})
          throw error
        }
      }
      return watch((current.begin as (...a: unknown[]) => Promise<unknown>)(...args, guarded))
    }) as Sql['begin'],
  } satisfies DrizzleClient

  return {
    client,
    /** The pool in use now, for what drizzle does not do (advisory locks, pings). */
    get current() {
      return current
    },
    watch,
    async end() {
      ended = true
      await Promise.all([current.end({ timeout: 5 }), ...retiring])
    },
  }
}
