import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { oauthAuthorizations } from '../src/db/schema/index.js'
import { sha256Hex } from '../src/lib/secrets.js'
import { bearer, buildTestApp, createTestUser, problem, signIn } from './helper.js'
import {
  authorizeParams,
  authorizeUrl,
  connectClient,
  decide,
  expectOAuthError,
  locationOf,
  pkce,
  REDIRECT_URI,
  RESOURCE,
  registerClient,
  startAuthorization,
  tokenRequest,
} from './oauth.fixtures.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

async function signedIn() {
  return signIn(app, await createTestUser(app))
}

/** A code approved for a fresh client, not yet exchanged. */
async function approvedCode() {
  const session = await signedIn()
  const client = await registerClient(app)
  const { verifier, challenge } = pkce()
  const params = authorizeParams(client, challenge)
  const back = await decide(app, session, await startAuthorization(app, params))
  const code = back.searchParams.get('code') as string
  const exchange = (overrides: Record<string, string | undefined> = {}) =>
    tokenRequest(app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      resource: RESOURCE,
      ...overrides,
    })
  return { session, client, code, verifier, exchange }
}

/** The error redirect of the authorization endpoint: to the client, with state and iss. */
function expectErrorRedirect(location: URL, state: string, error: string) {
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI)
  expect(location.searchParams.get('error')).toBe(error)
  expect(location.searchParams.get('state')).toBe(state)
  expect(location.searchParams.get('iss')).toBe('http://localhost:80')
  expect(location.searchParams.get('code')).toBeNull()
}

describe('authorization request: PKCE is required, S256 only', () => {
  it('a request without code_challenge goes back to the client with invalid_request', async () => {
    const client = await registerClient(app)
    const params = authorizeParams(client, 'x', {
      code_challenge: undefined,
      code_challenge_method: undefined,
    })
    const res = await app.inject({ method: 'GET', url: authorizeUrl(params) })
    const location = locationOf(res)
    expectErrorRedirect(location, params.state, 'invalid_request')
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/)
  })

  it('plain PKCE is refused, and so is a challenge without its method', async () => {
    const client = await registerClient(app)
    const { verifier } = pkce()
    for (const method of ['plain', undefined]) {
      const params = authorizeParams(client, verifier, { code_challenge_method: method })
      const location = locationOf(await app.inject({ method: 'GET', url: authorizeUrl(params) }))
      expectErrorRedirect(location, params.state, 'invalid_request')
      expect(location.searchParams.get('error_description')).toMatch(/S256/)
    }
  })

  it('response_type other than code is unsupported_response_type', async () => {
    const client = await registerClient(app)
    const params = authorizeParams(client, pkce().challenge, { response_type: 'token' })
    const location = locationOf(await app.inject({ method: 'GET', url: authorizeUrl(params) }))
    expectErrorRedirect(location, params.state, 'unsupported_response_type')
  })
})

describe('authorization request: client and redirect URI', () => {
  it('an unknown client gets an error page, never a redirect', async () => {
    const params = authorizeParams(
      { clientId: 'tsc_unknown', redirectUri: REDIRECT_URI },
      pkce().challenge,
    )
    const res = await app.inject({ method: 'GET', url: authorizeUrl(params) })
    expectOAuthError(res, 400, 'invalid_client')
    expect(res.headers.location).toBeUndefined()
  })

  it('a redirect URI the client did not register is refused without redirecting', async () => {
    const client = await registerClient(app, {
      redirect_uris: ['https://app.example/callback', REDIRECT_URI],
    })
    for (const redirectUri of [
      'https://evil.example/callback',
      'https://app.example/callback/extra',
      'https://app.example/callback?extra=1',
      'https://app.example:8443/callback',
      'http://app.example/callback',
      'http://127.0.0.1:33418/other',
      'http://192.168.1.2:33418/callback',
    ]) {
      const params = authorizeParams(client, pkce().challenge, { redirect_uri: redirectUri })
      const res = await app.inject({ method: 'GET', url: authorizeUrl(params) })
      expectOAuthError(res, 400, 'invalid_redirect_uri')
      expect(res.headers.location, redirectUri).toBeUndefined()
    }
  })

  it('a loopback redirect may use another port (RFC 8252), nothing else may change', async () => {
    const client = await registerClient(app)
    const id = await startAuthorization(
      app,
      authorizeParams(client, pkce().challenge, {
        redirect_uri: 'http://127.0.0.1:50123/callback',
      }),
    )
    expect(id.length).toBeGreaterThan(20)
  })

  it('a resource other than this MCP server is invalid_target (RFC 8707)', async () => {
    const client = await registerClient(app)
    const params = authorizeParams(client, pkce().challenge, {
      resource: 'https://other.example/api/v1/mcp',
    })
    const location = locationOf(await app.inject({ method: 'GET', url: authorizeUrl(params) }))
    expectErrorRedirect(location, params.state, 'invalid_target')
  })
})

