import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { issueSetupCode } from '../src/services/setup/code.js'
import { buildTestApp, PASSWORD, problem } from './helper.js'

describe('Host names: DNS rebinding cannot reach the server', () => {
  let empty: App
  beforeAll(async () => {
    // A fresh server with no users: what a rebinding page would try to claim.
    empty = await buildTestApp({ database: { driver: 'pglite' } })
  })
  afterAll(async () => {
    await empty.close()
  })

  const rebound = 'rebind.attacker.example:4131'

  it('first-run setup from a rebound name is refused, even with the right code and a matching Origin', async () => {
    const setupCode = await issueSetupCode(empty.db)
    const res = await empty.inject({
      method: 'POST',
      url: '/api/v1/setup',
      headers: { host: rebound, origin: `http://${rebound}` },
      payload: { email: 'attacker@example.test', name: 'Attacker', password: PASSWORD, setupCode },
    })
    expect(res.statusCode).toBe(403)
    expect(problem(res)).toMatchObject({ code: 'host_not_allowed' })
    expect(problem(res).hint).toContain('TESSERA_ALLOWED_HOSTS')
    expect((await empty.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
      needsSetup: true,
    })
  })

  it('every kind of route refuses a foreign Host: REST, MCP, sign-in, the console, the docs', async () => {
    const requests = [
      { method: 'GET' as const, url: '/api/v1/setup' },
      { method: 'GET' as const, url: '/api/v1/me' },
      {
        method: 'POST' as const,
        url: '/api/v1/auth/login',
        payload: { email: 'a@b.c', password: 'x' },
      },
      {
        method: 'POST' as const,
        url: '/api/v1/mcp',
        payload: { jsonrpc: '2.0', id: 1, method: 'ping' },
      },
      { method: 'GET' as const, url: '/' },
      { method: 'GET' as const, url: '/api/docs' },
      { method: 'GET' as const, url: '/api/docs/json' },
    ]
    for (const request of requests) {
      const res = await empty.inject({ ...request, headers: { host: rebound } })
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(problem(res).code).toBe('host_not_allowed')
    }
  })

  it('loopback names and IP addresses are accepted; health checks answer any Host', async () => {
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1:3000',
      '[::1]:3000',
      '10.1.2.3',
      'app.localhost:80',
    ]) {
      const res = await empty.inject({ method: 'GET', url: '/api/v1/setup', headers: { host } })
      expect(res.statusCode, host).toBe(200)
    }
    const health = await empty.inject({
      method: 'GET',
      url: '/healthz',
      headers: { host: rebound },
    })
    expect(health.statusCode).toBe(200)
  })

  it("the public URL's host and TESSERA_ALLOWED_HOSTS are accepted, nothing else", async () => {
    const app = await buildTestApp({
      publicUrl: 'https://tessera.example.com',
      allowedHosts: ['tessera.lan', '.corp.example'],
    })
    try {
      const status = async (host: string) =>
        (await app.inject({ method: 'GET', url: '/api/v1/setup', headers: { host } })).statusCode
      expect(await status('tessera.example.com')).toBe(200)
      expect(await status('TESSERA.example.com:443')).toBe(200)
      expect(await status('tessera.lan:3000')).toBe(200)
      expect(await status('team.corp.example')).toBe(200)
      expect(await status('corp.example')).toBe(403)
      expect(await status('tessera.example.com.evil.example')).toBe(403)
      expect(await status('evil-tessera.lan')).toBe(403)
    } finally {
      await app.close()
    }
  })

  it('a real server on a socket refuses a rebound Host header', async () => {
    await empty.listen({ port: 0, host: '127.0.0.1' })
    const address = empty.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const send = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/api/v1/setup', headers: { host } },
          (res) => {
            let body = ''
            res.on('data', (chunk) => {
              body += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
          },
        )
        req.on('error', reject)
        req.end()
      })
    const refused = await send(rebound)
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.body).code).toBe('host_not_allowed')
    expect((await send(`127.0.0.1:${port}`)).status).toBe(200)
  })
})
