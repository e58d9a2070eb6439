import { eq } from 'drizzle-orm'
import { sessions, users } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { hashPassword } from './password.js'

/** Sets a new password and ends every console session of that user. */
export async function resetPassword({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { id: string; password: string }
}) {
  const passwordHash = await hashPassword(input.password)
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(users.id, input.id))
      .returning()
    if (!row) throw notFound('User')
    await tx.delete(sessions).where(eq(sessions.userId, input.id))
    await recordActivity(tx, ctx.actor, {
      action: 'user.password_reset',
      target: { type: 'user', id: row.id, label: row.email },
    })
    return row
  })
}
