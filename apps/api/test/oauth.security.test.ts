import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { OAuthClient } from '../src/contract/index.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  problem,
  type Session,
  signIn,
  userWithToken,
} from './helper.js'
import { refusedToken } from './mcp.fixtures.js'
import {
  authorizeParams,
  authorizeUrl,
  connectClient,
  expectOAuthError,
  pkce,
  REDIRECT_URI,
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

const mcpInit = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  },
}

describe('discovery: metadata and the 401 challenge', () => {
  it('protected resource metadata names the MCP endpoint under TESSERA_PUBLIC_URL', async () => {
    const hosted = await buildTestApp({ publicUrl: 'https://tessera.example' })
    try {
      for (const url of [
        '/.well-known/oauth-protected-resource',
        '/.well-known/oauth-protected-resource/api/v1/mcp',
      ]) {
        const res = await hosted.inject({
          method: 'GET',
          url,
          headers: { host: 'tessera.example' },
        })
        expect(res.statusCode, url).toBe(200)
        expect(res.headers['content-type']).toContain('application/json')
        expect(res.json()).toEqual({
          resource: 'https://tessera.example/api/v1/mcp',
          authorization_servers: ['https://tessera.example'],
          scopes_supported: ['read', 'write'],
          bearer_methods_supported: ['header'],
          resource_name: 'Tessera',
        })
      }
      const as = await hosted.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        headers: { host: 'tessera.example' },
      })
      expect(as.json()).toMatchObject({
        issuer: 'https://tessera.example',
        authorization_endpoint: 'https://tessera.example/oauth/authorize',
        token_endpoint: 'https://tessera.example/oauth/token',
        registration_endpoint: 'https://tessera.example/oauth/register',
        revocation_endpoint: 'https://tessera.example/oauth/revoke',
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
        scopes_supported: ['read', 'write'],
      })
    } finally {
      await hosted.close()
    }
  })

  it('every 401 from the MCP endpoint points to the metadata and keeps the reason', async () => {
    const refused = await refusedToken(app, 'revoked')
    const cases = [
      { headers: {}, code: 'token_missing', error: '' },
      {
        headers: bearer(refused.secret),
        code: refused.code,
        error: `, error="invalid_token", error_description="${refused.message}"`,
      },
    ]
    for (const { headers, code, error } of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/mcp',
        headers: { ...mcpInit, ...headers },
        payload: initialize,
      })
      expect(res.statusCode).toBe(401)
      expect(res.headers['www-authenticate']).toBe(
        `Bearer realm="tessera", resource_metadata="http://localhost:80/.well-known/oauth-protected-resource/api/v1/mcp", scope="read write"${error}`,
      )
      expect(problem(res).code).toBe(code)
      expect(problem(res).hint?.length).toBeGreaterThan(0)
    }
  })

  it('a missing scope is a 403 whose challenge names the scope (step-up)', async () => {
    const { token } = await userWithToken(app, 'member', { name: 'ro', scopes: ['read'] })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(token.secret),
      payload: { key: 'NOPE', name: 'x' },
    })
    expect(res.statusCode).toBe(403)
    expect(problem(res).code).toBe('insufficient_scope')
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="tessera", error="insufficient_scope", scope="write"',
    )
  })
})