describe('token endpoint: codes', () => {
  it('the wrong PKCE verifier is invalid_grant, and the code is used up', async () => {
    const { exchange } = await approvedCode()
    expectOAuthError(await exchange({ code_verifier: pkce().verifier }), 400, 'invalid_grant')
    expectOAuthError(await exchange(), 400, 'invalid_grant')
  })

  it('a missing verifier is refused', async () => {
    const { exchange } = await approvedCode()
    expectOAuthError(await exchange({ code_verifier: undefined }), 400, 'invalid_grant')
  })

  it('a redirect_uri other than the one authorized is refused', async () => {
    const { exchange } = await approvedCode()
    const res = await exchange({ redirect_uri: 'http://127.0.0.1:33418/callback/extra' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toMatch(/invalid_request|invalid_grant/)
  })

  it('a code is good once: reusing it fails and revokes what it gave', async () => {
    const { exchange, client } = await approvedCode()
    const first = await exchange()
    expect(first.statusCode, first.body).toBe(200)
    const { access_token: accessToken, refresh_token: refreshToken } = first.json()
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(accessToken) })
    expect(me.statusCode).toBe(200)

    expectOAuthError(await exchange(), 400, 'invalid_grant')
    const after = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(accessToken),
    })
    expect(after.statusCode).toBe(401)
    expect(problem(after).code).toBe('token_revoked')
    const refresh = await tokenRequest(app, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
    })
    expectOAuthError(refresh, 400, 'invalid_grant')
  })

  it('a code issued to one client cannot be exchanged by another', async () => {
    const { exchange } = await approvedCode()
    const other = await registerClient(app)
    expectOAuthError(await exchange({ client_id: other.clientId }), 400, 'invalid_grant')
  })

  it('a token request for another resource is invalid_target', async () => {
    const { exchange } = await approvedCode()
    expectOAuthError(
      await exchange({ resource: 'https://other.example/api/v1/mcp' }),
      400,
      'invalid_target',
    )
  })

  it('an expired code is refused', async () => {
    const { exchange, code } = await approvedCode()
    await app.db
      .update(oauthAuthorizations)
      .set({ codeExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthAuthorizations.codeHash, sha256Hex(code)))
    const res = await exchange()
    expectOAuthError(res, 400, 'invalid_grant')
    expect(res.json().error_description).toMatch(/expired/)
  })

  it('an unknown client, grant type or a JSON body is refused with RFC 6749 errors', async () => {
    const { exchange } = await approvedCode()
    expectOAuthError(await exchange({ client_id: 'tsc_nobody' }), 400, 'invalid_client')
    expectOAuthError(await exchange({ grant_type: 'password' }), 400, 'unsupported_grant_type')
    const json = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code' },
    })
    expect(json.statusCode).toBe(400)
  })
})

