import { and, desc, eq, ilike, lt, or, type SQL } from 'drizzle-orm'
import type { Task, TaskStatus } from '../../contract/index.js'
import { tasks } from '../../db/schema/index.js'
import type { ServiceContext } from '../context.js'
import { accessOf, projectRefCondition } from '../workspace/access.js'
import { resolveUser } from './assignee.js'
import { decodeTaskCursor, encodeTaskCursor, presentTask, selectTasks } from './query.js'

export interface ListTasksInput {
  project?: string | undefined
  status?: TaskStatus | undefined
  assignee?: string | undefined
  q?: string | undefined
  cursor?: string | undefined
  limit: number
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Tasks the actor can see, newest first, filtered, paged by an opaque cursor. */
export async function listTasks({ ctx, input }: { ctx: ServiceContext; input: ListTasksInput }) {
  const access = accessOf(ctx.actor)
  const filters: (SQL | undefined)[] = []
  if (input.project) filters.push(projectRefCondition(input.project))
  if (input.status) filters.push(eq(tasks.status, input.status))
  if (input.assignee) {
    const user = await resolveUser(ctx.db, input.assignee, access.userId)
    if (!user) return { tasks: [] as Task[], nextCursor: null }
    filters.push(eq(tasks.assigneeId, user.id))
  }
  if (input.q) {
    const pattern = `%${escapeLike(input.q)}%`
    filters.push(or(ilike(tasks.title, pattern), ilike(tasks.description, pattern)))
  }
  if (input.cursor) {
    const { at, id } = decodeTaskCursor(input.cursor)
    filters.push(or(lt(tasks.createdAt, at), and(eq(tasks.createdAt, at), lt(tasks.id, id))))
  }
  const rows = await selectTasks(ctx.db, access, and(...filters))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(input.limit + 1)
  const page = rows.slice(0, input.limit)
  const last = page.at(-1)
  return {
    tasks: page.map(presentTask),
    nextCursor:
      rows.length > input.limit && last
        ? encodeTaskCursor(last.task.createdAt, last.task.id)
        : null,
  }
}
