import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'

/** Writing last-used data more often than this per token buys nothing and costs a write each. */
export const LAST_USED_RESOLUTION_MS = 60_000

/**
 * Keeps `last_used_at` / `last_used_ip` without a database write per request: a token is queued
 * at most once a minute, and the queue is written in one statement every few seconds and on
 * shutdown.
 *
 * Two gates, both needed. The value read during authentication covers writes by other instances,
 * but lags this instance's own: a request authenticated while this token's write is still in
 * flight (or queued) reads the old value. So the instance also remembers when it last queued each
 * token, and that alone decides within one instance: at most one write per token per minute.
 */
export class LastUsedRecorder {
  private pending = new Map<string, { at: Date; ip: string | null }>()
  /** Token id -> when this instance last queued it (ms), for the last minute only. */
  private queuedAt = new Map<string, number>()
  /** The latest time `touch` was given: the clock that ages `queuedAt`. */
  private latest = 0
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  /** Rows written so far: what the benchmark reports. */
  rowsWritten = 0
  statements = 0

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void,
    flushEveryMs = 5_000,
  ) {
    if (flushEveryMs > 0) {
      this.timer = setInterval(() => void this.flush(), flushEveryMs)
      this.timer.unref()
    }
  }

  /** `ip` must be a valid address or null: whatever a client claims is never stored. */
  touch(token: { id: string; lastUsedAt: Date | null }, ip: string | null, now = new Date()) {
    const time = now.getTime()
    this.latest = Math.max(this.latest, time)
    const queued = this.queuedAt.get(token.id)
    if (queued !== undefined && time - queued < LAST_USED_RESOLUTION_MS) return
    if (token.lastUsedAt && time - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return
    this.queuedAt.set(token.id, time)
    this.pending.set(token.id, { at: now, ip })
  }

  /** Writes everything queued; concurrent calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending())
    return this.flushing
  }

  private async writePending() {
    this.forgetOlderThan(this.latest - LAST_USED_RESOLUTION_MS)
    if (this.pending.size === 0) return
    const batch = [...this.pending]
    this.pending = new Map()
    const values = sql.join(
      batch.map(
        ([id, { at, ip }]) => sql`(${id}::uuid, ${at.toISOString()}::timestamptz, ${ip}::text)`,
      ),
      sql`, `,
    )
    try {
      await this.db.execute(sql`
        update api_tokens as t
        set last_used_at = v.at, last_used_ip = v.ip
        from (values ${values}) as v(id, at, ip)
        where t.id = v.id and (t.last_used_at is null or t.last_used_at < v.at)`)
      this.rowsWritten += batch.length
      this.statements += 1
    } catch (error) {
      // Not written: the next request may queue these tokens again.
      for (const [id, { at }] of batch) {
        if (this.queuedAt.get(id) === at.getTime()) this.queuedAt.delete(id)
      }
      this.onError(error)
    }
  }

  /** Entries older than a minute no longer hold anything back; dropping them bounds the map. */
  private forgetOlderThan(time: number) {
    for (const [id, queued] of this.queuedAt) {
      if (queued <= time && !this.pending.has(id)) this.queuedAt.delete(id)
    }
  }

  async close() {
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }
}
