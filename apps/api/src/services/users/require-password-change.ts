import { eq } from 'drizzle-orm'
import { sessions, users } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'

/**
 * An administrator requires a user to choose a new password: every console session of the user
 * ends, and the next sign-in can do nothing but change the password. The user's API tokens keep
 * working: they are separate credentials, listed and revocable on their own, and the agents and
 * scripts that hold them should not stop because a password is being replaced.
 */
export async function requirePasswordChange({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { id: string }
}) {
  if (!isUuid(input.id)) throw notFound('User')
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({ passwordChangeRequired: true, updatedAt: new Date() })
      .where(eq(users.id, input.id))
      .returning()
    if (!user) throw notFound('User')
    const ended = await tx
      .delete(sessions)
      .where(eq(sessions.userId, input.id))
      .returning({ id: sessions.id })
    await recordActivity(tx, ctx.actor, {
      action: 'user.password_change_required',
      target: { type: 'user', id: user.id, label: user.email },
    })
    return { user, sessionsEnded: ended.length }
  })
}
