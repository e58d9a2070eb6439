import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'

/** A session's "last seen" is shown to the minute; writing it more often costs a write each. */
export const LAST_SEEN_RESOLUTION_MS = 60_000

/**
 * Keeps `sessions.last_seen_at` without a database write per request, the same way token last
 * use is kept (see `tokens/last-used.ts`, whose table and columns differ): a session is queued at
 * most once a minute, and the queue is written in one statement every few seconds and on
 * shutdown. The value read during authentication covers other instances' writes; the time this
 * instance last queued a session covers its own writes still in flight.
 */
export class LastSeenRecorder {
  private pending = new Map<string, Date>()
  /** Session id -> when this instance last queued it (ms), for the last minute only. */
  private queuedAt = new Map<string, number>()
  private latest = 0
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  /** Sessions written so far, for tests and the benchmark. */
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

  touch(session: { id: string; lastSeenAt: Date | null }, now = new Date()) {
    const time = now.getTime()
    this.latest = Math.max(this.latest, time)
    const queued = this.queuedAt.get(session.id)
    if (queued !== undefined && time - queued < LAST_SEEN_RESOLUTION_MS) return
    if (session.lastSeenAt && time - session.lastSeenAt.getTime() < LAST_SEEN_RESOLUTION_MS) return
    this.queuedAt.set(session.id, time)
    this.pending.set(session.id, now)
  }

  /** Writes everything queued; concurrent calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending())
    return this.flushing
  }

  private async writePending() {
    for (const [id, queued] of this.queuedAt) {
      if (queued <= this.latest - LAST_SEEN_RESOLUTION_MS && !this.pending.has(id)) {
        this.queuedAt.delete(id)
      }
    }
    if (this.pending.size === 0) return
    const batch = [...this.pending]
    this.pending = new Map()
    const values = sql.join(
      batch.map(([id, at]) => sql`(${id}::uuid, ${at.toISOString()}::timestamptz)`),
      sql`, `,
    )
    try {
      // A session ended meanwhile has no row left: nothing to update, nothing recreated.
      await this.db.execute(sql`
        update sessions as s
        set last_seen_at = v.at
        from (values ${values}) as v(id, at)
        where s.id = v.id and (s.last_seen_at is null or s.last_seen_at < v.at)`)
      this.rowsWritten += batch.length
      this.statements += 1
    } catch (error) {
      // Not written: the next request may queue these sessions again.
      for (const [id, at] of batch) {
        if (this.queuedAt.get(id) === at.getTime()) this.queuedAt.delete(id)
      }
      this.onError(error)
    }
  }

  async close() {
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }
}
