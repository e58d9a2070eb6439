import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { buildTestApp, problem } from './helper.js'

/** What Chromium and Firefox send when loading a page. */
const BROWSER_PAGE = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

let consoleDir: string
let app: App
beforeAll(async () => {
  // A stand-in for the built admin console: the API must not depend on it being built.
  consoleDir = await mkdtemp(join(tmpdir(), 'tessera-console-'))
  await mkdir(join(consoleDir, 'assets'))
  await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Tessera console</title>')
  await writeFile(join(consoleDir, 'assets', 'app.js'), 'console.log("tessera")')
  app = await buildTestApp({ consoleDir })
})
afterAll(async () => {
  await app.close()
  await rm(consoleDir, { recursive: true, force: true })
})

function expectConsolePage(res: LightMyRequestResponse, label: string) {
  expect(res.statusCode, label).toBe(200)
  expect(res.headers['content-type'], label).toContain('text/html')
  expect(res.body, label).toContain('Tessera console')
}

function expectNotFoundProblem(res: LightMyRequestResponse, label: string) {
  expect(res.statusCode, label).toBe(404)
  expect(res.headers['content-type'], label).toContain('application/problem+json')
  expect(res.body, label).not.toContain('<')
  expect(problem(res), label).toMatchObject({ status: 404, code: 'route_not_found' })
  expect(problem(res).detail, label).toMatch(/^No route [A-Z]+ \//)
}

describe('serving the admin console', () => {
  it('serves the console and its files on the same port as the API', async () => {
    const index = await app.inject({ method: 'GET', url: '/' })
    expectConsolePage(index, '/')
    const asset = await app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.body).toContain('tessera')
  })

  it('hashed assets are cached for good, the page itself is always revalidated', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const index = await app.inject({ method: 'GET', url: '/' })
    expect(index.headers['cache-control']).toBe('no-cache')
  })

  it('a browser loading a console page gets index.html, for the console’s own routing', async () => {
    for (const url of ['/tokens', '/admin/users', '/activity?via=api', '/projects/ABC', '/nope']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: BROWSER_PAGE } })
      expectConsolePage(res, url)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(res.headers.vary, url).toMatch(/accept/i)
    }
    const head = await app.inject({
      method: 'HEAD',
      url: '/tokens',
      headers: { accept: 'text/html' },
    })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-type']).toContain('text/html')
  })

  it('only browser page loads get the console: everything else no route serves is a JSON 404', async () => {
    const cases: [method: 'GET' | 'POST' | 'HEAD', url: string, accept?: string][] = [
      // What MCP clients (mcp-remote, the Inspector, VS Code) probe after a 401 and Tessera does
      // not serve (it serves RFC 9728 and RFC 8414 metadata at the root, see below): path-form
      // authorization server metadata, OpenID discovery, and the endpoints at their default paths.
      ['GET', '/.well-known/oauth-authorization-server/api/v1/mcp', 'application/json'],
      ['GET', '/.well-known/openid-configuration', 'application/json'],
      ['GET', '/api/v1/mcp/.well-known/openid-configuration', 'application/json'],
      ['POST', '/register', '*/*'],
      ['POST', '/token', 'application/json'],
      ['GET', '/authorize'],
      // Not the console's, even when a browser asks for HTML.
      ['GET', '/.well-known/openid-configuration', BROWSER_PAGE],
      ['GET', '/oauth/token', BROWSER_PAGE],
      ['GET', '/oauth/nope', BROWSER_PAGE],
      ['GET', '/register', BROWSER_PAGE],
      ['GET', '/authorize?client_id=x', BROWSER_PAGE],
      ['GET', '/token', BROWSER_PAGE],
      ['GET', '/api/unknown', BROWSER_PAGE],
      ['GET', '/api/v1/nope', BROWSER_PAGE],
      ['GET', '/api', BROWSER_PAGE],
      // Fetch clients and scripts, whatever the path.
      ['GET', '/api/unknown'],
      ['GET', '/unknown', 'application/json'],
      ['GET', '/unknown', '*/*'],
      ['GET', '/unknown'],
      ['GET', '/tokens', 'application/json'],
      ['GET', '/unknown', 'text/html;q=0, application/json'],
      ['POST', '/anything', BROWSER_PAGE],
      ['POST', '/tokens', BROWSER_PAGE],
      ['HEAD', '/unknown', 'application/json'],
      // Missing files are not pages.
      ['GET', '/assets/missing.js', BROWSER_PAGE],
      ['GET', '/favicon.ico', BROWSER_PAGE],
    ]
    for (const [method, url, accept] of cases) {
      const label = `${method} ${url} (Accept: ${accept ?? 'none'})`
      const res = await app.inject({ method, url, headers: accept ? { accept } : {} })
      if (method === 'HEAD') {
        expect(res.statusCode, label).toBe(404)
        expect(res.headers['content-type'], label).toContain('application/problem+json')
      } else {
        expectNotFoundProblem(res, label)
      }
    }
  })

  it('the OAuth metadata answers JSON, even to a browser asking for HTML', async () => {
    for (const url of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/api/v1/mcp',
      '/.well-known/oauth-authorization-server',
    ]) {
      for (const accept of [BROWSER_PAGE, 'application/json', '*/*']) {
        const res = await app.inject({ method: 'GET', url, headers: { accept } })
        expect(res.statusCode, url).toBe(200)
        expect(res.headers['content-type'], url).toContain('application/json')
        expect(res.body, url).not.toContain('<')
      }
    }
  })

  it('the consent page the authorization endpoint sends browsers to is a console page', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/oauth/consent?request=abc',
      headers: { accept: BROWSER_PAGE },
    })
    expectConsolePage(res, '/oauth/consent')
  })

  it('without a console, page paths are 404 problems too', async () => {
    const bare = await buildTestApp({ consoleDir: false })
    try {
      const res = await bare.inject({
        method: 'GET',
        url: '/tokens',
        headers: { accept: BROWSER_PAGE },
      })
      expectNotFoundProblem(res, 'GET /tokens')
    } finally {
      await bare.close()
    }
  })
})
