import { generateToken, hashToken, tokenDisplayPrefix } from '@tessera/core'
import { eq } from 'drizzle-orm'
import { apiTokens, oauthGrants } from '../../db/schema/index.js'
import { conflict } from '../../lib/errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { getSettings } from '../settings/get.js'
import { findTokenForUpdate } from './find-own.js'
import { expiryFrom, rotatedLifetimeDays } from './policy.js'
import { presentToken } from './present.js'

/**
 * Gives a token a new secret with the same name and scopes, and the same lifetime as far as the
 * token policy in force allows. The old secret's hash is replaced in the same row, so it is refused
 * from the very next request on.
 */
export async function rotateToken({ ctx, input }: { ctx: ServiceContext; input: { id: string } }) {
  const secret = generateToken()
  const secretHash = await hashToken(secret)
  return ctx.db.transaction(async (tx) => {
    const before = await findTokenForUpdate(tx, input.id, ctx.actor.user.id)
    if (before.revokedAt) {
      throw conflict('token_revoked', 'A revoked token cannot be rotated; create a new one.')
    }
    const [grant] = await tx
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(eq(oauthGrants.tokenId, before.id))
    if (grant) {
      // Its client renews it with its refresh token; a secret shown here would reach no one.
      throw conflict(
        'token_managed_by_app',
        'This token belongs to a connected app, which renews it by itself; revoke it to disconnect the app.',
      )
    }
    const lifetimeDays = rotatedLifetimeDays(before.lifetimeDays, await getSettings(tx))
    const now = new Date()
    const [row] = await tx
      .update(apiTokens)
      .set({
        secretHash,
        prefix: tokenDisplayPrefix(secret),
        createdAt: now,
        lifetimeDays,
        expiresAt: expiryFrom(now, lifetimeDays),
      })
      .where(eq(apiTokens.id, before.id))
      .returning()
    if (!row) throw new Error('update returned no row')
    await recordActivity(tx, ctx.actor, {
      action: 'token.rotated',
      target: { type: 'token', id: row.id, label: row.name },
      changes: {
        prefix: { before: before.prefix, after: row.prefix },
        expiresAt: {
          before: before.expiresAt?.toISOString() ?? null,
          after: row.expiresAt?.toISOString() ?? null,
        },
      },
    })
    return { token: presentToken(row, now), secret }
  })
}
