import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, userWithToken } from './helper.js'

/** What Chromium and Firefox send when loading a page. */
const BROWSER_PAGE = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

/** Headers that only mean something to a browser rendering a page. */
const PAGE_ONLY = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]

let consoleDir: string
let app: App
beforeAll(async () => {
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

function expectApiHeaders(res: LightMyRequestResponse, label: string) {
  expect(res.headers['content-type'], label).toMatch(/^application\/(problem\+)?json/)
  expect(res.headers['x-content-type-options'], label).toBe('nosniff')
  expect(res.headers['x-frame-options'], label).toBe('DENY')
  for (const name of PAGE_ONLY) expect(res.headers[name], `${label}: ${name}`).toBeUndefined()
}

function expectPageHeaders(res: LightMyRequestResponse, label: string) {
  expect(res.statusCode, label).toBe(200)
  expect(res.headers['content-type'], label).toContain('text/html')
  const csp = String(res.headers['content-security-policy'])
  expect(csp, label).toContain("default-src 'self'")
  expect(csp, label).toContain("frame-ancestors 'none'")
  expect(csp, label).not.toContain('upgrade-insecure-requests')
  expect(res.headers['x-frame-options'], label).toBe('DENY')
  expect(res.headers['x-content-type-options'], label).toBe('nosniff')
  expect(res.headers['cross-origin-opener-policy'], label).toBe('same-origin')
  expect(res.headers['cross-origin-resource-policy'], label).toBe('same-origin')
  expect(res.headers['referrer-policy'], label).toBe('no-referrer')
}

describe('security headers', () => {
  it('JSON answers carry the small set: nosniff and no framing, no CSP or page headers', async () => {
    for (const url of ['/healthz', '/api/v1/healthz', '/api/v1/me', '/api/v1/nope']) {
      const res = await app.inject({ method: 'GET', url })
      expectApiHeaders(res, url)
    }
  })

  it('authenticated answers are never stored by a cache; public ones say nothing about it', async () => {
    const { token, session } = await userWithToken(app)
    for (const headers of [bearer(token.secret), { cookie: session.cookie }]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers })
      expect(res.statusCode).toBe(200)
      expectApiHeaders(res, 'GET /api/v1/me')
      expect(res.headers['cache-control']).toBe('no-store')
    }
    const open = await app.inject({ method: 'GET', url: '/healthz' })
    expect(open.headers['cache-control']).toBeUndefined()
  })

  it("the console's pages carry the CSP and the browser-facing set, framing refused", async () => {
    expectPageHeaders(await app.inject({ method: 'GET', url: '/' }), '/')
    const fallback = await app.inject({
      method: 'GET',
      url: '/tokens',
      headers: { accept: BROWSER_PAGE },
    })
    expectPageHeaders(fallback, '/tokens')
    expect(fallback.headers['content-security-policy']).toContain("script-src 'self'")
    // The console's caching rules stand: hashed files for good, the page always revalidated.
    expect(fallback.headers['cache-control']).toBe('no-cache')
    const asset = await app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(asset.headers['x-content-type-options']).toBe('nosniff')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('the API docs page carries its own CSP, framing refused', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/docs',
      headers: { accept: BROWSER_PAGE },
    })
    expectPageHeaders(res, '/api/docs')
    const csp = String(res.headers['content-security-policy'])
    // Swagger UI's inline styles are allowed (the browser reports a violation otherwise, see the
    // console's browser tests); its scripts stay its own.
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline'(;|$)/)
    expect(csp).toMatch(/script-src 'self'/)
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).not.toContain('upgrade-insecure-requests')
  })

  it('Strict-Transport-Security only when the server is reached over HTTPS', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).headers).not.toHaveProperty(
      'strict-transport-security',
    )
    const secure = await buildTestApp({ publicUrl: 'https://tessera.example.test' })
    try {
      for (const url of ['/healthz', '/api/docs']) {
        const res = await secure.inject({ method: 'GET', url, headers: { accept: BROWSER_PAGE } })
        expect(res.headers['strict-transport-security'], url).toMatch(/^max-age=\d+/)
      }
    } finally {
      await secure.close()
    }
  })
})
