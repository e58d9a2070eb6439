/**
 * The extension's HTTP client for Tessera's OAuth endpoints (RFC 8414 metadata, RFC 7591
 * registration, the RFC 6749 token endpoint, RFC 7009 revocation). Like `api-client.ts`, every
 * outcome is data; secrets (codes, verifiers, tokens) travel only in request bodies.
 */
import { type ApiFailure, classifyNetworkError, type FetchLike } from './api-client.js'

/** What the extension needs from the authorization server's metadata. */
export interface AuthServerMetadata {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  registrationEndpoint: string
  revocationEndpoint?: string
  /** RFC 9207: the server puts `iss` in its authorization responses. */
  issParameterSupported: boolean
}

export type OAuthFailure =
  | ApiFailure
  /** The server answered an OAuth error (RFC 6749 §5.2): `invalid_grant`, `oauth_disabled`... */
  | { kind: 'oauth'; status: number; error: string; description?: string }

export type OAuthResult<T> = { ok: true; value: T } | { ok: false; failure: OAuthFailure }

export interface TokenSet {
  accessToken: string
  refreshToken: string
  expiresInSeconds: number
}

export interface RegistrationRequest {
  clientName: string
  redirectUri: string
  softwareVersion: string
}

export interface OAuthClient {
  /** Answers `{ ok: true, value: undefined }` when the server has no OAuth (404: turned off, or older). */
  discover(serverUrl: string): Promise<OAuthResult<AuthServerMetadata | undefined>>
  register(endpoint: string, request: RegistrationRequest): Promise<OAuthResult<string>>
  exchangeCode(
    endpoint: string,
    params: {
      clientId: string
      code: string
      redirectUri: string
      codeVerifier: string
      resource: string
    },
  ): Promise<OAuthResult<TokenSet>>
  refresh(
    endpoint: string,
    params: { clientId: string; refreshToken: string; resource: string },
  ): Promise<OAuthResult<TokenSet>>
  revoke(endpoint: string, params: { clientId: string; token: string }): Promise<OAuthResult<void>>
}

export interface OAuthClientOptions {
  fetch?: FetchLike
  timeoutMs?: number
  userAgent?: string
}

/** The software id this extension registers with, so admins can tell its registrations apart. */
export const SOFTWARE_ID = 'tessera-vscode'

