import { and, desc, eq, gt, sql } from 'drizzle-orm'
import type { ConsoleSession } from '../../contract/index.js'
import { sessions } from '../../db/schema/index.js'
import type { ServiceContext } from '../context.js'
import { describeBrowser } from './browser.js'

/**
 * The acting user's console sessions that have not expired, most recently seen first. A user has
 * a handful at most, all found through `sessions_user_id_idx`; sorting them needs no index.
 */
export async function listSessions({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { currentSessionId: string }
}): Promise<ConsoleSession[]> {
  const lastSeen = sql<Date>`coalesce(${sessions.lastSeenAt}, ${sessions.createdAt})`
  const rows = await ctx.db
    .select({
      id: sessions.id,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, ctx.actor.user.id), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(lastSeen), desc(sessions.createdAt), desc(sessions.id))
  return rows.map((row) => ({
    id: row.id,
    browser: describeBrowser(row.userAgent),
    userAgent: row.userAgent,
    ip: row.ip,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: (row.lastSeenAt ?? row.createdAt).toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    current: row.id === input.currentSessionId,
  }))
}
