import { and, eq, ne } from 'drizzle-orm'
import { sessions, users } from '../../db/schema/index.js'
import { badRequest } from '../../lib/errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { hashPassword, verifyPassword } from './password.js'

export type ChangePasswordResult =
  | { ok: true; sessionsEnded: number }
  | { ok: false; code: 'current_password_invalid' }

/**
 * Changes the acting user's own password. The current password is the verdict's subject: a wrong
 * one is data for the caller, who counts it against the sign-in limits. On success every other
 * console session of the user ends (someone who knew the old password may hold one), the one
 * making the change stays, and a required change is fulfilled. API tokens are separate
 * credentials and keep working.
 */
export async function changePassword({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { currentPassword: string; newPassword: string; keepSessionId: string }
}): Promise<ChangePasswordResult> {
  const userId = ctx.actor.user.id
  const [user] = await ctx.db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1)
  const currentHash = user?.passwordHash
  if (!(await verifyPassword(currentHash, input.currentPassword)) || !currentHash) {
    return { ok: false, code: 'current_password_invalid' }
  }
  if (await verifyPassword(currentHash, input.newPassword)) {
    throw badRequest('password_unchanged', 'The new password is the same as the current one.')
  }
  // Hashing is slow: never inside the transaction.
  const passwordHash = await hashPassword(input.newPassword)
  return ctx.db.transaction(async (tx) => {
    // Only over the hash that was checked: a change made meanwhile (another tab, an admin's
    // reset) means the current password given is no longer current.
    const [changed] = await tx
      .update(users)
      .set({ passwordHash, passwordChangeRequired: false, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.passwordHash, currentHash)))
      .returning({ id: users.id, email: users.email })
    if (!changed) return { ok: false, code: 'current_password_invalid' } as const
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, input.keepSessionId)))
      .returning({ id: sessions.id })
    await recordActivity(tx, ctx.actor, {
      action: 'user.password_changed',
      target: { type: 'user', id: changed.id, label: changed.email },
    })
    return { ok: true, sessionsEnded: ended.length } as const
  })
}
