import { and, desc, eq, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import type { Activity, Via } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { activity, users } from '../../db/schema/index.js'
import { badRequest } from '../../lib/errors.js'
import { type ProjectAccess, visibleProjectIds } from '../workspace/access.js'

/**
 * Whose activity a caller may read: everything (an administrator in the console), or what their
 * access reaches: entries in the projects they can see (narrowed by a token's project scopes) and,
 * unless the token is restricted to projects, their own account-level entries (tokens, profile).
 */
export type ActivityViewer = { all: true } | { all: false; access: ProjectAccess }

export interface ListActivityInput {
  viewer: ActivityViewer
  /** Only entries by this actor, within what the viewer may see. */
  actorId?: string | undefined
  via?: Via | undefined
  cursor?: string | undefined
  limit: number
}

function encodeCursor(seq: number) {
  return Buffer.from(`a${seq}`).toString('base64url')
}

function decodeCursor(cursor: string): number {
  const match = /^a(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match)
    throw badRequest('invalid_cursor', 'The cursor is not valid; start again without one.')
  return Number(match[1])
}

/** The activity feed, newest first, paged by an opaque cursor. */
export async function listActivity({ db, input }: { db: Db; input: ListActivityInput }) {
  const filters: SQL[] = []
  const visible = await visibleActivity(db, input.viewer)
  if (visible) filters.push(visible)
  if (input.actorId) filters.push(eq(activity.actorId, input.actorId))
  if (input.via) filters.push(eq(activity.via, input.via))
  if (input.cursor) filters.push(lt(activity.seq, decodeCursor(input.cursor)))
  const rows = await db
    .select({ entry: activity, actor: { id: users.id, email: users.email, name: users.name } })
    .from(activity)
    .leftJoin(users, eq(users.id, activity.actorId))
    .where(and(...filters))
    .orderBy(desc(activity.seq))
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
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.entry.seq) : null,
  }
}

/**
 * The viewer's entries, as a condition on activity's own indexed columns. The reachable projects
 * are read first (membership and the token's project scopes apply as everywhere), so the feed
 * query filters on `project_id` with values the planner can weigh: it walks the feed's index
 * while their entries are common, and reads them by `(project_id, seq)` when they are rare.
 */
async function visibleActivity(db: Db, viewer: ActivityViewer): Promise<SQL | undefined> {
  if (viewer.all) return undefined
  const { access } = viewer
  const reachable = await visibleProjectIds(db, access)
  const inReachableProject =
    reachable === null
      ? // Every project (an administrator's unrestricted token). Projects are never deleted, so
        // an entry with a project is in one of them.
        isNotNull(activity.projectId)
      : reachable.length
        ? inArray(activity.projectId, reachable)
        : sql`false`
  if (access.onlyKeys) return inReachableProject
  return or(
    inReachableProject,
    and(isNull(activity.projectId), eq(activity.actorId, access.userId)),
  ) as SQL
}
