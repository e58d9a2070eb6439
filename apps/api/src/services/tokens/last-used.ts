import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'

/** Writing last-used data more often than this per token buys nothing and costs a write each. */
export const LAST_USED_RESOLUTION_MS = 60_000

/**
 * Keeps `last_used_at` / `last_used_ip` without a database write per request: a token is queued
 * at most once a minute (judged by the value read during authentication, so this holds across
 * instances too), and the queue is written in one statement every few seconds and on shutdown.
 */
export class LastUsedRecorder {
  private pending = new Map<string, { at: Date; ip: string | null }>()
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
    if (this.pending.has(token.id)) return
    if (token.lastUsedAt && now.getTime() - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS)
      return
    this.pending.set(token.id, { at: now, ip })
  }

  /** Writes everything queued; concurrent calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending())
    return this.flushing
  }

  private async writePending() {
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
      this.onError(error)
    }
  }

  async close() {
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }
}
