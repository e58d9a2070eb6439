import { and, eq, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Task } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { projects, tasks, users } from '../../db/schema/index.js'
import { badRequest, notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { type ProjectAccess, visibleProjects } from '../workspace/access.js'

const assignee = alias(users, 'assignee')

/** Tasks joined with what their public view needs, limited to the projects the access can see. */
export function selectTasks(db: Executor, access: ProjectAccess, where?: SQL) {
  return db
    .select({
      task: tasks,
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

export function encodeTaskCursor(at: Date, id: string) {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

export function decodeTaskCursor(cursor: string) {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const at = new Date(iso ?? '')
  if (!id || Number.isNaN(at.getTime()) || !isUuid(id)) {
    throw badRequest('invalid_cursor', 'The cursor is not valid; start again without one.')
  }
  return { at, id }
}
