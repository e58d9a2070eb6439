/**
 * A small HTTP server that speaks the parts of the Tessera REST contract the extension uses, on
 * a loopback port, with real tokens from @tessera/core. The integration tests run the same
 * client against the real API, which keeps this fake honest. It also plays Tessera's OAuth
 * authorization server (metadata, registration, token endpoint with PKCE and refresh rotation
 * with reuse detection, revocation); `oauth.approve()` stands for the user on the consent page.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MeResponse, Token } from '@tessera/api/contract'
import {
  type AuthFailureCode,
  checkTokenFormat,
  ERROR_HINTS,
  generateToken,
  tokenDisplayPrefix,
} from '@tessera/core'

interface Row {
  id: string
  name: string
  scopes: string[]
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  user: { id: string; name: string; email: string; disabled: boolean }
}

export interface IssueOptions {
  name?: string
  expiresAt?: string | null
  scopes?: string[]
  userName?: string
  userEmail?: string
}

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void

export interface FakeTessera {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string
  readonly requests: RecordedRequest[]
  issue(options?: IssueOptions): string
  revoke(token: string): void
  expire(token: string): void
  disableUser(token: string): void
  /** Answers the next request for `path` (e.g. `/api/v1/me`) with `handler` instead (once). */
  overrideOnce(path: string, handler: Handler): void
  /** Answers every request with `handler` until cleared. */
  overrideAll(handler: Handler | undefined): void
  readonly oauth: FakeOAuth
  close(): Promise<void>
}

export interface FakeOAuth {
  /** Off: metadata answers 404 and registration 403 oauth_disabled, as the real server does. */
  enabled: boolean
  /** Every token endpoint request, by grant type (never the secrets). */
  readonly tokenRequests: string[]
  /** Registered clients' names and redirect URIs, by client id. */
  readonly clients: Map<string, { name: string; redirectUris: string[] }>
  /** The user approves the authorization URL on the consent page: where the browser goes next. */
  approve(authorizationUrl: string): string
  /** The user denies it. */
  deny(authorizationUrl: string): string
  /** The user disconnects the app in the console (revokes the grant of this access token). */
  endGrantOf(accessToken: string): void
  /** Whether the grant of this refresh or access token is still alive. */
  grantAlive(token: string): boolean
}

interface Grant {
  clientId: string
  accessToken: string
  refreshTokens: Map<string, { used: boolean }>
  revoked: boolean
}

