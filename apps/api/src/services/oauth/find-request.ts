import { eq } from 'drizzle-orm'
import type { OAuthRequest } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { oauthAuthorizations, oauthClients } from '../../db/schema/index.js'
import { AppError, notFound } from '../../lib/errors.js'
import { sha256Hex } from '../../lib/secrets.js'
import { getSettings } from '../settings/get.js'
import { resolveLifetimeDays } from '../tokens/policy.js'
import { ACCESS_TOKEN_LIFETIME_SECONDS } from './protocol.js'

/**
 * A pending authorization request by the id in the consent page's URL, locked when `forUpdate`.
 * Unknown ids are 404; expired or answered ones say so.
 */
export async function findPendingRequest(db: Executor, requestId: string, forUpdate = false) {
  const query = db
    .select({ request: oauthAuthorizations, client: oauthClients })
    .from(oauthAuthorizations)
    .innerJoin(oauthClients, eq(oauthClients.id, oauthAuthorizations.clientId))
    .where(eq(oauthAuthorizations.requestHash, sha256Hex(requestId)))
  const [row] = forUpdate ? await query.for('update', { of: oauthAuthorizations }) : await query
  if (!row) throw notFound('Authorization request')
  if (row.request.decidedAt) {
    throw new AppError(
      409,
      'oauth_request_decided',
      'This authorization request was already answered.',
      {
        hint: 'Start connecting again from your app.',
      },
    )
  }
  if (row.request.expiresAt <= new Date()) {
    throw new AppError(410, 'oauth_request_expired', 'This authorization request has expired.', {
      hint: 'Start connecting again from your app.',
    })
  }
  return row
}

/** What the console's consent page shows. */
export async function describeRequest(db: Executor, requestId: string): Promise<OAuthRequest> {
  const { request, client } = await findPendingRequest(db, requestId)
  const policy = await getSettings(db)
  let defaultLifetimeDays: number | null = null
  try {
    defaultLifetimeDays = resolveLifetimeDays(undefined, policy)
  } catch {
    // Expiry required without a maximum: the user has to pick a lifetime.
  }
  return {
    client: {
      id: client.id,
      clientId: client.clientId,
      name: client.name,
      clientUri: client.clientUri,
      redirectUri: request.redirectUri,
      redirectHost: redirectHost(request.redirectUri),
    },
    scopes: request.requestedScopes,
    resource: request.resource,
    expiresAt: request.expiresAt.toISOString(),
    policy: {
      maxLifetimeDays: policy.maxTokenLifetimeDays,
      expiryRequired: policy.tokenExpiryRequired,
      defaultLifetimeDays,
    },
    accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_SECONDS,
  }
}

/** `127.0.0.1:33418`, `claude.ai`, or the scheme for app links such as `vscode:`. */
function redirectHost(uri: string) {
  const url = new URL(uri)
  return url.host || url.protocol
}
