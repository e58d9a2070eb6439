import type { FastifyRequest } from 'fastify'
import { z } from 'zod'

/** Access tokens live an hour; clients renew them with their refresh token. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 60 * 60
/** The user has this long to answer the consent page (signing in first included). */
export const REQUEST_TTL_MS = 15 * 60_000
/** Authorization codes are exchanged by the client right after the redirect. */
export const CODE_TTL_MS = 2 * 60_000
/** What a client gets when it asks for no scope, or only for scopes Tessera does not know. */
export const DEFAULT_OAUTH_SCOPES = ['read', 'write']
/** Advertised in metadata and in 401 challenges; `project:KEY` scopes are accepted too. */
export const SCOPES_SUPPORTED = ['read', 'write'] as const

export const MCP_PATH = '/api/v1/mcp'

/** The URLs of the OAuth endpoints and of the protected resource, from one base URL. */
export interface OAuthUrls {
  issuer: string
  /** The MCP endpoint's canonical URL: the `resource` (RFC 8707, RFC 9728). */
  resource: string
  resourceMetadata: string
  authorization: string
  token: string
  registration: string
  revocation: string
  /** The console page that asks the user. */
  consent: string
}

export function oauthUrls(base: string): OAuthUrls {
  return {
    issuer: base,
    resource: `${base}${MCP_PATH}`,
    resourceMetadata: `${base}/.well-known/oauth-protected-resource${MCP_PATH}`,
    authorization: `${base}/oauth/authorize`,
    token: `${base}/oauth/token`,
    registration: `${base}/oauth/register`,
    revocation: `${base}/oauth/revoke`,
    consent: `${base}/oauth/consent`,
  }
}

/**
 * The server's base URL: TESSERA_PUBLIC_URL, or the origin the request reached (its Host passed
 * the host check, so it is one of the server's own names).
 */
export function baseUrlOf(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '')
  return `${request.protocol}://${request.host}`
}

/** Protected Resource Metadata (RFC 9728 §2). */
export const ProtectedResourceMetadata = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  bearer_methods_supported: z.array(z.string()),
  resource_name: z.string(),
  resource_documentation: z.string().optional(),
})

/** Authorization Server Metadata (RFC 8414 §2). */
export const AuthorizationServerMetadata = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string(),
  revocation_endpoint: z.string(),
  scopes_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  response_modes_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  revocation_endpoint_auth_methods_supported: z.array(z.string()),
  authorization_response_iss_parameter_supported: z.boolean(),
  client_id_metadata_document_supported: z.boolean(),
  service_documentation: z.string().optional(),
})

const optionalText = (max: number) => z.string().trim().max(max).optional()

/**
 * Client metadata a client sends to register (RFC 7591 §2). Unknown fields are ignored, as the
 * RFC asks; the ones Tessera acts on are checked. Only public clients are registered.
 */
export const ClientRegistrationRequest = z.looseObject({
  redirect_uris: z.array(z.string().max(2000)).min(1).max(10),
  client_name: optionalText(200),
  client_uri: z.string().max(2000).optional(),
  logo_uri: z.string().max(2000).optional(),
  scope: optionalText(1000),
  grant_types: z.array(z.string().max(100)).max(10).optional(),
  response_types: z.array(z.string().max(100)).max(10).optional(),
  token_endpoint_auth_method: z.string().max(100).optional(),
  software_id: optionalText(200),
  software_version: optionalText(100),
})
export type ClientRegistrationRequest = z.infer<typeof ClientRegistrationRequest>

/** The registration answer (RFC 7591 §3.2.1). */
export const ClientRegistrationResponse = z.object({
  client_id: z.string(),
  client_id_issued_at: z.number().int(),
  client_name: z.string(),
  redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  response_types: z.array(z.string()),
  token_endpoint_auth_method: z.literal('none'),
  client_uri: z.string().optional(),
  scope: z.string().optional(),
  software_id: z.string().optional(),
  software_version: z.string().optional(),
})
export type ClientRegistrationResponse = z.infer<typeof ClientRegistrationResponse>

/** An OAuth error answer (RFC 6749 §5.2, RFC 7591 §3.2.2). */
export const OAuthErrorBody = z.object({
  error: z.string(),
  error_description: z.string().optional(),
})

/** Parameters of the authorization request (RFC 6749 §4.1.1, RFC 7636, RFC 8707). */
export const AuthorizationQuery = z.object({
  response_type: z.string().max(100).optional(),
  client_id: z.string().max(2000).optional(),
  redirect_uri: z.string().max(2000).optional(),
  scope: z.string().max(1000).optional(),
  state: z.string().max(2000).optional(),
  code_challenge: z.string().max(200).optional(),
  code_challenge_method: z.string().max(20).optional(),
  resource: z.string().max(2000).optional(),
})
export type AuthorizationQuery = z.infer<typeof AuthorizationQuery>

/**
 * Scopes from a `scope` parameter: `read`, `write` (which implies `read`) and `project:KEY`.
 * Others (`openid`, `offline_access`, a vendor's) are ignored, as RFC 6749 §3.3 allows, so a
 * client that asks for extras still connects with what Tessera can give.
 */
export function parseOAuthScope(scope: string | undefined): string[] {
  const known = (scope ?? '')
    .split(' ')
    .filter((s) => s === 'read' || s === 'write' || /^project:[A-Z][A-Z0-9]{1,9}$/.test(s))
  const access = known.includes('write')
    ? ['read', 'write']
    : known.includes('read')
      ? ['read']
      : []
  const projects = [...new Set(known.filter((s) => s.startsWith('project:')))].sort()
  return [...(access.length > 0 ? access : DEFAULT_OAUTH_SCOPES), ...projects]
}

/** The redirect URI with the response parameters added (keeping any query it has). */
export function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.set(name, value)
  }
  return url.toString()
}
