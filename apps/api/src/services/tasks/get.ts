import { asc, eq } from 'drizzle-orm'
import { comments, users } from '../../db/schema/index.js'
import type { ServiceContext } from '../context.js'
import { accessOf } from '../workspace/access.js'
import { presentComment } from './comment.js'
import { findVisibleTask, presentTask } from './query.js'

/** One task with its comments, oldest first. */
export async function getTask({ ctx, input }: { ctx: ServiceContext; input: { ref: string } }) {
  const row = await findVisibleTask(ctx.db, accessOf(ctx.actor), input.ref)
  const rows = await ctx.db
    .select({ comment: comments, author: { id: users.id, email: users.email, name: users.name } })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(eq(comments.taskId, row.task.id))
    .orderBy(asc(comments.createdAt), asc(comments.id))
  return {
    task: presentTask(row),
    comments: rows.map((r) => presentComment(r.comment, r.author?.id ? r.author : null)),
  }
}