export function createOAuthClient(options: OAuthClientOptions = {}): OAuthClient {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init))
  const timeoutMs = options.timeoutMs ?? 10_000

  async function send(
    url: string,
    init: { method: 'GET' | 'POST'; json?: unknown; form?: Record<string, string> },
  ): Promise<{ ok: true; status: number; body: unknown } | { ok: false; failure: ApiFailure }> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (options.userAgent) headers['user-agent'] = options.userAgent
    let body: string | undefined
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.json)
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(init.form).toString()
    }
    let response: Response
    try {
      response = await doFetch(url, {
        method: init.method,
        headers,
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      return { ok: false, failure: classifyNetworkError(error, url, timeoutMs) }
    }
    const parsed = await readJson(response)
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? undefined
      return {
        ok: false,
        failure: {
          kind: 'redirect',
          url,
          status: response.status,
          ...(location ? { location } : {}),
        },
      }
    }
    return { ok: true, status: response.status, body: parsed }
  }

  /** A non-2xx answer as a failure; OAuth errors keep `error` and `error_description`. */
  function failureOf(url: string, status: number, body: unknown): OAuthFailure {
    if (isRecord(body) && typeof body.error === 'string') {
      return {
        kind: 'oauth',
        status,
        error: body.error,
        ...(typeof body.error_description === 'string'
          ? { description: body.error_description }
          : {}),
      }
    }
    if (status >= 500) return { kind: 'server_error', url, status }
    if (isRecord(body) && typeof body.code === 'string') {
      return {
        kind: 'rejected',
        status,
        code: body.code,
        // RFC 9457 `detail`; servers before it sent the same text as `message`.
        ...(typeof body.detail === 'string'
          ? { message: body.detail }
          : typeof body.message === 'string'
            ? { message: body.message }
            : {}),
      }
    }
    return { kind: 'not_tessera', url, status }
  }

  async function tokenRequest(
    endpoint: string,
    form: Record<string, string>,
  ): Promise<OAuthResult<TokenSet>> {
    const result = await send(endpoint, { method: 'POST', form })
    if (!result.ok) return result
    if (result.status !== 200) {
      return { ok: false, failure: failureOf(endpoint, result.status, result.body) }
    }
    const body = result.body
    if (
      !isRecord(body) ||
      typeof body.access_token !== 'string' ||
      typeof body.refresh_token !== 'string' ||
      typeof body.token_type !== 'string' ||
      body.token_type.toLowerCase() !== 'bearer'
    ) {
      return { ok: false, failure: { kind: 'not_tessera', url: endpoint, status: result.status } }
    }
    const expiresIn =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600
    return {
      ok: true,
      value: {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresInSeconds: expiresIn,
      },
    }
  }

  return {
    async discover(serverUrl) {
      const url = `${serverUrl}/.well-known/oauth-authorization-server`
      const result = await send(url, { method: 'GET' })
      if (!result.ok) return result
      if (result.status === 404) return { ok: true, value: undefined }
      if (result.status !== 200) {
        return { ok: false, failure: failureOf(url, result.status, result.body) }
      }
      const metadata = parseMetadata(result.body)
      if (!metadata) return { ok: false, failure: { kind: 'not_tessera', url, status: 200 } }
      return { ok: true, value: metadata }
    },

    async register(endpoint, request) {
      const result = await send(endpoint, {
        method: 'POST',
        json: {
          client_name: request.clientName,
          redirect_uris: [request.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
          scope: 'read write',
          software_id: SOFTWARE_ID,
          software_version: request.softwareVersion,
        },
      })
      if (!result.ok) return result
      if (result.status !== 201 && result.status !== 200) {
        return { ok: false, failure: failureOf(endpoint, result.status, result.body) }
      }
      const body = result.body
      if (!isRecord(body) || typeof body.client_id !== 'string') {
        return { ok: false, failure: { kind: 'not_tessera', url: endpoint, status: result.status } }
      }
      // Exact redirect URIs only: a server that registered something else is not trusted with it.
      if (Array.isArray(body.redirect_uris) && !body.redirect_uris.includes(request.redirectUri)) {
        return {
          ok: false,
          failure: {
            kind: 'oauth',
            status: result.status,
            error: 'invalid_redirect_uri',
            description: 'The server registered another redirect URI than the one sent.',
          },
        }
      }
      return { ok: true, value: body.client_id }
    },

    exchangeCode: (endpoint, params) =>
      tokenRequest(endpoint, {
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: params.redirectUri,
        client_id: params.clientId,
        code_verifier: params.codeVerifier,
        resource: params.resource,
      }),

    refresh: (endpoint, params) =>
      tokenRequest(endpoint, {
        grant_type: 'refresh_token',
        refresh_token: params.refreshToken,
        client_id: params.clientId,
        resource: params.resource,
      }),

    async revoke(endpoint, params) {
      const result = await send(endpoint, {
        method: 'POST',
        form: { token: params.token, client_id: params.clientId },
      })
      if (!result.ok) return result
      if (result.status !== 200) {
        return { ok: false, failure: failureOf(endpoint, result.status, result.body) }
      }
      return { ok: true, value: undefined }
    },
  }
}

function parseMetadata(body: unknown): AuthServerMetadata | undefined {
  if (!isRecord(body)) return undefined
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined)
  const issuer = text('issuer')
  const authorizationEndpoint = text('authorization_endpoint')
  const tokenEndpoint = text('token_endpoint')
  const registrationEndpoint = text('registration_endpoint')
  if (!issuer || !authorizationEndpoint || !tokenEndpoint || !registrationEndpoint) return undefined
  const methods = body.code_challenge_methods_supported
  // PKCE S256 is the only protection a public client has for its code: no S256, no sign-in.
  if (!Array.isArray(methods) || !methods.includes('S256')) return undefined
  const revocationEndpoint = text('revocation_endpoint')
  return {
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    registrationEndpoint,
    ...(revocationEndpoint ? { revocationEndpoint } : {}),
    issParameterSupported: body.authorization_response_iss_parameter_supported === true,
  }
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? ''
  if (!/[/+]json\b/i.test(type)) {
    await response.body?.cancel().catch(() => {})
    return undefined
  }
  try {
    return await response.json()
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