describe('registration', () => {
  it('a flood of registrations from one address is cut off with 429', async () => {
    const limited = await buildTestApp({
      failureLimits: {
        unknownCredentials: { max: 100_000, windowMs: 60_000 },
        signIn: { max: 100_000, windowMs: 60_000 },
        clientRegistrations: { max: 3, windowMs: 60_000 },
      },
    })
    try {
      for (let i = 0; i < 3; i++) await registerClient(limited)
      const res = await limited.inject({
        method: 'POST',
        url: '/oauth/register',
        payload: { client_name: 'flood', redirect_uris: [REDIRECT_URI] },
      })
      expect(res.statusCode).toBe(429)
      expect(problem(res).code).toBe('rate_limited')
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
      // Another address is not affected.
      const other = await limited.inject({
        method: 'POST',
        url: '/oauth/register',
        remoteAddress: '10.9.8.7',
        payload: { client_name: 'elsewhere', redirect_uris: [REDIRECT_URI] },
      })
      expect(other.statusCode).toBe(201)
    } finally {
      await limited.close()
    }
  })

  it('a flood of authorization requests from one address is cut off with 429', async () => {
    const limited = await buildTestApp({
      failureLimits: {
        unknownCredentials: { max: 100_000, windowMs: 60_000 },
        signIn: { max: 100_000, windowMs: 60_000 },
        authorizationRequests: { max: 2, windowMs: 60_000 },
      },
    })
    try {
      const client = await registerClient(limited)
      for (let i = 0; i < 2; i++) {
        await startAuthorization(limited, authorizeParams(client, pkce().challenge))
      }
      const res = await limited.inject({
        method: 'GET',
        url: authorizeUrl(authorizeParams(client, pkce().challenge)),
      })
      expect(res.statusCode).toBe(429)
      expect(problem(res).code).toBe('rate_limited')
      expect(res.headers.location).toBeUndefined()
    } finally {
      await limited.close()
    }
  })

  it('a revoked token sent along is refused with its reason, not registered', async () => {
    const refused = await refusedToken(app, 'revoked')
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/register',
      headers: bearer(refused.secret),
      payload: { client_name: 'mcp-remote', redirect_uris: [REDIRECT_URI] },
    })
    expect(res.statusCode).toBe(401)
    expect(problem(res).code).toBe('token_revoked')
  })

  it('answers only to the server’s own host names', async () => {
    for (const url of ['/oauth/register', '/.well-known/oauth-authorization-server']) {
      const res = await app.inject({
        method: url.startsWith('/oauth') ? 'POST' : 'GET',
        url,
        headers: { host: 'rebound.example' },
        payload: { client_name: 'x', redirect_uris: [REDIRECT_URI] },
      })
      expect(res.statusCode, url).toBe(403)
      expect(problem(res).code).toBe('host_not_allowed')
    }
  })
})

describe('the consent API', () => {
  async function pendingRequest() {
    const client = await registerClient(app)
    return startAuthorization(app, authorizeParams(client, pkce().challenge))
  }

  it('needs a console session: API tokens cannot approve clients', async () => {
    const { token } = await userWithToken(app)
    const id = await pendingRequest()
    for (const method of ['GET', 'POST'] as const) {
      const res = await app.inject({
        method,
        url: `/api/v1/oauth/requests/${id}`,
        headers: bearer(token.secret),
        ...(method === 'POST' ? { payload: { approve: true } } : {}),
      })
      expect(res.statusCode).toBe(403)
      expect(problem(res).code).toBe('session_required')
    }
    const anonymous = await app.inject({ method: 'GET', url: `/api/v1/oauth/requests/${id}` })
    expect(anonymous.statusCode).toBe(401)
  })

  it('approving needs the CSRF token and a same-origin Origin', async () => {
    const session = await signIn(app, await createTestUser(app))
    const id = await pendingRequest()
    const noCsrf = await app.inject({
      method: 'POST',
      url: `/api/v1/oauth/requests/${id}`,
      headers: { cookie: session.cookie },
      payload: { approve: true },
    })
    expect(problem(noCsrf).code).toBe('csrf_invalid')
    const crossSite = await app.inject({
      method: 'POST',
      url: `/api/v1/oauth/requests/${id}`,
      headers: { ...session.headers, origin: 'https://evil.example' },
      payload: { approve: true },
    })
    expect(problem(crossSite).code).toBe('origin_not_allowed')
  })
})

describe('failure limits', () => {
  it('guessing codes at the token endpoint is limited like guessing tokens', async () => {
    const limited = await buildTestApp({
      failureLimits: {
        unknownCredentials: { max: 3, windowMs: 60_000 },
        signIn: { max: 100_000, windowMs: 60_000 },
      },
    })
    try {
      const client = await registerClient(limited)
      const guess = (code: string) =>
        tokenRequest(limited, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: client.redirectUri,
          client_id: client.clientId,
          code_verifier: pkce().verifier,
        })
      for (let i = 0; i < 3; i++) expectOAuthError(await guess(`guess-${i}`), 400, 'invalid_grant')
      const res = await guess('guess-4')
      expect(res.statusCode).toBe(429)
    } finally {
      await limited.close()
    }
  })
})

