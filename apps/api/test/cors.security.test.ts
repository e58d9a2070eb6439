import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { CORS_ROUTES } from '../src/plugins/cors.js'
import { buildTestApp, problem, userWithToken } from './helper.js'
import { registerClient } from './oauth.fixtures.js'

/**
 * CORS for browser-based MCP clients: the MCP endpoint, OAuth discovery and the OAuth endpoints a
 * client calls answer any origin, never with credentials; the console's cookie routes stay
 * same-origin, and the host check still comes first.
 */
const PAGE = 'https://mcp-client.example.test'
let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

function preflight(url: string, method: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin: PAGE,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
      ...headers,
    },
  })
}

function expectNoCors(res: LightMyRequestResponse, label: string) {
  for (const name of Object.keys(res.headers)) {
    expect(name.startsWith('access-control-'), `${label}: ${name}`).toBe(false)
  }
}

describe('CORS for browser-based MCP clients', () => {
  it('every CORS path answers a preflight from any origin, without credentials', async () => {
    for (const [path, methods] of CORS_ROUTES) {
      const method = methods.includes('POST') ? 'POST' : 'GET'
      const res = await preflight(path, method)
      expect(res.statusCode, path).toBe(204)
      expect(res.headers['access-control-allow-origin'], path).toBe('*')
      expect(res.headers['access-control-allow-methods'], path).toBe(methods)
      expect(String(res.headers['access-control-allow-headers']), path).toContain('authorization')
      expect(res.headers['access-control-allow-credentials'], path).toBeUndefined()
    }
  })

  it('the 401 that starts OAuth is readable by the page, challenge included', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      headers: { origin: PAGE, 'content-type': 'application/json' },
      payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    })
    expect(res.statusCode).toBe(401)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    const exposed = String(res.headers['access-control-expose-headers'])
    expect(exposed).toContain('www-authenticate')
    expect(exposed).toContain('mcp-session-id')
    expect(res.headers['www-authenticate']).toContain('resource_metadata=')
  })

  it('discovery, registration, token and revocation answers carry CORS headers', async () => {
    for (const url of [
      '/.well-known/oauth-protected-resource/api/v1/mcp',
      '/.well-known/oauth-authorization-server',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { origin: PAGE } })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['access-control-allow-origin'], url).toBe('*')
    }
    const registered = await app.inject({
      method: 'POST',
      url: '/oauth/register',
      headers: { origin: PAGE },
      payload: { client_name: 'Web client', redirect_uris: [`${PAGE}/callback`] },
    })
    expect(registered.statusCode, registered.body).toBe(201)
    expect(registered.headers['access-control-allow-origin']).toBe('*')
    const client = await registerClient(app)
    for (const url of ['/oauth/token', '/oauth/revoke']) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { origin: PAGE, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: 'tsrf_unknown',
          token: 'tsrf_unknown',
          client_id: client.clientId,
        }).toString(),
      })
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500)
      expect(res.headers['access-control-allow-origin'], url).toBe('*')
    }
  })

  it('a page calls the MCP endpoint with a token it was given', async () => {
    const { token } = await userWithToken(app)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      headers: {
        origin: PAGE,
        authorization: `Bearer ${token.secret}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['access-control-allow-credentials']).toBeUndefined()
  })
})

describe('what CORS leaves alone', () => {
  it("the console's cookie routes, the consent API and the authorization page get no CORS", async () => {
    const { session } = await userWithToken(app)
    for (const [method, url] of [
      ['GET', '/api/v1/me'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/tokens'],
      ['GET', '/api/v1/oauth/requests/abc'],
      ['POST', '/api/v1/oauth/requests/abc'],
      ['GET', '/api/v1/admin/oauth/settings'],
      ['GET', '/oauth/authorize'],
    ] as const) {
      const asked = await preflight(url, method)
      expect(asked.statusCode, `preflight ${url}`).toBe(404)
      expectNoCors(asked, `preflight ${url}`)
      const res = await app.inject({ method, url, headers: { origin: PAGE, ...session.headers } })
      expectNoCors(res, `${method} ${url}`)
    }
  })

  it('a cookie write from a foreign page is still refused (CSRF), with or without a preflight', async () => {
    const { session } = await userWithToken(app)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, origin: PAGE },
      payload: { name: 'from a foreign page' },
    })
    expect(res.statusCode).toBe(403)
    expect(problem(res).code).toBe('origin_not_allowed')
    expectNoCors(res, 'POST /api/v1/tokens')
  })

  it('the host check comes first: a rebound host name gets 403, preflight included', async () => {
    const rebound = { host: 'rebind.attacker.example:4131' }
    const asked = await preflight('/api/v1/mcp', 'POST', rebound)
    expect(asked.statusCode).toBe(403)
    expect(problem(asked).code).toBe('host_not_allowed')
    expectNoCors(asked, 'preflight from a rebound host')
    const res = await app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
      headers: { ...rebound, origin: PAGE },
    })
    expect(res.statusCode).toBe(403)
    expectNoCors(res, 'metadata from a rebound host')
  })
})
