/**
 * The extension's HTTP client and flows against the real Tessera API (apps/api/dist/server.js)
 * on a loopback port, with a fresh embedded database and real tokens made through the API.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateToken } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTesseraClient } from '../../src/api-client.js'
import { createExpiryWatcher } from '../../src/expiry.js'
import { createMcpProvider, type HttpDefinitionLike } from '../../src/mcp-provider.js'
import { checkToken } from '../../src/token-check.js'
import { SECRET_KEY } from '../../src/token-store.js'
import { createHarness } from '../support/harness.js'
import {
  type RealApi,
  realApiAvailable,
  removeDataDir,
  signInAsAdmin,
  startRealApi,
} from '../support/real-api.js'

const DAY = 86_400_000

// Boot once up front: these tests prove the extension against the real server, so a server that
// is missing or does not start is a failure, never a skip.
const boot: { api: RealApi } | { reason: string } = !realApiAvailable()
  ? { reason: 'apps/api/dist/server.js is not built' }
  : await startRealApi().then(
      (api) => ({ api }),
      (error: unknown) => ({ reason: String(error) }),
    )
if ('reason' in boot) throw new Error(`The real API is needed for these tests: ${boot.reason}`)

describe('against the real Tessera API', () => {
  let api: RealApi
  let admin: Awaited<ReturnType<typeof signInAsAdmin>>
  const client = () => createTesseraClient({ serverUrl: api.url })

  beforeAll(async () => {
    if (!('api' in boot)) return
    api = boot.api
    admin = await signInAsAdmin(api.url)
  })
  afterAll(async () => {
    if (!('api' in boot)) return
    await boot.api.stop()
    removeDataDir(boot.api.dataDir)
  })

  it('recognises the server, without sending any token', async () => {
    expect(await client().probe()).toEqual({ ok: true, value: undefined })
  })

  it('a valid token: connected as its owner, with its name and expiry', async () => {
    const { secret } = await admin.createToken('vscode laptop', 30)
    const result = await checkToken(client(), secret)
    expect(result).toMatchObject({
      ok: true,
      identity: {
        userEmail: 'ada@example.com',
        tokenName: 'vscode laptop',
        tokenPrefix: secret.slice(0, 10),
      },
    })
    if (result.ok)
      expect(Date.parse(result.identity.expiresAt ?? '')).toBeGreaterThan(Date.now() + 29 * DAY)
  })

  it('a revoked token: refused with token_revoked and the server’s hint', async () => {
    const { token, secret } = await admin.createToken('to revoke')
    await admin.revokeToken(token.id)
    expect(await checkToken(client(), secret)).toEqual({
      ok: false,
      failure: {
        kind: 'rejected',
        status: 401,
        code: 'token_revoked',
        message: expect.any(String),
        hint: expect.any(String),
      },
    })
  })

  it('a well-formed token this server never issued: refused with token_invalid', async () => {
    expect(await checkToken(client(), generateToken())).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', status: 401, code: 'token_invalid' },
    })
  })

  it('rotation: the new secret works, the old one is refused at once', async () => {
    const { secret } = await admin.createToken('to rotate', 10)
    const rotated = await client().rotateSelf(secret)
    if (!rotated.ok) throw new Error(JSON.stringify(rotated.failure))
    expect(rotated.value.token.name).toBe('to rotate')
    expect((await checkToken(client(), rotated.value.secret)).ok).toBe(true)
    expect(await checkToken(client(), secret)).toMatchObject({
      ok: false,
      failure: { code: 'token_invalid' },
    })
  })

  it('connect flow: stores the token, and the MCP definition it resolves is accepted by /api/v1/mcp', async () => {
    const { secret } = await admin.createToken('flow')
    const h = createHarness()
    h.ui.type(api.url, secret)
    expect(await h.app.commands['tessera.connect']()).toBe(true)
    expect(h.ui.messages('info')).toEqual([
      expect.stringMatching(/^Connected to .* as ada \(ada@example\.com\) with token "flow"/),
    ])

    const provider = createMcpProvider<HttpDefinitionLike>({
      connection: h.app.connection,
      ui: h.ui,
      log: h.log,
      now: Date.now,
      runAction: h.app.runAction,
      createDefinition: (label, url) => ({ label, uri: new URL(url), headers: {} }),
    })
    const [definition] = await provider.provideMcpServerDefinitions()
    const resolved = await provider.resolveMcpServerDefinition(definition as HttpDefinitionLike)
    if (!resolved) throw new Error('not resolved')
    const response = await fetch(resolved.uri.toString(), {
      method: 'POST',
      headers: {
        ...resolved.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'tessera-vscode-test', version: '0' },
        },
      }),
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { result?: { serverInfo?: { name?: string } } }
    expect(body.result?.serverInfo?.name).toBe('tessera')
  })

  it('expiry within a week: warns, and "Rotate Now" stores a working secret', async () => {
    const { secret } = await admin.createToken('expiring', 3)
    const h = createHarness({ serverUrl: api.url })
    await h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: api.url, token: secret }))
    const { state } = await h.app.connection.check()
    const watcher = createExpiryWatcher({
      connection: h.app.connection,
      ui: h.ui,
      now: Date.now,
      rotate: h.app.commands['tessera.rotateToken'],
    })
    h.ui.answer(/expires/, 'Rotate Now')
    await watcher.consider(state)
    watcher.dispose()
    const stored = (JSON.parse(h.secrets.values.get(SECRET_KEY) ?? '{}') as { token: string }).token
    expect(stored).not.toBe(secret)
    expect((await checkToken(client(), stored)).ok).toBe(true)
    expect(await checkToken(client(), secret)).toMatchObject({ ok: false })
  })
})

describe('against the real Tessera API, later and elsewhere', () => {
  it('an expired token: refused with token_expired, and the status bar state says so', async () => {
    let api = await startRealApi()
    const dataDir = api.dataDir
    try {
      const admin = await signInAsAdmin(api.url)
      const { secret } = await admin.createToken('short-lived', 1)
      await api.stop()
      // Same database, two days later.
      api = await startRealApi({ dataDir, clockOffsetMs: 2 * DAY })
      expect(await checkToken(createTesseraClient({ serverUrl: api.url }), secret)).toMatchObject({
        ok: false,
        failure: { kind: 'rejected', status: 401, code: 'token_expired' },
      })
      const h = createHarness({ serverUrl: api.url })
      await h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: api.url, token: secret }))
      expect((await h.app.connection.check()).state).toMatchObject({
        kind: 'rejected',
        failure: { code: 'token_expired' },
      })
    } finally {
      await api.stop()
      removeDataDir(dataDir)
    }
  }, 120_000)

  it('a self-signed HTTPS server: "certificate not trusted", before any token is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-vscode-tls-'))
    const certFile = join(dir, 'cert.pem')
    const keyFile = join(dir, 'key.pem')
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
        '/CN=127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    )
    const api = await startRealApi({ tls: { certFile, keyFile } })
    try {
      const h = createHarness()
      h.ui.type(api.url)
      expect(await h.app.commands['tessera.connect']()).toBe(false)
      expect(h.ui.messages('error')).toEqual([
        expect.stringMatching(
          /^The certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
        ),
      ])
      expect(h.ui.inputsAsked.some((box) => box.password)).toBe(false)
    } finally {
      await api.stop()
      removeDataDir(api.dataDir)
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
