import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm'
import type { Activity, Via } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { activity, users } from '../../db/schema/index.js'
import { badRequest } from '../../lib/errors.js'

export interface ListActivityInput {
  /** Restrict to this actor; undefined = everyone (callers check the permission). */
  actorId?: string | undefined
  via?: Via | undefined
  cursor?: string | undefined
  limit: number
}

function encodeCursor(at: Date, id: string) {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const at = new Date(iso ?? '')
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw badRequest('invalid_cursor', 'The cursor is not valid; start again without one.')
  }
  return { at, id }
}

/** The activity feed, newest first, paged by an opaque (time, id) cursor. */
export async function listActivity({ db, input }: { db: Db; input: ListActivityInput }) {
  const filters: SQL[] = []
  if (input.actorId) filters.push(eq(activity.actorId, input.actorId))
  if (input.via) filters.push(eq(activity.via, input.via))
  if (input.cursor) {
    const { at, id } = decodeCursor(input.cursor)
    const page = or(lt(activity.at, at), and(eq(activity.at, at), lt(activity.id, id)))
    if (page) filters.push(page)
  }
  const rows = await db
    .select({ entry: activity, actor: { id: users.id, email: users.email, name: users.name } })
    .from(activity)
    .leftJoin(users, eq(users.id, activity.actorId))
    .where(and(...filters))
    .orderBy(desc(activity.at), desc(activity.id))
    .limit(input.limit + 1)
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  const items: Activity[] = page.map(({ entry, actor }) => ({
    id: entry.id,
    at: entry.at.toISOString(),
    actor: actor?.id ? actor : null,
    via: entry.via,
    token: entry.tokenId ? { id: entry.tokenId, name: entry.tokenName ?? '' } : null,
    action: entry.action,
    target: { type: entry.targetType, id: entry.targetId, label: entry.targetLabel },
    changes: entry.changes ?? null,
  }))
  return {
    activity: items,
    nextCursor:
      rows.length > input.limit && last ? encodeCursor(last.entry.at, last.entry.id) : null,
  }
}
