import { and, desc, eq, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm'
import type { Activity, Via } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { activity, apiTokens, users } from '../../db/schema/index.js'
import { badRequest, notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { findVisibleTask } from '../tasks/query.js'
import { findVisibleProject, type ProjectAccess, visibleProjectIds } from '../workspace/access.js'

/**
 * Whose activity a caller may read: everything (an administrator in the console), or what their
 * access reaches: entries in the projects they can see (narrowed by a token's project scopes) and,
 * unless the token is restricted to projects, their own account-level entries (tokens, profile).
 * `access` also says who "me" and "mine" are and which projects, tasks and tokens the filters may
 * name.
 */
export type ActivityViewer = { all: boolean; access: ProjectAccess }

export interface ListActivityInput {
  viewer: ActivityViewer
  /** Only entries by this actor (a user id, or "me"), within what the viewer may see. */
  actorId?: string | undefined
  via?: Via | undefined
  /** Only entries in this project (key or id); 404 when the viewer cannot see it. */
  project?: string | undefined
  /** Only entries made with this token (id), or with any of the viewer's tokens ("mine"). */
  token?: string | undefined
  /** Only the history of this task (reference or id); 404 when the viewer cannot see it. */
  task?: string | undefined
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

/**
 * The activity feed, newest first, paged by an opaque cursor. Each filter is a condition on an
 * indexed column of activity itself (project_id, target, token_id, actor_id), so its index gives
 * the feed's order; the project, task or token a filter names is looked up first, and one the
 * viewer may not see is 404, exactly like asking for it directly.
 */
export async function listActivity({ db, input }: { db: Db; input: ListActivityInput }) {
  const { viewer } = input
  const me = viewer.access.userId
  const [scope, tokenFilter] = await Promise.all([
    scopeOf(db, input),
    tokenCondition(db, viewer, input.token),
  ])
  const filters: SQL[] = []
  if (scope) filters.push(scope)
  if (tokenFilter) filters.push(tokenFilter)
  if (input.actorId) filters.push(eq(activity.actorId, input.actorId === 'me' ? me : input.actorId))
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
 * Where the entries may come from: one task's history, one project, or everything the viewer may
 * see. A task or project the viewer can see holds only entries they may see, so naming one
 * replaces the visibility condition with a plain `target` or `project_id` match, which its index
 * serves in order.
 */
async function scopeOf(db: Db, input: ListActivityInput): Promise<SQL | undefined> {
  const { access } = input.viewer
  const [task, project] = await Promise.all([
    input.task ? findVisibleTask(db, access, input.task) : null,
    input.project ? findVisibleProject(db, access, input.project) : null,
  ])
  if (task) {
    // Tasks never move between projects: a task in another project has no entries in this one.
    if (project && project.id !== task.project.id) return sql`false`
    return and(eq(activity.targetType, 'task'), eq(activity.targetId, task.task.id))
  }
  if (project) return eq(activity.projectId, project.id)
  return visibleActivity(db, input.viewer)
}

/**
 * "mine": what any of the viewer's tokens did. A token's entries always have its owner as actor,
 * so this is `actor_id = me and token_id is not null`, which activity_actor_id_token_seq_idx holds
 * in order. One token: the viewer's own, or anyone's for an administrator in the console; another
 * person's token is 404 as it is everywhere else.
 */
async function tokenCondition(
  db: Db,
  viewer: ActivityViewer,
  token: string | undefined,
): Promise<SQL | undefined> {
  if (!token) return undefined
  const me = viewer.access.userId
  if (token === 'mine') return and(eq(activity.actorId, me), isNotNull(activity.tokenId))
  if (!isUuid(token)) throw notFound('Token')
  const [row] = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.id, token), viewer.all ? undefined : eq(apiTokens.userId, me)))
  if (!row) throw notFound('Token')
  return eq(activity.tokenId, row.id)
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
