import { type SQL, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'

/** Writing a token's use more often than this buys nothing and costs a write each. */
export const LAST_USED_RESOLUTION_MS = 60_000
/** Daily usage rows are kept this many days, then deleted by a flush. */
export const USAGE_RETENTION_DAYS = 90
/** Pruning old usage rows is one indexed delete; once an hour per instance is plenty. */
const PRUNE_EVERY_MS = 3_600_000
/**
 * Distinct (day, client, address) counters one token may hold between two writes. A client that
 * makes up a new User-Agent per request cannot grow memory or the table without bound: past this,
 * requests are counted without client and address.
 */
const MAX_COUNTERS_PER_TOKEN = 100
/** MCP clients remembered by token and address (the least recently seen are forgotten). */
const MAX_MCP_CLIENTS = 10_000
/** Parameters one flush may send (PostgreSQL takes 65,535); what does not fit waits 5 seconds. */
const MAX_PARAMETERS = 30_000
const DAY_MS = 86_400_000

/** A token's last use, as written to `api_tokens`. */
export interface LastUse {
  tokenId: string
  at: Date
  /** A valid address or null: whatever a client claims is never stored. */
  ip: string | null
  /** '' when nothing identified the client. */
  client: string
}

/** Requests of one token on one UTC day from one client and address, added up in memory. */
export interface UsageCount {
  tokenId: string
  /** YYYY-MM-DD, UTC. */
  day: string
  client: string
  /** '' when the address is unknown. */
  address: string
  requests: number
  lastAt: Date
}

/** What one flush writes, in one statement. */
export interface UsageBatch {
  lastUses: LastUse[]
  counts: UsageCount[]
  /** Usage rows of days before this one (YYYY-MM-DD) are deleted; null: not this time. */
  pruneBefore: string | null
}

export interface RecorderOptions {
  /** Milliseconds since the epoch; tests drive time themselves. */
  clock?: () => number
  /** Writes a batch; by default the one statement of `writeUsage`. */
  write?: (batch: UsageBatch) => Promise<void>
}

interface Pending {
  lastUse: LastUse | null
  counts: Map<string, UsageCount>
  /** The counter the previous request went to: most tokens are used by one client from one place. */
  recent: UsageCount | null
}

/** The UTC day of a time, as YYYY-MM-DD; the last one is kept, since requests come in days. */
const dayOf = (() => {
  let cached = { number: Number.NaN, day: '' }
  return (time: number) => {
    const number = Math.floor(time / DAY_MS)
    if (number !== cached.number) {
      cached = { number, day: new Date(number * DAY_MS).toISOString().slice(0, 10) }
    }
    return cached.day
  }
})()

/**
 * Keeps each token's last use (`last_used_at`, `_ip`, `_client`) and its usage per day, client
 * and address without a database write per request. Requests are counted in memory; a flush every
 * few seconds writes, in one statement for all tokens, each token whose last write from this
 * instance is at least a minute old: at most one write per token per minute. Counts are added to
 * what is stored, so instances that share a database add theirs up. Shutdown writes everything.
 *
 * The last use has two gates, both needed. The value read during authentication covers writes by
 * other instances, but lags this instance's own: a request authenticated while this token's write
 * is still in flight (or queued) reads the old value. So the instance also remembers when it last
 * queued each token, and that alone decides within one instance.
 */
export class LastUsedRecorder {
  private pending = new Map<string, Pending>()
  /** Token id -> when this instance last queued its last use (ms), for the last minute only. */
  private queuedAt = new Map<string, number>()
  /** Token id -> when this instance last took it into a write (ms), for the last minute only. */
  private writtenAt = new Map<string, number>()
  /** `${token id} ${address}` -> the client an MCP `initialize` from there named. */
  private mcpClients = new Map<string, string>()
  private prunedAt = Number.NEGATIVE_INFINITY
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private readonly clock: () => number
  private readonly write: (batch: UsageBatch) => Promise<void>
  /** Tokens written so far (a token counts once per write): what the benchmark reports. */
  rowsWritten = 0
  /** Daily usage rows inserted or added to so far. */
  usageRowsWritten = 0
  statements = 0

  constructor(
    db: Db,
    private readonly onError: (error: unknown) => void,
    flushEveryMs = 5_000,
    options: RecorderOptions = {},
  ) {
    this.clock = options.clock ?? Date.now
    this.write = options.write ?? ((batch) => writeUsage(db, batch))
    if (flushEveryMs > 0) {
      this.timer = setInterval(() => void this.flush(), flushEveryMs)
      this.timer.unref()
    }
  }

  /**
   * Counts one request of the token. `ip` must be a valid address or null; `client` is what
   * `usage-client.ts` made of the request ('' when nothing identified it).
   */
  touch(
    token: { id: string; lastUsedAt: Date | null },
    ip: string | null,
    client: string,
    now = new Date(this.clock()),
  ) {
    const time = now.getTime()
    let pending = this.pending.get(token.id)
    if (!pending) {
      pending = { lastUse: null, counts: new Map(), recent: null }
      this.pending.set(token.id, pending)
    }
    const day = dayOf(time)
    const address = ip ?? ''
    const recent = pending.recent
    if (recent && recent.day === day && recent.client === client && recent.address === address) {
      recent.requests += 1
      if (recent.lastAt < now) recent.lastAt = now
    } else {
      pending.recent = this.count(pending, token.id, day, client, address, now)
    }

    const queued = this.queuedAt.get(token.id)
    if (queued !== undefined && time - queued < LAST_USED_RESOLUTION_MS) return
    if (token.lastUsedAt && time - token.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return
    this.queuedAt.set(token.id, time)
    pending.lastUse = { tokenId: token.id, at: now, ip, client }
  }

  private count(
    pending: Pending,
    tokenId: string,
    day: string,
    client: string,
    address: string,
    now: Date,
  ): UsageCount {
    let key = `${day}\n${client}\n${address}`
    let counter = pending.counts.get(key)
    if (!counter && pending.counts.size >= MAX_COUNTERS_PER_TOKEN) {
      ;[client, address, key] = ['', '', `${day}\n\n`]
      counter = pending.counts.get(key)
    }
    if (counter) {
      counter.requests += 1
      if (counter.lastAt < now) counter.lastAt = now
      return counter
    }
    counter = { tokenId, day, client, address, requests: 1, lastAt: now }
    pending.counts.set(key, counter)
    return counter
  }

  /**
   * Remembers the client an MCP `initialize` named for this token and address: the requests that
   * follow do not name it again.
   */
  rememberMcpClient(tokenId: string, ip: string | null, client: string) {
    const key = `${tokenId} ${ip ?? ''}`
    this.mcpClients.delete(key)
    this.mcpClients.set(key, client)
    if (this.mcpClients.size > MAX_MCP_CLIENTS) {
      const oldest = this.mcpClients.keys().next().value
      if (oldest !== undefined) this.mcpClients.delete(oldest)
    }
  }

  /** The MCP client last seen initialising with this token from this address, if any. */
  mcpClient(tokenId: string, ip: string | null): string | undefined {
    const key = `${tokenId} ${ip ?? ''}`
    const client = this.mcpClients.get(key)
    if (client !== undefined) {
      // Most recently seen last: the map forgets from its start.
      this.mcpClients.delete(key)
      this.mcpClients.set(key, client)
    }
    return client
  }

  /** Writes every token that is due (not written in the last minute); calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending(false))
    return this.flushing
  }

  /** Writes everything counted, due or not: on shutdown. */
  flushAll(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending(true))
    return this.flushing
  }

  private async writePending(everything: boolean) {
    const now = this.clock()
    this.forgetOlderThan(now - LAST_USED_RESOLUTION_MS)
    const pruneBefore =
      now - this.prunedAt >= PRUNE_EVERY_MS ? dayOf(now - USAGE_RETENTION_DAYS * DAY_MS) : null

    const taken: { id: string; pending: Pending; writtenBefore: number | undefined }[] = []
    const lastUses: LastUse[] = []
    const counts: UsageCount[] = []
    let parameters = 0
    for (const [id, pending] of this.pending) {
      const written = this.writtenAt.get(id)
      if (!everything && written !== undefined && now - written < LAST_USED_RESOLUTION_MS) continue
      const size = (pending.lastUse ? 4 : 0) + pending.counts.size * 6
      if (parameters + size > MAX_PARAMETERS && taken.length > 0) break
      parameters += size
      taken.push({ id, pending, writtenBefore: written })
      if (pending.lastUse) lastUses.push(pending.lastUse)
      for (const count of pending.counts.values()) {
        // A day already pruned is not written back (a counter held that long is long stale).
        if (!pruneBefore || count.day >= pruneBefore) counts.push(count)
      }
    }
    if (taken.length === 0 && !pruneBefore) return
    for (const { id } of taken) {
      this.pending.delete(id)
      this.writtenAt.set(id, now)
    }
    if (pruneBefore) this.prunedAt = now
    try {
      await this.write({ lastUses, counts, pruneBefore })
      this.statements += 1
      this.rowsWritten += taken.length
      this.usageRowsWritten += counts.length
    } catch (error) {
      if (pruneBefore) this.prunedAt = Number.NEGATIVE_INFINITY
      for (const { id, pending, writtenBefore } of taken) {
        if (this.writtenAt.get(id) === now) {
          if (writtenBefore === undefined) this.writtenAt.delete(id)
          else this.writtenAt.set(id, writtenBefore)
        }
        // The last use is dropped: the next request may queue the token again.
        const lastUse = pending.lastUse
        if (lastUse && this.queuedAt.get(id) === lastUse.at.getTime()) this.queuedAt.delete(id)
        // The counts are kept for the next write.
        for (const count of pending.counts.values()) this.restore(count)
      }
      this.onError(error)
    }
  }

  /** Puts a counter that could not be written back among the pending ones. */
  private restore(count: UsageCount) {
    let pending = this.pending.get(count.tokenId)
    if (!pending) {
      pending = { lastUse: null, counts: new Map(), recent: null }
      this.pending.set(count.tokenId, pending)
    }
    const key = `${count.day}\n${count.client}\n${count.address}`
    const current = pending.counts.get(key)
    if (!current) pending.counts.set(key, count)
    else {
      current.requests += count.requests
      if (current.lastAt < count.lastAt) current.lastAt = count.lastAt
    }
  }

  /** Entries older than a minute no longer hold anything back; dropping them bounds the maps. */
  private forgetOlderThan(time: number) {
    for (const [id, queued] of this.queuedAt) {
      if (queued <= time && !this.pending.get(id)?.lastUse) this.queuedAt.delete(id)
    }
    for (const [id, written] of this.writtenAt) {
      if (written <= time && !this.pending.has(id)) this.writtenAt.delete(id)
    }
  }

  async close() {
    if (this.timer) clearInterval(this.timer)
    await this.flushAll()
  }
}

/**
 * One statement for a whole batch: last uses onto `api_tokens` (never moving one back in time),
 * counts added to `token_usage` (so that instances add theirs up), and, now and then, the days
 * past retention deleted. Rows go in key order, so two instances lock them in the same order.
 */
export async function writeUsage(db: Db, { lastUses, counts, pruneBefore }: UsageBatch) {
  const parts: SQL[] = []
  if (lastUses.length) {
    const values = sql.join(
      [...lastUses]
        .sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1))
        .map(
          (use) =>
            sql`(${use.tokenId}::uuid, ${use.at.toISOString()}::timestamptz, ${use.ip}::text, ${use.client || null}::text)`,
        ),
      sql`, `,
    )
    parts.push(sql`used as (
      update api_tokens as t
      set last_used_at = v.at, last_used_ip = v.ip, last_used_client = v.client
      from (values ${values}) as v(id, at, ip, client)
      where t.id = v.id and (t.last_used_at is null or t.last_used_at < v.at))`)
  }
  if (counts.length) {
    const key = (c: UsageCount) => `${c.tokenId}\n${c.day}\n${c.client}\n${c.address}`
    const values = sql.join(
      [...counts]
        .sort((a, b) => (key(a) < key(b) ? -1 : 1))
        .map(
          (c) =>
            sql`(${c.tokenId}::uuid, ${c.day}::date, ${c.client}::text, ${c.address}::text, ${c.requests}::int, ${c.lastAt.toISOString()}::timestamptz)`,
        ),
      sql`, `,
    )
    // A token deleted meanwhile (with its user) is skipped rather than failing the whole batch.
    parts.push(sql`counted as (
      insert into token_usage as u (token_id, day, client, address, requests, last_at)
      select v.token_id, v.day, v.client, v.address, v.requests, v.last_at
      from (values ${values}) as v(token_id, day, client, address, requests, last_at)
      where exists (select 1 from api_tokens as k where k.id = v.token_id)
      on conflict (token_id, day, client, address) do update
      set requests = u.requests + excluded.requests, last_at = greatest(u.last_at, excluded.last_at))`)
  }
  if (pruneBefore) {
    // token_usage_day_idx
    parts.push(sql`pruned as (delete from token_usage where day < ${pruneBefore}::date)`)
  }
  if (parts.length === 0) return
  await db.execute(sql`with ${sql.join(parts, sql`, `)} select 1`)
}
