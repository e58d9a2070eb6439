import { and, eq, isNull } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { apiTokens, oauthClients, oauthGrants, users } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { recordActivity } from '../activity/record.js'
import type { Actor, ServiceContext } from '../context.js'

export type GrantEndReason = 'revoked' | 'refresh_token_reused' | 'code_reused' | 'client_blocked'

/**
 * Ends a grant: its access token is revoked (refused from the next request on, on every instance,
 * since authentication reads it from the database) and its refresh tokens stop working. Ending an
 * ended grant is a no-op. Records `oauth.revoked` with the client's name as the token name.
 * `actor` null: the grant's own user, through its client (token endpoint, revocation endpoint).
 */
export async function endGrant(
  tx: Executor,
  grantId: string,
  reason: GrantEndReason,
  actor: Actor | null,
) {
  const now = new Date()
  const [grant] = await tx
    .update(oauthGrants)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(oauthGrants.id, grantId), isNull(oauthGrants.revokedAt)))
    .returning()
  if (!grant) return
  const [token] = await tx
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, grant.tokenId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id, name: apiTokens.name })
  const [context] = await tx
    .select({
      client: oauthClients.name,
      tokenName: apiTokens.name,
      user: { id: users.id, email: users.email, name: users.name, role: users.role },
    })
    .from(oauthGrants)
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .innerJoin(apiTokens, eq(apiTokens.id, oauthGrants.tokenId))
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .where(eq(oauthGrants.id, grant.id))
  if (!context) return
  await recordActivity(tx, actor ?? grantActor(context.user, grant.tokenId, context.tokenName), {
    action: 'oauth.revoked',
    target: { type: 'oauth_grant', id: grant.id, label: context.client },
    changes: {
      reason: { before: null, after: reason },
      ...(token ? { token: { before: token.name, after: 'revoked' } } : {}),
    },
  })
}

/** The actor of what a client does with its grant: the grant's user, through its token. */
export function grantActor(user: Actor['user'], tokenId: string, tokenName: string): Actor {
  return { user, via: 'api', token: { id: tokenId, name: tokenName } }
}

/** The user's own revocation of a connected app (console or REST). */
export async function revokeGrant({ ctx, input }: { ctx: ServiceContext; input: { id: string } }) {
  if (!isUuid(input.id)) throw notFound('Connected app')
  await ctx.db.transaction(async (tx) => {
    const [grant] = await tx
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, input.id), eq(oauthGrants.userId, ctx.actor.user.id)))
      .for('update')
    if (!grant) throw notFound('Connected app')
    await endGrant(tx, grant.id, 'revoked', ctx.actor)
  })
}

/**
 * Ends the grant whose access token this is, if any: revoking an OAuth client's token from the
 * token list disconnects the app, refresh tokens included.
 */
export async function endGrantOfToken(tx: Executor, tokenId: string, actor: Actor) {
  const [grant] = await tx
    .select({ id: oauthGrants.id })
    .from(oauthGrants)
    .where(and(eq(oauthGrants.tokenId, tokenId), isNull(oauthGrants.revokedAt)))
  if (grant) await endGrant(tx, grant.id, 'revoked', actor)
}
