import { lt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { oauthAuthorizations } from '../../db/schema/index.js'
import { randomSecret, sha256Hex } from '../../lib/secrets.js'
import { oauthDisabled, oauthError } from './errors.js'
import { clientStatus } from './find-client.js'
import { getOAuthSettings } from './get-settings.js'
import {
  type AuthorizationQuery,
  type OAuthUrls,
  parseOAuthScope,
  REQUEST_TTL_MS,
  redirectWith,
} from './protocol.js'
import { matchesRegisteredRedirect } from './redirect-uri.js'
import { type MetadataFetching, resolveClient } from './resolve-client.js'

/** PKCE S256 challenge: BASE64URL(SHA-256(verifier)), 43 characters (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** Requests and codes are kept a day after they expire, then cleared when new ones come. */
const KEEP_EXPIRED_MS = 24 * 60 * 60_000

/**
 * Checks an authorization request (RFC 6749 §4.1.1) and keeps it for the consent page. Answers
 * where the browser goes next: the console's consent page, or back to the client with an error.
 * A request whose client or redirect URI cannot be trusted is refused without redirecting
 * (RFC 6749 §4.1.2.1): sending the browser to an unverified address would make Tessera an open
 * redirector. A `client_id` that is an HTTPS URL names the client's metadata document, fetched
 * (or read from its fresh stored copy) before anything else is checked.
 */
export async function startAuthorization({
  db,
  query,
  urls,
  fetching,
  ip,
}: {
  db: Db
  query: AuthorizationQuery
  urls: OAuthUrls
  fetching: MetadataFetching
  ip: string | null
}): Promise<{ location: string }> {
  const settings = await getOAuthSettings(db)
  if (!settings.enabled) throw oauthDisabled()
  if (!query.client_id) throw oauthError(400, 'invalid_request', 'client_id is missing.')
  const client = await resolveClient({ db, clientId: query.client_id, fetching, ip })
  if (!client) {
    throw oauthError(400, 'invalid_client', 'This client is not registered with this server.', {
      hint: 'Remove the server from your MCP client and add it again, so that it registers anew.',
    })
  }
  const status = clientStatus(client, settings)
  if (status === 'blocked') {
    throw oauthError(403, 'unauthorized_client', `An administrator has blocked ${client.name}.`)
  }
  if (status === 'pending') {
    throw oauthError(
      403,
      'unauthorized_client',
      `${client.name} needs an administrator's approval before it can connect.`,
      { hint: 'Ask an administrator to approve it under OAuth clients.' },
    )
  }
  const redirectUri = query.redirect_uri
  if (!redirectUri) throw oauthError(400, 'invalid_request', 'redirect_uri is missing.')
  if (!matchesRegisteredRedirect(client.redirectUris, redirectUri)) {
    throw oauthError(
      400,
      'invalid_redirect_uri',
      'redirect_uri is not one of the redirect URIs this client registered.',
    )
  }

  // From here on the client and its redirect URI are known: errors go back to the client.
  const back = (error: string, description: string) => ({
    location: redirectWith(redirectUri, {
      error,
      error_description: description,
      state: query.state ?? null,
      iss: urls.issuer,
    }),
  })
  if (query.response_type !== 'code') {
    return back('unsupported_response_type', 'Only response_type=code is supported.')
  }
  if (!query.code_challenge) {
    return back('invalid_request', 'PKCE is required: send code_challenge with method S256.')
  }
  if (query.code_challenge_method !== 'S256') {
    return back('invalid_request', 'code_challenge_method must be S256; plain is not accepted.')
  }
  if (!S256_CHALLENGE.test(query.code_challenge)) {
    return back('invalid_request', 'code_challenge is not an S256 challenge.')
  }
  if (query.resource !== undefined && query.resource.replace(/\/$/, '') !== urls.resource) {
    return back('invalid_target', `This server issues tokens for ${urls.resource} only.`)
  }

  const requestId = randomSecret()
  const now = Date.now()
  await db
    .delete(oauthAuthorizations)
    .where(lt(oauthAuthorizations.expiresAt, new Date(now - KEEP_EXPIRED_MS)))
  await db.insert(oauthAuthorizations).values({
    requestHash: sha256Hex(requestId),
    clientId: client.id,
    redirectUri,
    state: query.state ?? null,
    codeChallenge: query.code_challenge,
    resource: urls.resource,
    requestedScopes: parseOAuthScope(query.scope),
    createdAt: new Date(now),
    expiresAt: new Date(now + REQUEST_TTL_MS),
  })
  return { location: `${urls.consent}?request=${encodeURIComponent(requestId)}` }
}