describe('consent', () => {
  it('denying sends the browser back with access_denied, state and iss, and no code', async () => {
    const session = await signedIn()
    const client = await registerClient(app)
    const params = authorizeParams(client, pkce().challenge)
    const id = await startAuthorization(app, params)
    const back = await decide(app, session, id, { approve: false })
    expectErrorRedirect(back, params.state, 'access_denied')
    // Answered once only.
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/oauth/requests/${id}`,
      headers: session.headers,
      payload: { approve: true },
    })
    expect(again.statusCode).toBe(409)
    expect(problem(again).code).toBe('oauth_request_decided')
  })

  it('write access cannot be granted to a client that asked for read only', async () => {
    const session = await signedIn()
    const client = await registerClient(app)
    const id = await startAuthorization(
      app,
      authorizeParams(client, pkce().challenge, { scope: 'read' }),
    )
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/oauth/requests/${id}`,
      headers: session.headers,
      payload: { approve: true, scopes: ['read', 'write'] },
    })
    expect(res.statusCode).toBe(400)
    expect(problem(res).code).toBe('invalid_scope')
  })

  it('an unknown or expired request id is refused', async () => {
    const session = await signedIn()
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/v1/oauth/requests/nope',
      headers: session.headers,
    })
    expect(unknown.statusCode).toBe(404)
    const client = await registerClient(app)
    const id = await startAuthorization(app, authorizeParams(client, pkce().challenge))
    await app.db
      .update(oauthAuthorizations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthAuthorizations.requestHash, sha256Hex(id)))
    const expired = await app.inject({
      method: 'GET',
      url: `/api/v1/oauth/requests/${id}`,
      headers: session.headers,
    })
    expect(expired.statusCode).toBe(410)
    expect(problem(expired).code).toBe('oauth_request_expired')
  })
})

describe('refresh tokens', () => {
  it('a replayed refresh token ends the grant: access and refresh tokens alike', async () => {
    const session = await signedIn()
    const { client, tokens } = await connectClient(app, session)
    const refresh = (token: string) =>
      tokenRequest(app, {
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: client.clientId,
      })
    const rotated = await refresh(tokens.refresh_token)
    expect(rotated.statusCode, rotated.body).toBe(200)
    const next = rotated.json() as { access_token: string; refresh_token: string }
    expect(next.refresh_token).not.toBe(tokens.refresh_token)

    expectOAuthError(await refresh(tokens.refresh_token), 400, 'invalid_grant')
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(next.access_token),
    })
    expect(me.statusCode).toBe(401)
    expect(problem(me).code).toBe('token_revoked')
    expectOAuthError(await refresh(next.refresh_token), 400, 'invalid_grant')
  })

  it('a refresh token is not an access token', async () => {
    const session = await signedIn()
    const { tokens } = await connectClient(app, session)
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(tokens.refresh_token),
    })
    expect(res.statusCode).toBe(401)
    expect(problem(res).code).toBe('token_malformed')
  })
})

describe('client registration', () => {
  it('refuses unsafe redirect URIs and confidential clients, per RFC 7591', async () => {
    for (const [uri, error] of [
      ['http://app.example/callback', 'invalid_redirect_uri'],
      ['https://app.example/callback#frag', 'invalid_redirect_uri'],
      ['javascript:alert(1)', 'invalid_redirect_uri'],
      ['not a uri', 'invalid_redirect_uri'],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/oauth/register',
        payload: { client_name: 'x', redirect_uris: [uri] },
      })
      expectOAuthError(res, 400, error)
    }
    const secretClient = await app.inject({
      method: 'POST',
      url: '/oauth/register',
      payload: {
        client_name: 'x',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    })
    expectOAuthError(secretClient, 400, 'invalid_client_metadata')
    const noUris = await app.inject({
      method: 'POST',
      url: '/oauth/register',
      payload: { client_name: 'x' },
    })
    expectOAuthError(noUris, 400, 'invalid_client_metadata')
  })

  it("accepts an app's own scheme and https redirect URIs", async () => {
    const client = await registerClient(app, {
      redirect_uris: [
        'vscode://tessera.tessera-vscode/callback',
        'https://claude.ai/api/mcp/auth_callback',
      ],
    })
    expect(client.redirectUri).toBe('vscode://tessera.tessera-vscode/callback')
  })
})

describe('the access token of a connected app', () => {
  it('cannot be rotated like a pasted token: its app renews it', async () => {
    const session = await signedIn()
    const { tokens } = await connectClient(app, session)
    const self = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens/self',
      headers: bearer(tokens.access_token),
    })
    const id = self.json().token.id as string
    const rotate = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${id}/rotate`,
      headers: session.headers,
    })
    expect(rotate.statusCode).toBe(409)
    expect(problem(rotate).code).toBe('token_managed_by_app')
    const selfRotate = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(tokens.access_token),
    })
    expect(problem(selfRotate).code).toBe('token_managed_by_app')
  })
})
