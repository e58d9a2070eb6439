import { eq } from 'drizzle-orm'
import type { Role } from '../../contract/index.js'
import { sessions, users } from '../../db/schema/index.js'
import { badRequest, notFound } from '../../lib/errors.js'
import { diff, recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'

export interface UpdateUserInput {
  id: string
  name?: string | undefined
  role?: Role | undefined
  disabled?: boolean | undefined
}

/**
 * Changes a user's name, role or disabled flag. Disabling ends their sessions; their tokens are
 * refused from the next request on because authentication checks the flag every time.
 */
export async function updateUser({ ctx, input }: { ctx: ServiceContext; input: UpdateUserInput }) {
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, input.id)).for('update')
    if (!before) throw notFound('User')
    if (before.id === ctx.actor.user.id && (input.disabled === true || input.role === 'member')) {
      throw badRequest(
        'cannot_demote_self',
        'You cannot disable yourself or remove your own admin role.',
      )
    }
    const patch = { name: input.name, role: input.role, disabled: input.disabled }
    const changes = diff(before as unknown as Record<string, unknown>, patch)
    if (Object.keys(changes).length === 0) return before
    const [after] = await tx
      .update(users)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(users.id, input.id))
      .returning()
    if (!after) throw notFound('User')
    if (input.disabled === true) await tx.delete(sessions).where(eq(sessions.userId, input.id))
    const action =
      'disabled' in changes
        ? after.disabled
          ? 'user.disabled'
          : 'user.enabled'
        : 'role' in changes
          ? 'user.role_changed'
          : 'user.updated'
    await recordActivity(tx, ctx.actor, {
      action,
      target: { type: 'user', id: after.id, label: after.email },
      changes,
    })
    return after
  })
}
