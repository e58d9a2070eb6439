import { eq } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { apiTokens, oauthClients, oauthGrants, oauthRefreshTokens } from '../../db/schema/index.js'
import { sha256Hex } from '../../lib/secrets.js'
import { oauthDisabled, oauthError } from './errors.js'
import { getOAuthSettings } from './get-settings.js'
import { checkClientIdUrl, isClientIdUrl } from './metadata-document.js'
import { endGrant } from './revoke-grant.js'

/**
 * Token revocation (RFC 7009) for a client signing out: an access or refresh token of a grant
 * ends the whole grant. Unknown tokens, and tokens of another client, are answered like
 * success (RFC 7009 §2.2) without revoking anything: the answer tells a caller nothing.
 * Clients known by a metadata document URL are compared by that URL, exactly.
 */
export async function revokeOAuthToken({
  db,
  input,
}: {
  db: Db
  input: { token?: unknown; client_id?: unknown }
}) {
  if (!(await getOAuthSettings(db)).enabled) throw oauthDisabled()
  if (typeof input.token !== 'string' || input.token.length === 0) {
    throw oauthError(400, 'invalid_request', 'token is missing.')
  }
  if (typeof input.client_id !== 'string' || input.client_id.length === 0) {
    throw oauthError(
      400,
      'invalid_request',
      'client_id is missing (public clients identify themselves).',
    )
  }
  // A metadata document client is known by its stored row: revoking only takes access away, so
  // it neither waits for the client's site nor makes the server fetch anything.
  if (isClientIdUrl(input.client_id)) {
    const check = checkClientIdUrl(input.client_id)
    if (!check.ok) {
      throw oauthError(
        400,
        'invalid_client',
        `client_id is not a usable client ID URL: ${check.reason}.`,
      )
    }
  }
  const hash = sha256Hex(input.token)
  const byAccess = db
    .select({ grantId: oauthGrants.id, clientId: oauthClients.clientId })
    .from(oauthGrants)
    .innerJoin(apiTokens, eq(apiTokens.id, oauthGrants.tokenId))
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .where(eq(apiTokens.secretHash, hash))
  const byRefresh = db
    .select({ grantId: oauthGrants.id, clientId: oauthClients.clientId })
    .from(oauthRefreshTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthRefreshTokens.grantId))
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .where(eq(oauthRefreshTokens.secretHash, hash))
  const [found] = input.token.startsWith('tsr_') ? await byAccess : await byRefresh
  if (!found || found.clientId !== input.client_id) return
  await db.transaction((tx) => endGrant(tx, found.grantId, 'revoked', null))
}
