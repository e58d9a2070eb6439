import { and, desc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Task } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { projects, tasks, users } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { type ProjectAccess, visibleProjects } from '../workspace/access.js'

const assignee = alias(users, 'assignee')

/** Every column of a task but `search`, the text-search document only search's SQL reads. */
const { search: _search, ...taskColumns } = getTableColumns(tasks)

export { taskColumns }

/** Tasks joined with what their public view needs, limited to the projects the access can see. */
export function selectTasks(db: Executor, access: ProjectAccess, where?: SQL) {
  return db
    .select({
      task: taskColumns,
      project: {
        id: projects.id,
        key: projects.key,
        name: projects.name,
        archived: projects.archived,
      },
      assignee: { id: assignee.id, email: assignee.email, name: assignee.name },
    })
    .from(tasks)
    .innerJoin(projects, eq(projects.id, tasks.projectId))
    .leftJoin(assignee, eq(assignee.id, tasks.assigneeId))
    .where(and(visibleProjects(access), where))
}

export type TaskSelection = Awaited<ReturnType<typeof selectTasks>>[number]

/**
 * The newest tasks across every project the access can see, newest first, at most `limit`: each
 * project's newest `limit` (matching `where`) from tasks_project_id_created_at_idx, then the best
 * of those. A lateral subquery with LIMIT is run once per project and never flattened, so this
 * reads projects x limit index entries whatever the projects' sizes. (An index on
 * `(created_at, id)` alone would serve the order too, but PostgreSQL would then also walk it for
 * one project's list, reading every newer task of the other projects first.)
 */
export function selectNewestTasks(
  db: Executor,
  access: ProjectAccess,
  where: SQL | undefined,
  limit: number,
) {
  const newest = db
    .select(taskColumns)
    .from(tasks)
    .where(and(eq(tasks.projectId, projects.id), where))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(limit)
    .as('task')
  type TaskKey = keyof typeof taskColumns
  const task = Object.fromEntries(
    (Object.keys(taskColumns) as TaskKey[]).map((key) => [key, newest[key]]),
  ) as { [K in TaskKey]: (typeof newest)[K] }
  return db
    .select({
      task,
      project: {
        id: projects.id,
        key: projects.key,
        name: projects.name,
        archived: projects.archived,
      },
      assignee: { id: assignee.id, email: assignee.email, name: assignee.name },
    })
    .from(projects)
    .innerJoinLateral(newest, sql`true`)
    .leftJoin(assignee, eq(assignee.id, newest.assigneeId))
    .where(visibleProjects(access))
    .orderBy(desc(newest.createdAt), desc(newest.id))
    .limit(limit)
}

export function presentTask(row: TaskSelection): Task {
  const { task, project } = row
  return {
    id: task.id,
    ref: `${project.key}-${task.number}`,
    number: task.number,
    project: { id: project.id, key: project.key, name: project.name },
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    assignee: row.assignee?.id ? row.assignee : null,
    dueDate: task.dueDate,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  }
}

const REF = /^([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})$/

/** Matches a task by id or by reference such as `WEB-12`. Anything else is not found. */
export function taskRefCondition(ref: string): SQL {
  const trimmed = ref.trim()
  if (isUuid(trimmed)) return eq(tasks.id, trimmed)
  const match = REF.exec(trimmed)
  if (!match) throw notFound('Task')
  return and(
    eq(sql`upper(${projects.key})`, (match[1] ?? '').toUpperCase()),
    eq(tasks.number, Number(match[2])),
  ) as SQL
}

/** A task the access can see, or 404. */
export async function findVisibleTask(
  db: Executor,
  access: ProjectAccess,
  ref: string,
  lock = false,
) {
  const query = selectTasks(db, access, taskRefCondition(ref)).limit(1)
  const [row] = lock ? await query.for('update', { of: tasks }) : await query
  if (!row) throw notFound('Task')
  return row
}
