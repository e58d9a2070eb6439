import { eq, sql } from 'drizzle-orm'
import type { TaskPriority, TaskStatus } from '../../contract/index.js'
import { projects, tasks } from '../../db/schema/index.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { accessOf, assertNotArchived, findVisibleProject } from '../workspace/access.js'
import { resolveAssignee } from './assignee.js'
import { findVisibleTask, presentTask, taskColumns } from './query.js'

export interface CreateTaskInput {
  project: string
  title: string
  description: string
  status: TaskStatus
  priority: TaskPriority
  assignee?: string | null | undefined
  dueDate?: string | null | undefined
}

/** Creates a task numbered within its project (`WEB-13`); any project member may. */
export async function createTask({ ctx, input }: { ctx: ServiceContext; input: CreateTaskInput }) {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    // Locking the project row serialises numbering within the project.
    const project = await findVisibleProject(tx, access, input.project, true)
    assertNotArchived(project)
    const assignee = input.assignee
      ? await resolveAssignee(tx, project.id, input.assignee, access.userId)
      : null
    const [numbered] = await tx
      .update(projects)
      .set({ nextTaskNumber: sql`${projects.nextTaskNumber} + 1` })
      .where(eq(projects.id, project.id))
      .returning({ number: sql<number>`${projects.nextTaskNumber} - 1` })
    const [task] = await tx
      .insert(tasks)
      .values({
        projectId: project.id,
        number: numbered?.number ?? project.nextTaskNumber,
        title: input.title,
        description: input.description,
        status: input.status,
        priority: input.priority,
        assigneeId: assignee?.id ?? null,
        dueDate: input.dueDate ?? null,
        createdById: access.userId,
      })
      .returning(taskColumns)
    if (!task) throw new Error('insert returned no row')
    const ref = `${project.key}-${task.number}`
    await recordActivity(tx, ctx.actor, {
      action: 'task.created',
      projectId: project.id,
      target: { type: 'task', id: task.id, label: ref },
      changes: {
        title: { before: null, after: task.title },
        status: { before: null, after: task.status },
        ...(assignee ? { assignee: { before: null, after: assignee.email } } : {}),
      },
    })
    return presentTask(await findVisibleTask(tx, access, task.id))
  })
}
