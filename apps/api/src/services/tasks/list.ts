import { and, desc, eq, inArray, type SQL } from 'drizzle-orm'
import type { Task, TaskStatus } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { projects, tasks } from '../../db/schema/index.js'
import {
  afterTimeCursor,
  decodeTimeCursor,
  encodeTimeCursor,
  invalidCursor,
} from '../../lib/cursor.js'
import type { ServiceContext } from '../context.js'
import {
  accessOf,
  type ProjectAccess,
  projectRefCondition,
  visibleProjectIds,
  visibleProjects,
} from '../workspace/access.js'
import { resolveUser } from './assignee.js'
import { presentTask, selectNewestTasks, selectTasks } from './query.js'
import { SEARCH_WINDOW, taskSearch } from './search.js'

export interface ListTasksInput {
  project?: string | undefined
  status?: TaskStatus | undefined
  assignee?: string | undefined
  q?: string | undefined
  cursor?: string | undefined
  limit: number
}

const empty = () => ({ tasks: [] as Task[], nextCursor: null as string | null })

/**
 * The id of a project the access can see, by key or id. Resolved before the task query so that
 * it filters on `tasks.project_id` itself, with a value the planner knows (a project of 500,000
 * tasks and one of 50 get different plans), rather than on the joined `projects.key`.
 */
async function visibleProjectId(db: Executor, access: ProjectAccess, ref: string) {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(projectRefCondition(ref), visibleProjects(access)))
    .limit(1)
  return row?.id ?? null
}

/** Ranked search pages by position: relevance has no index order to resume from. */
const encodeOffsetCursor = (offset: number) => Buffer.from(`o${offset}`).toString('base64url')

function decodeOffsetCursor(cursor: string) {
  const match = /^o(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!match) throw invalidCursor()
  return Number(match[1])
}

/**
 * Tasks the actor can see, filtered, paged by an opaque cursor: newest first, or most relevant
 * first when searching (see search.ts).
 */
export async function listTasks({ ctx, input }: { ctx: ServiceContext; input: ListTasksInput }) {
  const access = accessOf(ctx.actor)
  const filters: (SQL | undefined)[] = []
  if (input.project) {
    const projectId = await visibleProjectId(ctx.db, access, input.project)
    if (!projectId) return empty()
    filters.push(eq(tasks.projectId, projectId))
  }
  if (input.status) filters.push(eq(tasks.status, input.status))
  if (input.assignee) {
    const user = await resolveUser(ctx.db, input.assignee, access.userId)
    if (!user) return empty()
    filters.push(eq(tasks.assigneeId, user.id))
  }
  const search = input.q ? taskSearch(input.q) : null
  if (search) filters.push(search.match)

  if (search?.order && search.rank) {
    if (!input.project) {
      const reachable = await visibleProjectIds(ctx.db, access)
      if (reachable?.length === 0) return empty()
      if (reachable) filters.push(inArray(tasks.projectId, reachable))
    }
    const offset = input.cursor ? decodeOffsetCursor(input.cursor) : 0
    // The page is chosen on `tasks` alone (the text indexes find the matches, the projects are a
    // filter on them), then joined for display. Joined in one query, PostgreSQL may instead start
    // from the projects and read each one's tasks to intersect them with the matches.
    // The newest SEARCH_WINDOW matches, then the page of them by relevance (see search.ts).
    const matches = ctx.db
      .select({
        id: tasks.id,
        createdAt: tasks.createdAt,
        score: search.rank.score.as('score'),
        inTitle: search.rank.inTitle.as('in_title'),
      })
      .from(tasks)
      .where(and(...filters))
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(SEARCH_WINDOW)
      .as('matches')
    const page = ctx.db
      .select({ id: matches.id })
      .from(matches)
      .orderBy(
        desc(matches.score),
        desc(matches.inTitle),
        desc(matches.createdAt),
        desc(matches.id),
      )
      .limit(input.limit + 1)
      .offset(offset)
    const rows = await selectTasks(ctx.db, access, inArray(tasks.id, page)).orderBy(...search.order)
    return {
      tasks: rows.slice(0, input.limit).map(presentTask),
      nextCursor: rows.length > input.limit ? encodeOffsetCursor(offset + input.limit) : null,
    }
  }

  // Newest first, read in this order from the index of the project or the assignee, or from
  // each visible project's when the list has neither.
  if (input.cursor) {
    filters.push(afterTimeCursor(tasks.createdAt, tasks.id, decodeTimeCursor(input.cursor)))
  }
  const rows =
    input.project || input.assignee
      ? await selectTasks(ctx.db, access, and(...filters))
          .orderBy(desc(tasks.createdAt), desc(tasks.id))
          .limit(input.limit + 1)
      : await selectNewestTasks(ctx.db, access, and(...filters), input.limit + 1)
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  return {
    tasks: page.map(presentTask),
    nextCursor:
      rows.length > input.limit && last
        ? encodeTimeCursor(last.task.createdAt, last.task.id)
        : null,
  }
}
