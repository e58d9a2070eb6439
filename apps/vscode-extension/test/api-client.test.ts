import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ERROR_HINTS } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTesseraClient } from '../src/api-client.js'
import { type FakeTessera, reply, startFakeTessera } from './support/fake-tessera.js'
import { closedPort } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

const client = () => createTesseraClient({ serverUrl: tessera.url, timeoutMs: 3000 })

describe('REST client: answers from Tessera', () => {
  it('reads the token and its owner for a valid token, sending it as a Bearer header', async () => {
    const token = tessera.issue({ name: 'laptop', userName: 'Grace Hopper' })
    const self = await client().tokenSelf(token)
    const me = await client().me(token)
    expect(self).toMatchObject({ ok: true, value: { token: { name: 'laptop', status: 'active' } } })
    expect(me).toMatchObject({ ok: true, value: { user: { name: 'Grace Hopper' } } })
    expect(tessera.requests.at(-1)?.authorization).toBe(`Bearer ${token}`)
  })

  it("returns the server's code, detail and hint when it refuses the token", async () => {
    const token = tessera.issue()
    tessera.revoke(token)
    const result = await client().tokenSelf(token)
    expect(result).toEqual({
      ok: false,
      failure: {
        kind: 'rejected',
        status: 401,
        code: 'token_revoked',
        message: ERROR_HINTS.token_revoked.message,
        hint: expect.stringContaining('console'),
      },
    })
  })

  it('rotates: the new secret works and the old one is refused at once', async () => {
    const token = tessera.issue()
    const rotated = await client().rotateSelf(token)
    if (!rotated.ok) throw new Error('rotation failed')
    expect(rotated.value.secret).toMatch(/^tsr_/)
    expect(rotated.value.secret).not.toBe(token)
    expect((await client().tokenSelf(rotated.value.secret)).ok).toBe(true)
    expect(await client().tokenSelf(token)).toMatchObject({
      ok: false,
      failure: { code: 'token_invalid' },
    })
  })

  it('recognises a Tessera server by its 401 without a token, and sends no token while probing', async () => {
    expect(await client().probe()).toEqual({ ok: true, value: undefined })
    expect(tessera.requests.at(-1)).toMatchObject({ path: '/api/v1/me', authorization: undefined })
  })

  it('reports rate limiting with the wait the server asks for', async () => {
    tessera.overrideOnce(
      '/api/v1/tokens/self',
      reply.json(429, {
        status: 429,
        code: 'rate_limited',
        message: 'Too many',
        details: { retryAfterSeconds: 42 },
      }),
    )
    expect(await client().tokenSelf(tessera.issue())).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', status: 429, code: 'rate_limited', retryAfterSeconds: 42 },
    })
  })
})

describe('REST client: answers that are not Tessera', () => {
  it('reports a redirect with its target instead of following it', async () => {
    tessera.overrideOnce('/api/v1/me', reply.redirect('https://tessera.example.com/api/v1/me'))
    expect(await client().probe()).toEqual({
      ok: false,
      failure: {
        kind: 'redirect',
        url: `${tessera.url}/api/v1/me`,
        status: 301,
        location: 'https://tessera.example.com/api/v1/me',
      },
    })
  })

  it('says "not Tessera" for an HTML page, a 404 without a Tessera body, or a 200 to the probe', async () => {
    tessera.overrideOnce(
      '/api/v1/tokens/self',
      reply.html(200, '<html>Sign in to the proxy</html>'),
    )
    expect(await client().tokenSelf(tessera.issue())).toMatchObject({
      ok: false,
      failure: { kind: 'not_tessera', status: 200 },
    })
    tessera.overrideOnce('/api/v1/me', reply.html(404, 'Not Found'))
    expect(await client().probe()).toMatchObject({
      ok: false,
      failure: { kind: 'not_tessera', status: 404 },
    })
    tessera.overrideOnce('/api/v1/me', reply.json(200, { hello: 'world' }))
    expect(await client().probe()).toMatchObject({
      ok: false,
      failure: { kind: 'not_tessera', status: 200 },
    })
  })

  it('reports a server error with its status', async () => {
    tessera.overrideOnce(
      '/api/v1/tokens/self',
      reply.json(500, { status: 500, code: 'internal_error', message: 'x' }),
    )
    expect(await client().tokenSelf(tessera.issue())).toMatchObject({
      ok: false,
      failure: { kind: 'server_error', status: 500, code: 'internal_error' },
    })
  })
})

describe('REST client: network failures', () => {
  it('says "unreachable" with the system error code when nothing listens', async () => {
    const port = await closedPort()
    const result = await createTesseraClient({ serverUrl: `http://127.0.0.1:${port}` }).probe()
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'unreachable', errorCode: 'ECONNREFUSED' },
    })
  })

  it('gives up after the timeout when the server never answers', async () => {
    const silent = createHttpServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = silent.address() as AddressInfo
      const result = await createTesseraClient({
        serverUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 200,
      }).probe()
      expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout' } })
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  describe('with a self-signed HTTPS server', () => {
    let dir: string
    let server: ReturnType<typeof createHttpsServer>
    let url: string
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'))
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      )
      server = createHttpsServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (_q, s) => {
          s.writeHead(401, { 'content-type': 'application/json' })
          s.end('{"status":401,"code":"token_missing","message":"No API token was sent."}')
        },
      )
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `https://localhost:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => {
      server.closeAllConnections()
      server.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('says the certificate is not trusted, naming the TLS error', async () => {
      expect(await createTesseraClient({ serverUrl: url }).probe()).toMatchObject({
        ok: false,
        failure: { kind: 'certificate', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      })
    })

    it('says the port does not speak TLS when https is used against plain http', async () => {
      const result = await createTesseraClient({
        serverUrl: tessera.url.replace('http:', 'https:'),
      }).probe()
      expect(result).toMatchObject({ ok: false, failure: { kind: 'unreachable' } })
      if (!result.ok && result.failure.kind === 'unreachable') {
        expect(result.failure.errorCode).toMatch(/SSL|EPROTO/)
      }
    })
  })
})
