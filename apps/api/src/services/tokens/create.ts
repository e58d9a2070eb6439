import { generateToken, hashToken, normalizeScopes, tokenDisplayPrefix } from '@tessera/core'
import { and, count, eq, gt, isNull, or } from 'drizzle-orm'
import { apiTokens } from '../../db/schema/index.js'
import { badRequest, conflict } from '../../lib/errors.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { getSettings } from '../settings/get.js'
import { expiryFrom, resolveLifetimeDays } from './policy.js'
import { presentToken } from './present.js'

export interface CreateTokenInput {
  name: string
  expiresInDays?: number | null | undefined
  scopes?: string[] | undefined
}

/**
 * Creates a token for the acting user. The plaintext secret is returned once, here; only its
 * SHA-256 is stored. Under a one-token-per-user policy the previous tokens are revoked in the same
 * transaction.
 */
export async function createToken({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: CreateTokenInput
}) {
  const scopes = normalizeScopes(input.scopes ?? ['read', 'write'])
  if (!scopes.ok) {
    throw badRequest('invalid_scope', `Unknown or invalid scopes: ${scopes.invalid.join(', ')}`, {
      invalid: scopes.invalid,
    })
  }
  const secret = generateToken()
  const secretHash = await hashToken(secret)
  const userId = ctx.actor.user.id

  return ctx.db.transaction(async (tx) => {
    const policy = await getSettings(tx)
    const lifetimeDays = resolveLifetimeDays(input.expiresInDays, policy)
    const now = new Date()
    const active = and(
      eq(apiTokens.userId, userId),
      isNull(apiTokens.revokedAt),
      or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
    )
    if (policy.tokensPerUser === 1) {
      const replaced = await tx
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(active)
        .returning({ id: apiTokens.id, name: apiTokens.name })
      for (const old of replaced) {
        await recordActivity(tx, ctx.actor, {
          action: 'token.revoked',
          target: { type: 'token', id: old.id, label: old.name },
          changes: { reason: { before: null, after: 'replaced by a new token' } },
        })
      }
    } else if (policy.tokensPerUser !== null) {
      const [row] = await tx.select({ n: count() }).from(apiTokens).where(active)
      if ((row?.n ?? 0) >= policy.tokensPerUser) {
        throw conflict(
          'token_limit_reached',
          `You already have ${policy.tokensPerUser} active tokens, the most this server allows. Revoke one first.`,
        )
      }
    }
    const [row] = await tx
      .insert(apiTokens)
      .values({
        userId,
        name: input.name.trim(),
        secretHash,
        prefix: tokenDisplayPrefix(secret),
        scopes: scopes.scopes,
        lifetimeDays,
        createdAt: now,
        expiresAt: expiryFrom(now, lifetimeDays),
      })
      .returning()
    if (!row) throw new Error('insert returned no row')
    await recordActivity(tx, ctx.actor, {
      action: 'token.created',
      target: { type: 'token', id: row.id, label: row.name },
      changes: {
        scopes: { before: null, after: row.scopes },
        expiresAt: { before: null, after: row.expiresAt?.toISOString() ?? null },
      },
    })
    return { token: presentToken(row, now), secret }
  })
}
