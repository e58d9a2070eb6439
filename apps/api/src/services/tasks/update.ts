import { eq } from 'drizzle-orm'
import type { TaskPriority, TaskStatus } from '../../contract/index.js'
import { tasks } from '../../db/schema/index.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { accessOf, assertNotArchived } from '../workspace/access.js'
import { resolveAssignee } from './assignee.js'
import { findVisibleTask, presentTask } from './query.js'

export interface UpdateTaskInput {
  ref: string
  title?: string | undefined
  description?: string | undefined
  status?: TaskStatus | undefined
  priority?: TaskPriority | undefined
  assignee?: string | null | undefined
  dueDate?: string | null | undefined
}

/** Changes a task; the activity entry records before and after of each changed field. */
export async function updateTask({ ctx, input }: { ctx: ServiceContext; input: UpdateTaskInput }) {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const before = await findVisibleTask(tx, access, input.ref, true)
    assertNotArchived(before.project)
    const patch: Partial<typeof tasks.$inferInsert> = {}
    const changes: Record<string, { before: unknown; after: unknown }> = {}
    for (const field of ['title', 'description', 'status', 'priority', 'dueDate'] as const) {
      const value = input[field]
      if (value !== undefined && value !== before.task[field]) {
        Object.assign(patch, { [field]: value })
        changes[field] = { before: before.task[field], after: value }
      }
    }
    if (input.assignee !== undefined) {
      const next = input.assignee
        ? await resolveAssignee(tx, before.project.id, input.assignee, access.userId)
        : null
      if ((next?.id ?? null) !== before.task.assigneeId) {
        patch.assigneeId = next?.id ?? null
        changes.assignee = { before: before.assignee?.email ?? null, after: next?.email ?? null }
      }
    }
    if (Object.keys(changes).length === 0) return presentTask(before)
    await tx
      .update(tasks)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(tasks.id, before.task.id))
    const ref = `${before.project.key}-${before.task.number}`
    await recordActivity(tx, ctx.actor, {
      action:
        'status' in changes && Object.keys(changes).length === 1
          ? 'task.status_changed'
          : 'task.updated',
      target: { type: 'task', id: before.task.id, label: ref },
      projectId: before.project.id,
      changes,
    })
    return presentTask(await findVisibleTask(tx, access, before.task.id))
  })
}
