import { desc, eq } from 'drizzle-orm'
import type { OAuthGrant } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { apiTokens, oauthClients, oauthGrants } from '../../db/schema/index.js'
import { presentToken } from '../tokens/present.js'

/** The user's connected apps (OAuth grants), newest first, ended ones included. */
export async function listGrants({
  db,
  userId,
}: {
  db: Db
  userId: string
}): Promise<OAuthGrant[]> {
  const rows = await db
    .select({ grant: oauthGrants, client: oauthClients, token: apiTokens })
    .from(oauthGrants)
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .innerJoin(apiTokens, eq(apiTokens.id, oauthGrants.tokenId))
    .where(eq(oauthGrants.userId, userId))
    .orderBy(desc(oauthGrants.createdAt), desc(oauthGrants.id))
  const now = new Date()
  return rows.map(({ grant, client, token }) => ({
    id: grant.id,
    client: { id: client.id, name: client.name, clientUri: client.clientUri },
    scopes: grant.scopes,
    createdAt: grant.createdAt.toISOString(),
    expiresAt: grant.expiresAt?.toISOString() ?? null,
    lastRefreshedAt: grant.lastRefreshedAt?.toISOString() ?? null,
    revokedAt: grant.revokedAt?.toISOString() ?? null,
    status: grant.revokedAt
      ? 'revoked'
      : grant.expiresAt && grant.expiresAt <= now
        ? 'expired'
        : 'active',
    token: presentToken(token, now),
  }))
}
