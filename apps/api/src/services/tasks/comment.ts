import type { Comment } from '../../contract/index.js'
import { type CommentRow, comments } from '../../db/schema/index.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { accessOf, assertNotArchived } from '../workspace/access.js'
import { findVisibleTask } from './query.js'

/** Adds a comment to a task the actor can see. */
export async function addComment({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { ref: string; body: string }
}): Promise<Comment> {
  const access = accessOf(ctx.actor)
  return ctx.db.transaction(async (tx) => {
    const task = await findVisibleTask(tx, access, input.ref)
    assertNotArchived(task.project)
    const [row] = await tx
      .insert(comments)
      .values({
        taskId: task.task.id,
        authorId: access.userId,
        body: input.body,
        via: ctx.actor.via,
        tokenId: ctx.actor.token?.id ?? null,
        tokenName: ctx.actor.token?.name ?? null,
      })
      .returning()
    if (!row) throw new Error('insert returned no row')
    const ref = `${task.project.key}-${task.task.number}`
    await recordActivity(tx, ctx.actor, {
      action: 'comment.added',
      projectId: task.project.id,
      target: { type: 'task', id: task.task.id, label: ref },
      changes: {
        comment: {
          before: null,
          after: input.body.length > 280 ? `${input.body.slice(0, 279)}…` : input.body,
        },
      },
    })
    const { user } = ctx.actor
    return presentComment(row, { id: user.id, email: user.email, name: user.name })
  })
}

/** A comment as the API shows it, with how it was written. */
export function presentComment(row: CommentRow, author: Comment['author']): Comment {
  return {
    id: row.id,
    taskId: row.taskId,
    author,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    via: row.via,
    token: row.tokenId ? { id: row.tokenId, name: row.tokenName ?? '' } : null,
  }
}
