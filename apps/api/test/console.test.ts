import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { buildTestApp, problem } from './helper.js'

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

describe('serving the admin console', () => {
  it('serves the console and its files on the same port as the API', async () => {
    const index = await app.inject({ method: 'GET', url: '/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['content-type']).toContain('text/html')
    expect(index.body).toContain('Tessera console')
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

  it('answers console page paths with index.html, for the console’s own routing', async () => {
    for (const url of ['/tokens', '/admin/users', '/activity?via=api']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toContain('Tessera console')
    }
  })

  it('unknown API routes, missing files and other methods still get a 404 problem', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nope'],
      ['GET', '/api/nope'],
      ['GET', '/assets/missing.js'],
      ['POST', '/tokens'],
    ] as const) {
      const res = await app.inject({ method, url })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(problem(res).code).toBe('route_not_found')
    }
  })

  it('without a console, page paths are 404 problems too', async () => {
    const bare = await buildTestApp({ consoleDir: false })
    try {
      const res = await bare.inject({ method: 'GET', url: '/tokens' })
      expect(res.statusCode).toBe(404)
      expect(problem(res).code).toBe('route_not_found')
    } finally {
      await bare.close()
    }
  })
})