describe('administration', () => {
  let admin: App
  let adminSession: Session
  beforeAll(async () => {
    admin = await buildIsolatedApp()
    adminSession = await signIn(admin, await createTestUser(admin, 'admin'))
  })
  afterAll(async () => {
    await admin.close()
  })

  const putOAuth = (body: { enabled: boolean; clientApprovalRequired: boolean }) =>
    admin.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth/settings',
      headers: adminSession.headers,
      payload: body,
    })

  it('OAuth turned off: no metadata, no registration, no authorization, no refresh', async () => {
    const member = await signIn(admin, await createTestUser(admin))
    const { client, tokens } = await connectClient(admin, member)
    expect((await putOAuth({ enabled: false, clientApprovalRequired: false })).statusCode).toBe(200)
    try {
      for (const url of [
        '/.well-known/oauth-protected-resource',
        '/.well-known/oauth-protected-resource/api/v1/mcp',
        '/.well-known/oauth-authorization-server',
      ]) {
        const res = await admin.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(404)
      }
      const register = await admin.inject({
        method: 'POST',
        url: '/oauth/register',
        payload: { client_name: 'x', redirect_uris: [REDIRECT_URI] },
      })
      expectOAuthError(register, 403, 'oauth_disabled')
      const authorize = await admin.inject({
        method: 'GET',
        url: authorizeUrl(authorizeParams(client, pkce().challenge)),
      })
      expectOAuthError(authorize, 403, 'oauth_disabled')
      expect(authorize.headers.location).toBeUndefined()
      const refresh = await tokenRequest(admin, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: client.clientId,
      })
      expectOAuthError(refresh, 403, 'oauth_disabled')
      // The MCP endpoint no longer invites clients to OAuth.
      const mcp = await admin.inject({
        method: 'POST',
        url: '/api/v1/mcp',
        headers: mcpInit,
        payload: initialize,
      })
      expect(mcp.statusCode).toBe(401)
      expect(mcp.headers['www-authenticate']).toBe('Bearer realm="tessera"')
    } finally {
      expect((await putOAuth({ enabled: true, clientApprovalRequired: false })).statusCode).toBe(
        200,
      )
    }
    const again = await tokenRequest(admin, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: client.clientId,
    })
    expect(again.statusCode, again.body).toBe(200)
  })

  it('new clients can be held for approval; a blocked client is disconnected at once', async () => {
    const member = await signIn(admin, await createTestUser(admin))
    const connected = await connectClient(admin, member)
    expect((await putOAuth({ enabled: true, clientApprovalRequired: true })).statusCode).toBe(200)
    try {
      const client = await registerClient(admin, { client_name: 'Newcomer' })
      const params = authorizeParams(client, pkce().challenge)
      const pending = await admin.inject({ method: 'GET', url: authorizeUrl(params) })
      expectOAuthError(pending, 403, 'unauthorized_client')
      const list = await admin.inject({
        method: 'GET',
        url: '/api/v1/admin/oauth/clients',
        headers: adminSession.headers,
      })
      const listed = (list.json().clients as OAuthClient[]).find(
        (c) => c.clientId === client.clientId,
      )
      expect(listed).toMatchObject({
        name: 'Newcomer',
        status: 'pending',
        redirectUris: [REDIRECT_URI],
      })
      const approve = await admin.inject({
        method: 'PATCH',
        url: `/api/v1/admin/oauth/clients/${listed?.id}`,
        headers: adminSession.headers,
        payload: { approved: true },
      })
      expect(approve.json().client.status).toBe('active')
      await startAuthorization(admin, params)
    } finally {
      await putOAuth({ enabled: true, clientApprovalRequired: false })
    }

    const clients = (
      await admin.inject({
        method: 'GET',
        url: '/api/v1/admin/oauth/clients',
        headers: adminSession.headers,
      })
    ).json().clients as OAuthClient[]
    const target = clients.find((c) => c.clientId === connected.client.clientId)
    const block = await admin.inject({
      method: 'PATCH',
      url: `/api/v1/admin/oauth/clients/${target?.id}`,
      headers: adminSession.headers,
      payload: { blocked: true },
    })
    expect(block.json().client.status).toBe('blocked')
    const me = await admin.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(connected.tokens.access_token),
    })
    expect(problem(me).code).toBe('token_revoked')
    const authorize = await admin.inject({
      method: 'GET',
      url: authorizeUrl(authorizeParams(connected.client, pkce().challenge)),
    })
    expectOAuthError(authorize, 403, 'unauthorized_client')
  })
})