export async function startFakeTessera(): Promise<FakeTessera> {
  const rows = new Map<string, Row>()
  const requests: RecordedRequest[] = []
  const once = new Map<string, Handler>()
  let all: Handler | undefined

  const clients = new Map<string, { name: string; redirectUris: string[] }>()
  const codes = new Map<
    string,
    { clientId: string; redirectUri: string; challenge: string; used: boolean; grant?: Grant }
  >()
  const grants: Grant[] = []
  const tokenRequests: string[] = []
  const oauthState = { enabled: true }
  let baseUrl = ''

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    requests.push({
      method: request.method ?? 'GET',
      path,
      authorization: request.headers.authorization,
    })
    const special = once.get(path)
    if (special) {
      once.delete(path)
      return special(request, response)
    }
    if (all) return all(request, response)
    if (path === '/.well-known/oauth-authorization-server' || path.startsWith('/oauth/')) {
      void readBody(request).then((body) => oauthRoute(request, response, path, body))
      return
    }
    route(request, response, path)
  })

  function readBody(request: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    })
  }

  const oauthFail = (
    response: ServerResponse,
    status: number,
    error: string,
    description: string,
  ) =>
    send(response, status, {
      status,
      detail: description,
      code: error,
      error,
      error_description: description,
    })

  function grantOf(token: string): Grant | undefined {
    return grants.find((g) => g.accessToken === token || g.refreshTokens.has(token))
  }

  function endGrant(grant: Grant): void {
    grant.revoked = true
    const row = rows.get(grant.accessToken)
    if (row) row.revokedAt = new Date().toISOString()
  }

  function issueTokens(grant: Grant, name: string): Record<string, unknown> {
    const accessToken = generateToken()
    const previous = rows.get(grant.accessToken)
    const row: Row = previous ?? {
      id: randomUUID(),
      name: `${name} (OAuth)`,
      scopes: ['read', 'write'],
      createdAt: new Date().toISOString(),
      expiresAt: null,
      revokedAt: null,
      user: { id: randomUUID(), name: 'Ada Lovelace', email: 'ada@example.com', disabled: false },
    }
    // Same row, new secret: the replaced access token is unknown from now on.
    rows.delete(grant.accessToken)
    row.expiresAt = new Date(Date.now() + 3600_000).toISOString()
    rows.set(accessToken, row)
    grant.accessToken = accessToken
    const refreshToken = `tsrf_${randomBytes(32).toString('base64url')}`
    grant.refreshTokens.set(refreshToken, { used: false })
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: refreshToken,
      scope: 'read write',
    }
  }

  function oauthRoute(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    raw: string,
  ): unknown {
    const key = `${request.method} ${path}`
    if (key === 'GET /.well-known/oauth-authorization-server') {
      if (!oauthState.enabled) return send(response, 404, { status: 404, code: 'not_found' })
      return send(response, 200, {
        issuer: baseUrl,
        authorization_endpoint: `${baseUrl}/oauth/authorize`,
        token_endpoint: `${baseUrl}/oauth/token`,
        registration_endpoint: `${baseUrl}/oauth/register`,
        revocation_endpoint: `${baseUrl}/oauth/revoke`,
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      })
    }
    if (!oauthState.enabled) {
      return oauthFail(response, 403, 'oauth_disabled', 'Connecting apps with OAuth is turned off.')
    }
    if (key === 'POST /oauth/register') {
      const body = JSON.parse(raw || '{}') as { client_name?: string; redirect_uris?: string[] }
      const uris = body.redirect_uris ?? []
      const bad = uris.find((uri) => {
        const url = new URL(uri)
        return (
          url.protocol === 'http:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost'
        )
      })
      if (uris.length === 0 || bad) {
        return oauthFail(response, 400, 'invalid_redirect_uri', `${bad} must use https`)
      }
      const clientId = `tsc_${randomBytes(9).toString('base64url')}`
      clients.set(clientId, { name: body.client_name ?? 'Unnamed client', redirectUris: uris })
      return send(response, 201, {
        client_id: clientId,
        client_name: body.client_name,
        redirect_uris: uris,
        token_endpoint_auth_method: 'none',
      })
    }
    const form = new URLSearchParams(raw)
    if (key === 'POST /oauth/token') {
      const grantType = form.get('grant_type') ?? ''
      tokenRequests.push(grantType)
      if (form.get('resource') !== `${baseUrl}/api/v1/mcp`) {
        return oauthFail(response, 400, 'invalid_target', 'wrong resource')
      }
      const clientId = form.get('client_id') ?? ''
      const client = clients.get(clientId)
      if (!client) return oauthFail(response, 401, 'invalid_client', 'unknown client')
      if (grantType === 'authorization_code') {
        const entry = codes.get(form.get('code') ?? '')
        if (!entry || entry.clientId !== clientId) {
          return oauthFail(
            response,
            400,
            'invalid_grant',
            'Invalid grant: authorization code is invalid',
          )
        }
        if (entry.used) {
          if (entry.grant) endGrant(entry.grant)
          return oauthFail(
            response,
            400,
            'invalid_grant',
            'Invalid grant: authorization code is invalid',
          )
        }
        entry.used = true
        if (entry.redirectUri !== form.get('redirect_uri')) {
          return oauthFail(
            response,
            400,
            'invalid_request',
            'Invalid request: `redirect_uri` is invalid',
          )
        }
        const verifier = form.get('code_verifier') ?? ''
        if (createHash('sha256').update(verifier).digest('base64url') !== entry.challenge) {
          return oauthFail(
            response,
            400,
            'invalid_grant',
            'Invalid grant: code verifier is invalid',
          )
        }
        const grant: Grant = { clientId, accessToken: '', refreshTokens: new Map(), revoked: false }
        grants.push(grant)
        entry.grant = grant
        return send(response, 200, issueTokens(grant, client.name))
      }
      if (grantType === 'refresh_token') {
        const refreshToken = form.get('refresh_token') ?? ''
        const grant = grantOf(refreshToken)
        const record = grant?.refreshTokens.get(refreshToken)
        if (!grant || !record || grant.clientId !== clientId || grant.revoked) {
          return oauthFail(
            response,
            400,
            'invalid_grant',
            'Invalid grant: refresh token is invalid',
          )
        }
        if (record.used) {
          // Rotation: a spent refresh token presented again ends the whole grant.
          endGrant(grant)
          return oauthFail(
            response,
            400,
            'invalid_grant',
            'Invalid grant: refresh token is invalid',
          )
        }
        record.used = true
        return send(response, 200, issueTokens(grant, client.name))
      }
      return oauthFail(response, 400, 'unsupported_grant_type', 'unsupported')
    }
    if (key === 'POST /oauth/revoke') {
      const token = form.get('token') ?? ''
      const grant = grantOf(token)
      if (grant && grant.clientId === form.get('client_id')) endGrant(grant)
      return send(response, 200, {})
    }
    send(response, 404, { status: 404, code: 'not_found', detail: `Route ${key} not found` })
  }

  /** The consent page's checks, as the real authorization endpoint makes them. */
  function authorizationRequest(authorizationUrl: string) {
    const url = new URL(authorizationUrl)
    const param = (name: string) => url.searchParams.get(name) ?? ''
    const client = clients.get(param('client_id'))
    if (!client) throw new Error('authorization for an unknown client')
    if (!client.redirectUris.includes(param('redirect_uri'))) {
      throw new Error(`redirect_uri ${param('redirect_uri')} is not registered (exact match)`)
    }
    if (param('code_challenge_method') !== 'S256' || param('code_challenge') === '') {
      throw new Error('no PKCE S256 challenge')
    }
    if (param('resource') !== `${baseUrl}/api/v1/mcp`) throw new Error('wrong resource')
    return {
      clientId: param('client_id'),
      redirectUri: param('redirect_uri'),
      challenge: param('code_challenge'),
      state: param('state'),
    }
  }

  function back(redirectUri: string, params: Record<string, string>): string {
    const url = new URL(redirectUri)
    for (const [name, value] of Object.entries({ ...params, iss: baseUrl })) {
      url.searchParams.set(name, value)
    }
    return url.toString()
  }

  function send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    response.end(JSON.stringify(body))
  }

  function fail(response: ServerResponse, code: AuthFailureCode): void {
    const { message, hint } = ERROR_HINTS[code]
    // RFC 9457, as the real server answers (titles are not read by the extension).
    send(response, 401, {
      type: `/api/v1/errors/${code}`,
      title: code,
      status: 401,
      detail: message,
      code,
      hint,
    })
  }

  /** The request's token and its row, or the code to refuse it with (the real API's order). */
  function authenticate(
    request: IncomingMessage,
  ): { token: string; row: Row } | { refused: AuthFailureCode } {
    const header = request.headers.authorization
    if (!header) return { refused: 'token_missing' }
    const match = /^(bearer|api-token) +(\S+)$/i.exec(header)
    if (!match?.[2]) return { refused: 'invalid_scheme' }
    const token = match[2]
    const format = checkTokenFormat(token)
    if (!format.ok) {
      return { refused: format.code === 'token_malformed' ? 'token_malformed' : 'token_invalid' }
    }
    const row = rows.get(token)
    if (!row) return { refused: 'token_invalid' }
    if (row.revokedAt) return { refused: 'token_revoked' }
    if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now())
      return { refused: 'token_expired' }
    if (row.user.disabled) return { refused: 'user_disabled' }
    return { token, row }
  }

  function present(token: string, row: Row): Token {
    return {
      id: row.id,
      name: row.name,
      prefix: tokenDisplayPrefix(token),
      scopes: row.scopes,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      lastUsedAt: new Date().toISOString(),
      lastUsedIp: '127.0.0.1',
      lastUsedClient: 'Tessera VS Code',
      revokedAt: row.revokedAt,
      status: row.revokedAt ? 'revoked' : 'active',
    }
  }

  const ROUTES = ['GET /api/v1/me', 'GET /api/v1/tokens/self', 'POST /api/v1/tokens/self/rotate']

  function route(request: IncomingMessage, response: ServerResponse, path: string): void {
    const key = `${request.method} ${path}`
    if (!ROUTES.includes(key)) {
      send(response, 404, { status: 404, code: 'not_found', detail: `Route ${key} not found` })
      return
    }
    const auth = authenticate(request)
    if ('refused' in auth) {
      fail(response, auth.refused)
      return
    }
    const { token, row } = auth
    if (key === 'GET /api/v1/me') {
      const body: MeResponse = {
        user: { id: row.user.id, email: row.user.email, name: row.user.name, role: 'member' },
        permissions: ['ManageApiTokens'],
        auth: {
          method: 'token',
          token: {
            id: row.id,
            name: row.name,
            prefix: tokenDisplayPrefix(token),
            scopes: row.scopes,
            expiresAt: row.expiresAt,
          },
        },
      }
      send(response, 200, body)
    } else if (key === 'GET /api/v1/tokens/self') {
      send(response, 200, { token: present(token, row) })
    } else {
      // Rotate: same row, new secret, same lifetime; the old secret is unknown from now on.
      const secret = generateToken()
      rows.delete(token)
      if (row.expiresAt) {
        const lifetime = Date.parse(row.expiresAt) - Date.parse(row.createdAt)
        row.createdAt = new Date().toISOString()
        row.expiresAt = new Date(Date.now() + lifetime).toISOString()
      }
      rows.set(secret, row)
      send(response, 200, { token: present(secret, row), secret })
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`

  const oauth: FakeOAuth = {
    get enabled() {
      return oauthState.enabled
    },
    set enabled(value: boolean) {
      oauthState.enabled = value
    },
    tokenRequests,
    clients,
    approve(authorizationUrl) {
      const request = authorizationRequest(authorizationUrl)
      const code = randomBytes(32).toString('base64url')
      codes.set(code, { ...request, used: false })
      return back(request.redirectUri, { code, state: request.state })
    },
    deny(authorizationUrl) {
      const request = authorizationRequest(authorizationUrl)
      return back(request.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the request.',
        state: request.state,
      })
    },
    endGrantOf(accessToken) {
      const grant = grantOf(accessToken)
      if (!grant) throw new Error('no grant for this token')
      endGrant(grant)
    },
    grantAlive(token) {
      const grant = grantOf(token)
      return grant !== undefined && !grant.revoked
    },
  }

  const rowOf = (token: string): Row => {
    const row = rows.get(token)
    if (!row) throw new Error('unknown token')
    return row
  }

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issue(options = {}) {
      const token = generateToken()
      rows.set(token, {
        id: randomUUID(),
        name: options.name ?? 'laptop',
        scopes: options.scopes ?? ['read', 'write'],
        createdAt: new Date().toISOString(),
        expiresAt: options.expiresAt === undefined ? null : options.expiresAt,
        revokedAt: null,
        user: {
          id: randomUUID(),
          name: options.userName ?? 'Ada Lovelace',
          email: options.userEmail ?? 'ada@example.com',
          disabled: false,
        },
      })
      return token
    },
    revoke(token) {
      rowOf(token).revokedAt = new Date().toISOString()
    },
    expire(token) {
      rowOf(token).expiresAt = new Date(Date.now() - 1000).toISOString()
    },
    disableUser(token) {
      rowOf(token).user.disabled = true
    },
    overrideOnce(path, handler) {
      once.set(path, handler)
    },
    overrideAll(handler) {
      all = handler
    },
    oauth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Helpers for `overrideOnce`/`overrideAll`. */
export const reply = {
  json:
    (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers })
      response.end(JSON.stringify(body))
    },
  html:
    (status: number, body: string): Handler =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'text/html' })
      response.end(body)
    },
  redirect:
    (location: string, status = 301): Handler =>
    (_request, response) => {
      response.writeHead(status, { location })
      response.end()
    },
}
