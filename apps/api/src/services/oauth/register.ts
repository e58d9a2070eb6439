import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/client.js'
import { oauthClients } from '../../db/schema/index.js'
import { oauthDisabled, oauthError } from './errors.js'
import { getOAuthSettings } from './get-settings.js'
import type { ClientRegistrationRequest, ClientRegistrationResponse } from './protocol.js'
import { checkRedirectUri } from './redirect-uri.js'

const GRANT_TYPES = ['authorization_code', 'refresh_token']

const invalidMetadata = (description: string) =>
  oauthError(400, 'invalid_client_metadata', description)

/**
 * Registers a public client (RFC 7591). Its redirect URIs are checked here, once; authorization
 * requests must then use one of them exactly.
 */
export async function registerClient({
  db,
  input,
  ip,
}: {
  db: Db
  input: ClientRegistrationRequest
  ip: string | null
}): Promise<ClientRegistrationResponse> {
  if (!(await getOAuthSettings(db)).enabled) throw oauthDisabled()
  for (const uri of input.redirect_uris) {
    const check = checkRedirectUri(uri)
    if (!check.ok) throw oauthError(400, 'invalid_redirect_uri', check.reason)
  }
  const method = input.token_endpoint_auth_method ?? 'none'
  if (method !== 'none') {
    throw invalidMetadata(
      `token_endpoint_auth_method ${method} is not supported: Tessera registers public clients only (none), which prove themselves with PKCE.`,
    )
  }
  const grantTypes = input.grant_types ?? GRANT_TYPES
  const unsupportedGrant = grantTypes.find((g) => !GRANT_TYPES.includes(g))
  if (unsupportedGrant) {
    throw invalidMetadata(`grant_types ${unsupportedGrant} is not supported`)
  }
  const responseTypes = input.response_types ?? ['code']
  if (responseTypes.some((r) => r !== 'code')) {
    throw invalidMetadata('response_types may only hold code')
  }
  const clientUri =
    input.client_uri && /^https?:\/\//.test(input.client_uri) ? input.client_uri : null
  const name = input.client_name || (clientUri ? new URL(clientUri).host : 'Unnamed client')

  const [row] = await db
    .insert(oauthClients)
    .values({
      clientId: `tsc_${randomBytes(18).toString('base64url')}`,
      name,
      redirectUris: [...new Set(input.redirect_uris)],
      clientUri,
      softwareId: input.software_id ?? null,
      softwareVersion: input.software_version ?? null,
      scope: input.scope ?? null,
      registeredIp: ip,
    })
    .returning()
  if (!row) throw new Error('insert returned no row')
  return {
    client_id: row.clientId,
    client_id_issued_at: Math.floor(row.createdAt.getTime() / 1000),
    client_name: row.name,
    redirect_uris: row.redirectUris,
    grant_types: grantTypes.includes('refresh_token') ? GRANT_TYPES : ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...(row.clientUri ? { client_uri: row.clientUri } : {}),
    ...(row.scope ? { scope: row.scope } : {}),
    ...(row.softwareId ? { software_id: row.softwareId } : {}),
    ...(row.softwareVersion ? { software_version: row.softwareVersion } : {}),
  }
}
