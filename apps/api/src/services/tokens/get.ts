import { and, desc, eq, gte, sql } from 'drizzle-orm'
import type { AdminTokenDetail, TokenDetail, TokenUsage } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { apiTokens, tokenUsage, users } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { type ActivityViewer, listActivity } from '../activity/list.js'
import { USAGE_RETENTION_DAYS } from './last-used.js'
import { presentedTokenColumns, presentToken } from './present.js'

/** Days of the usage chart. */
export const USAGE_CHART_DAYS = 30
/** Clients and addresses listed, most recently seen first. */
const SEEN_LIMIT = 50
/** Activity entries made with the token, newest first. */
const ACTIVITY_LIMIT = 20
const DAY_MS = 86_400_000

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10)

export interface GetTokenInput {
  id: string
  /**
   * Who asks. `all` (an administrator in the console): any token, and all of its activity.
   * Otherwise only their own token, and of its activity what the feed would show them: entries
   * in the projects they reach (narrowed by the project scopes of a token asking) and their own
   * account's.
   */
  viewer: ActivityViewer
}

/** A token with its usage and recent activity; someone else's token is 404, as if it did not exist. */
export async function getToken({
  db,
  input,
}: {
  db: Db
  input: GetTokenInput
}): Promise<AdminTokenDetail> {
  const { viewer } = input
  if (!isUuid(input.id)) throw notFound('Token')
  const [row] = await db
    .select({
      token: presentedTokenColumns,
      user: { id: users.id, email: users.email, name: users.name },
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.id, input.id),
        viewer.all ? undefined : eq(apiTokens.userId, viewer.access.userId),
      ),
    )
  if (!row) throw notFound('Token')
  const now = Date.now()
  const [usage, entries] = await Promise.all([
    tokenUsageOf(db, row.token.id, now),
    // activity_token_id_seq_idx
    listActivity({ db, input: { viewer, token: row.token.id, limit: ACTIVITY_LIMIT } }),
  ])
  return {
    token: { ...presentToken(row.token, new Date(now)), user: row.user },
    usage,
    activity: entries.activity,
  }
}

/** The same for the token's owner: without the user, whom they know. */
export async function getOwnToken(args: {
  db: Db
  input: GetTokenInput & { viewer: { all: false } }
}): Promise<TokenDetail> {
  const { token, ...rest } = await getToken(args)
  const { user: _user, ...own } = token
  return { token: own, ...rest }
}

/** Reads the primary key's `token_id` prefix: one token's rows, at most 90 days of them. */
async function tokenUsageOf(db: Db, tokenId: string, now: number): Promise<TokenUsage> {
  const chartFrom = dayOf(now - (USAGE_CHART_DAYS - 1) * DAY_MS)
  const keptFrom = dayOf(now - USAGE_RETENTION_DAYS * DAY_MS)
  const ofToken = eq(tokenUsage.tokenId, tokenId)
  const requests = sql<number>`sum(${tokenUsage.requests})::int`
  const lastSeen = sql<Date>`max(${tokenUsage.lastAt})`
  const [days, clients, addresses] = await Promise.all([
    db
      .select({ day: tokenUsage.day, requests })
      .from(tokenUsage)
      .where(and(ofToken, gte(tokenUsage.day, chartFrom)))
      .groupBy(tokenUsage.day),
    db
      .select({ client: tokenUsage.client, requests, lastSeen })
      .from(tokenUsage)
      .where(and(ofToken, gte(tokenUsage.day, keptFrom)))
      .groupBy(tokenUsage.client)
      .orderBy(desc(lastSeen))
      .limit(SEEN_LIMIT),
    db
      .select({ address: tokenUsage.address, requests, lastSeen })
      .from(tokenUsage)
      .where(and(ofToken, gte(tokenUsage.day, keptFrom)))
      .groupBy(tokenUsage.address)
      .orderBy(desc(lastSeen))
      .limit(SEEN_LIMIT),
  ])
  const byDay = new Map(days.map((d) => [d.day, Number(d.requests)]))
  return {
    days: Array.from({ length: USAGE_CHART_DAYS }, (_, i) => {
      const day = dayOf(now - (USAGE_CHART_DAYS - 1 - i) * DAY_MS)
      return { day, requests: byDay.get(day) ?? 0 }
    }),
    clients: clients.map((c) => ({
      client: c.client || null,
      requests: Number(c.requests),
      lastSeenAt: new Date(c.lastSeen).toISOString(),
    })),
    addresses: addresses.map((a) => ({
      address: a.address || null,
      requests: Number(a.requests),
      lastSeenAt: new Date(a.lastSeen).toISOString(),
    })),
  }
}
