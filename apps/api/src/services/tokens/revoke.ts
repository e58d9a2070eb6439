import { eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { apiTokens, users } from '../../db/schema/index.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { endGrantOfToken } from '../oauth/revoke-grant.js'
import { findTokenForUpdate } from './find-own.js'

/**
 * Revokes a token: the acting user's own, or anyone's when `asAdmin`. Revoking twice is a no-op.
 * Authentication reads `revoked_at` on every request, so the token stops working at once on
 * every instance.
 */
export async function revokeToken({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { id: string; asAdmin?: boolean }
}) {
  return ctx.db.transaction(async (tx) => {
    const row = await findTokenForUpdate(tx, input.id, input.asAdmin ? null : ctx.actor.user.id)
    if (row.revokedAt) return
    const now = new Date()
    await tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, row.id))
    await recordActivity(tx, ctx.actor, {
      action: 'token.revoked',
      target: { type: 'token', id: row.id, label: row.name },
      changes:
        row.userId === ctx.actor.user.id
          ? null
          : { owner: { before: null, after: await ownerEmail(tx, row.userId) } },
    })
    // An OAuth client's token: the app is disconnected, its refresh tokens included.
    await endGrantOfToken(tx, row.id, ctx.actor)
  })
}

async function ownerEmail(tx: Executor, userId: string) {
  const [owner] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
  return owner?.email ?? userId
}
