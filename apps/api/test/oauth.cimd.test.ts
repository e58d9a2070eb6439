import { randomBytes } from 'node:crypto'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { OAuthClient, Task } from '../src/contract/index.js'
import { judgeAddress } from '../src/lib/address-policy.js'
import { fetchDocument } from '../src/lib/fetch-document.js'
import { metadataLifetimeMs } from '../src/services/oauth/metadata-document.js'
import { buildIsolatedApp, createTestUser, type Session, signIn } from './helper.js'
import { structured, throwawayHome } from './mcp.fixtures.js'
import {
  documentCertificate,
  documentServer,
  MetadataUrlProvider,
  metadataDocument,
  type RemoteSession,
  remoteCall,
  remoteSignIn,
} from './oauth.cimd.fixtures.js'
import { authorizeUrl, pkce } from './oauth.fixtures.js'
import { type Cleanups, durableDatabase, startServerProcess } from './server-process.js'
import { uniqueKey } from './workspace.fixtures.js'

/**
 * Client ID Metadata Documents: a client whose client_id is the HTTPS URL of its metadata
 * document. The documents are served over HTTPS by this file, with a self-signed certificate the
 * server trusts only through NODE_EXTRA_CA_CERTS, which Node reads when a process starts: so the
 * real flow runs against the server in a process of its own. What is refused before any
 * connection is made runs against an app in this process.
 */
const home = throwawayHome()
const certificate = documentCertificate(home.home)
const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(() => home.remove())

/** A document server on a loopback address of its own, closed after the test. */
async function documents(address: string, handler: Parameters<typeof documentServer>[2]) {
  const server = await documentServer(address, certificate, handler)
  cleanups.push(server.close)
  return server
}

/** Serves a valid document for whatever URL is asked, returning to `redirectUri`. */
const serveDocument =
  (redirectUri: string, headers: Record<string, string> = {}, extra = {}) =>
  (_req: unknown, res: ServerResponse, url: string) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(metadataDocument(url, redirectUri, extra)))
  }

const REDIRECT_URI = 'http://127.0.0.1:33418/callback'

/** Authorization parameters for a metadata document client. */
function authorizeParams(base: string, clientId: string, redirectUri = REDIRECT_URI) {
  return {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    state: randomBytes(4).toString('hex'),
    scope: 'read write',
    resource: `${base}/api/v1/mcp`,
  }
}

interface OAuthErrorAnswer {
  error: string
  error_description: string
  code: string
}

// --- refused before any connection: an app in this process ------------------------------------

describe('SSRF defences: what is refused before connecting', () => {
  let app: App
  let admin: Session
  beforeAll(async () => {
    // Its own database: these tests change the OAuth settings, one row every test would share.
    app = await buildIsolatedApp({
      failureLimits: {
        unknownCredentials: { max: 100_000, windowMs: 60_000 },
        signIn: { max: 100_000, windowMs: 60_000 },
        clientRegistrations: { max: 100_000, windowMs: 60_000 },
        authorizationRequests: { max: 100_000, windowMs: 60_000 },
        clientMetadataFetches: { max: 2, windowMs: 60_000 },
      },
    })
    admin = await signIn(app, await createTestUser(app, 'admin'))
  })
  afterAll(async () => {
    await app?.close()
  })

  async function setPrivateAddresses(allowed: boolean) {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/admin/oauth/settings',
      headers: admin.headers,
      payload: {
        enabled: true,
        clientApprovalRequired: false,
        clientMetadataFromPrivateAddresses: allowed,
      },
    })
    expect(res.statusCode, res.body).toBe(200)
  }

  async function authorize(clientId: string) {
    return app.inject({
      method: 'GET',
      url: authorizeUrl(authorizeParams('http://localhost:80', clientId)),
    })
  }

  function expectInvalidClient(res: Awaited<ReturnType<typeof authorize>>, description: RegExp) {
    expect(res.statusCode, res.body).toBe(400)
    const body = res.json() as OAuthErrorAnswer
    expect(body.error).toBe('invalid_client')
    expect(body.error_description).toMatch(description)
    expect(res.headers.location).toBeUndefined()
  }

  it('a document on a loopback address is refused while private addresses are not allowed', async () => {
    await setPrivateAddresses(false)
    const docs = await documents('127.0.0.21', serveDocument(REDIRECT_URI))
    // By address, and by a name that resolves to loopback addresses.
    for (const clientId of [docs.url(), docs.url().replace('127.0.0.21', 'localhost')]) {
      const res = await authorize(clientId)
      expectInvalidClient(res, /private or loopback address/)
      expect(res.json().hint).toMatch(/allow private addresses/)
    }
    expect(docs.connections()).toBe(0)
  })

  it('an IPv4-mapped IPv6 loopback address is refused like the IPv4 address it carries', async () => {
    await setPrivateAddresses(false)
    const docs = await documents('127.0.0.22', serveDocument(REDIRECT_URI))
    const res = await authorize(`https://[::ffff:127.0.0.22]:${docs.port}/client.json`)
    expectInvalidClient(res, /private or loopback address/)
    expect(docs.connections()).toBe(0)
  })

  it('link-local and other special-use addresses are refused even with private addresses allowed', async () => {
    await setPrivateAddresses(true)
    for (const host of ['169.254.169.254', '[fe80::1]', '0.0.0.0', '[::]', '224.0.0.1']) {
      expectInvalidClient(
        await authorize(`https://${host}/latest/meta-data.json`),
        /special-use address/,
      )
    }
  })

  it('a client_id URL that is not https, or breaks the URL rules, is refused with the rule', async () => {
    await setPrivateAddresses(true)
    const docs = await documents('127.0.0.23', serveDocument(REDIRECT_URI))
    const https = docs.origin
    const cases: [string, RegExp][] = [
      [`http://127.0.0.23:${docs.port}/client.json`, /must use https/],
      [`${https}/`, /must have a path/],
      [`${https}/a/../client.json`, /\. or \.\. path segments/],
      [`${https}/client.json#me`, /fragment/],
      [`https://user:secret@127.0.0.23:${docs.port}/client.json`, /credentials/],
    ]
    for (const [clientId, reason] of cases) {
      const res = await authorize(clientId)
      expectInvalidClient(res, reason)
      // The URL's password is not echoed back.
      expect(res.body).not.toContain('secret@')
    }
    expect(docs.connections()).toBe(0)
  })

  it('revocation with a malformed client ID URL is refused, and fetches nothing', async () => {
    const docs = await documents('127.0.0.27', serveDocument(REDIRECT_URI))
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        token: 'tsrf_unknown',
        client_id: `http://127.0.0.27:${docs.port}/client.json`,
      }).toString(),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'invalid_client' })
    const unknown = await app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: 'tsrf_unknown', client_id: docs.url() }).toString(),
    })
    expect(unknown.statusCode).toBe(200)
    expect(docs.connections()).toBe(0)
  })

  it('fetches are limited per host: past the limit 429 with Retry-After, other hosts unaffected', async () => {
    await setPrivateAddresses(true)
    const limited = await documents('127.0.0.24', serveDocument(REDIRECT_URI))
    const other = await documents('127.0.0.25', serveDocument(REDIRECT_URI))
    // This process does not trust the certificate: each fetch fails, and failures are never
    // cached, so each request tries again until the host's limit (2 here) stops it.
    for (let i = 0; i < 2; i++) {
      expectInvalidClient(await authorize(limited.url()), /TLS certificate was not accepted/)
    }
    const refused = await authorize(limited.url())
    expect(refused.statusCode, refused.body).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.json()).toMatchObject({ code: 'rate_limited' })
    expect(limited.connections()).toBe(2)
    expectInvalidClient(await authorize(other.url()), /TLS certificate was not accepted/)
    expect(other.connections()).toBe(1)
  })
})

describe('fetchDocument: one name resolution, connecting to what it answered', () => {
  const options = { maxBytes: 5120, timeoutMs: 5000 }

  it('a name resolving to a private address is refused without connecting', async () => {
    const asked: string[] = []
    const result = await fetchDocument(new URL('https://client.invalid/client.json'), {
      ...options,
      allowPrivate: false,
      resolve: async (name) => {
        asked.push(name)
        return [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ]
      },
    })
    expect(result).toMatchObject({
      ok: false,
      failure: { code: 'address_refused', verdict: { reason: 'private' } },
    })
    expect(asked).toEqual(['client.invalid'])
  })

  it('the connection goes to the address the resolver gave, which DNS would never answer', async () => {
    // `.invalid` never resolves (RFC 6761): reaching the server proves the checked answer was used.
    const docs = await documents('127.0.0.26', serveDocument(REDIRECT_URI))
    let lookups = 0
    const result = await fetchDocument(new URL(`https://client.invalid:${docs.port}/c.json`), {
      ...options,
      allowPrivate: true,
      resolve: async () => {
        lookups += 1
        return [{ address: '127.0.0.26', family: 4 }]
      },
    })
    // This process does not trust the certificate, and its names do not include client.invalid.
    expect(result).toMatchObject({ ok: false, failure: { code: 'tls_failed' } })
    expect(docs.connections()).toBe(1)
    expect(lookups).toBe(1)
  })

  it('addresses are judged as IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const cases: [string, boolean, 'ok' | 'private' | 'special'][] = [
      ['93.184.215.14', false, 'ok'],
      ['2606:4700:4700::1111', false, 'ok'],
      ['127.0.0.1', false, 'private'],
      ['10.1.2.3', false, 'private'],
      ['172.20.0.1', false, 'private'],
      ['192.168.1.1', false, 'private'],
      ['100.64.0.1', false, 'private'],
      ['::1', false, 'private'],
      ['fd00::1', false, 'private'],
      ['::ffff:192.168.1.1', false, 'private'],
      ['::ffff:7f00:1', false, 'private'],
      ['127.0.0.1', true, 'ok'],
      ['fd00::1', true, 'ok'],
      ['::ffff:10.0.0.1', true, 'ok'],
      ['169.254.169.254', true, 'special'],
      ['fe80::1', true, 'special'],
      ['0.0.0.0', true, 'special'],
      ['::', true, 'special'],
      ['224.0.0.1', true, 'special'],
      ['ff02::1', true, 'special'],
      ['255.255.255.255', true, 'special'],
      ['192.0.2.1', true, 'special'],
      ['2001:db8::1', true, 'special'],
      // IPv4-compatible (deprecated): refused unless private addresses are allowed.
      ['::7f00:1', true, 'special'],
      ['::127.0.0.1', false, 'private'],
      ['2002:7f00:1::', true, 'special'],
      ['64:ff9b::7f00:1', false, 'private'],
      ['64:ff9b::5db8:d70e', false, 'ok'],
      ['::ffff:169.254.169.254', true, 'special'],
    ]
    for (const [address, allowPrivate, expected] of cases) {
      const verdict = judgeAddress(address, allowPrivate)
      expect(
        verdict.ok ? 'ok' : verdict.reason,
        `${address} (private allowed: ${allowPrivate})`,
      ).toBe(expected)
    }
  })

  it('a document is kept as long as its Cache-Control says, within 5 minutes and a day', () => {
    const url = new URL('https://client.example.test/client.json')
    const ttl = (headers: Record<string, string>) => metadataLifetimeMs(url, headers) / 1000
    expect(ttl({ 'cache-control': 'max-age=3600' })).toBe(3600)
    expect(ttl({ 'cache-control': 'max-age=10' })).toBe(300)
    expect(ttl({ 'cache-control': 'max-age=31536000' })).toBe(86_400)
    expect(ttl({ 'cache-control': 'no-store' })).toBe(300)
    expect(ttl({ 'cache-control': 'no-cache' })).toBe(300)
    expect(ttl({})).toBe(300)
  })
})

// --- the real flow: the server in its own process, trusting the documents' certificate ---------

describe('an MCP client identified by its metadata document, against the running server', () => {
  const serverCleanups: Cleanups = []
  let base: string
  let admin: RemoteSession
  beforeAll(async () => {
    const email = `cimd-${randomBytes(4).toString('hex')}@example.test`
    const password = `cimd-password-${randomBytes(8).toString('hex')}`
    const server = await startServerProcess(
      {
        ...(await durableDatabase(serverCleanups)).env,
        NODE_EXTRA_CA_CERTS: certificate.certFile,
        LOG_LEVEL: 'warn',
        TESSERA_ADMIN_EMAIL: email,
        TESSERA_ADMIN_PASSWORD: password,
      },
      serverCleanups,
    )
    base = server.url
    admin = await remoteSignIn(base, email, password)
    // The documents are on loopback addresses: allowed here by the admin setting.
    await putSettings({ clientApprovalRequired: false })
  })
  afterAll(async () => {
    for (const cleanup of serverCleanups.splice(0).reverse()) await cleanup()
  })

  async function putSettings(settings: { clientApprovalRequired: boolean }) {
    const res = await remoteCall(base, admin, 'PUT', '/api/v1/admin/oauth/settings', {
      enabled: true,
      clientMetadataFromPrivateAddresses: true,
      ...settings,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ clientMetadataFromPrivateAddresses: true })
  }

  async function clients() {
    const res = await remoteCall<{ clients: OAuthClient[] }>(
      base,
      admin,
      'GET',
      '/api/v1/admin/oauth/clients',
    )
    expect(res.status).toBe(200)
    return res.body.clients
  }

  function authorize(clientId: string, redirectUri = REDIRECT_URI) {
    return fetch(`${base}${authorizeUrl(authorizeParams(base, clientId, redirectUri))}`, {
      redirect: 'manual',
    })
  }

  /** An authorization refused with `invalid_client`, and nothing stored for the client. */
  async function expectRefused(clientId: string, description: RegExp) {
    const res = await authorize(clientId)
    const body = (await res.json()) as OAuthErrorAnswer
    expect(res.status, JSON.stringify(body)).toBe(400)
    expect(body).toMatchObject({ error: 'invalid_client', code: 'invalid_client' })
    expect(body.error_description).toMatch(description)
    expect(res.headers.get('location')).toBeNull()
    expect((await clients()).map((c) => c.clientId)).not.toContain(clientId)
  }

  /** A loopback HTTP server catching the authorization response (RFC 8252). */
  async function callbackServer() {
    const received: URL[] = []
    const server: Server = createServer((req, res) => {
      received.push(new URL(req.url ?? '/', 'http://127.0.0.1'))
      res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    return { redirectUrl: `http://127.0.0.1:${port}/callback`, received }
  }

  it('the SDK client connects with its document URL as client_id, lists the tools and makes a change', async () => {
    const callback = await callbackServer()
    const docs = await documents(
      '127.0.0.2',
      serveDocument(callback.redirectUrl, { 'cache-control': 'max-age=600' }),
    )
    const clientId = docs.url('/oauth/client-metadata.json')
    const mcpUrl = new URL(`${base}/api/v1/mcp`)
    const provider = new MetadataUrlProvider(clientId, callback.redirectUrl, 'Browser MCP client')

    // Discovery finds client_id_metadata_document_supported: the SDK uses the URL, no registration.
    const first = new Client({ name: 'cimd-test', version: '1.0.0' })
    await expect(
      first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })),
    ).rejects.toThrow(UnauthorizedError)
    expect(provider.information?.client_id).toBe(clientId)
    const authorizationUrl = provider.authorizationUrl
    if (!authorizationUrl) throw new Error('the client was not sent to the authorization URL')
    expect(authorizationUrl.searchParams.get('client_id')).toBe(clientId)

    // The browser opens it: the server fetches the document and sends it on to the consent page.
    const opened = await fetch(authorizationUrl, { redirect: 'manual' })
    expect(opened.status, await opened.clone().text()).toBe(302)
    expect(docs.requests).toEqual(['/oauth/client-metadata.json'])
    const consent = new URL(opened.headers.get('location') ?? '', base)
    expect(consent.pathname).toBe('/oauth/consent')
    const consentApi = `/api/v1/oauth/requests/${encodeURIComponent(consent.searchParams.get('request') ?? '')}`
    const shown = await remoteCall<{ client: { name: string; clientId: string } }>(
      base,
      admin,
      'GET',
      consentApi,
    )
    expect(shown.status).toBe(200)
    expect(shown.body.client).toMatchObject({ name: 'Browser MCP client', clientId })
    const decided = await remoteCall<{ redirectTo: string }>(base, admin, 'POST', consentApi, {
      approve: true,
    })
    expect(decided.status, JSON.stringify(decided.body)).toBe(200)
    expect((await fetch(decided.body.redirectTo)).status).toBe(200)
    const code = callback.received[0]?.searchParams.get('code')
    if (!code) throw new Error(`no code in ${callback.received[0]}`)
    expect(callback.received[0]?.searchParams.get('state')).toBe(provider.sentState)

    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })
    await transport.finishAuth(code)
    expect(provider.saved?.access_token).toMatch(/^tsr_/)
    const client = new Client({ name: 'cimd-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['whoami', 'create_task']))
      const who = await client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ token: { name: string } }>(who).token.name).toBe(
        'Browser MCP client (OAuth)',
      )
      const key = uniqueKey('C')
      const project = await remoteCall(base, admin, 'POST', '/api/v1/projects', {
        key,
        name: 'Metadata documents',
      })
      expect(project.status).toBe(201)
      const created = await client.callTool({
        name: 'create_task',
        arguments: { project: key, title: 'Filed by a metadata document client' },
      })
      expect(structured<{ task: Task }>(created).task.ref).toBe(`${key}-1`)
    } finally {
      await client.close()
    }

    // The token exchange used the stored copy (fresh for its max-age): one fetch in all.
    expect(docs.requests).toHaveLength(1)
    const listed = (await clients()).find((c) => c.clientId === clientId)
    expect(listed).toMatchObject({
      name: 'Browser MCP client',
      registrationType: 'metadata_document',
      redirectUris: [callback.redirectUrl],
      clientUri: 'https://client.example.test',
      status: 'active',
      registeredIp: '127.0.0.1',
    })
    const ttl =
      Date.parse(listed?.metadataExpiresAt ?? '') - Date.parse(listed?.metadataFetchedAt ?? '')
    expect(ttl).toBe(600_000)

    // A refresh, then signing out: both identify the client by its URL.
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const refreshed = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: provider.saved?.refresh_token ?? '',
        client_id: clientId,
        resource: mcpUrl.href,
      }),
    })
    expect(refreshed.status).toBe(200)
    const tokens = (await refreshed.json()) as { access_token: string; refresh_token: string }
    const revoked = await fetch(`${base}/oauth/revoke`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: clientId }),
    })
    expect(revoked.status).toBe(200)
    const cutOff = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(cutOff.status).toBe(401)
    expect(docs.requests).toHaveLength(1)
  })

  it('a redirect URI the document does not list is refused without redirecting', async () => {
    const docs = await documents('127.0.0.3', serveDocument(REDIRECT_URI))
    const res = await authorize(docs.url(), 'http://127.0.0.1:33418/elsewhere')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_redirect_uri' })
    expect(res.headers.get('location')).toBeNull()
  })

  it('approval and blocking apply to metadata document clients as to registered ones', async () => {
    const docs = await documents('127.0.0.4', serveDocument(REDIRECT_URI))
    const clientId = docs.url()
    await putSettings({ clientApprovalRequired: true })
    try {
      const pending = await authorize(clientId)
      expect(pending.status).toBe(403)
      expect(await pending.json()).toMatchObject({ error: 'unauthorized_client' })
      const listed = (await clients()).find((c) => c.clientId === clientId)
      expect(listed).toMatchObject({ status: 'pending', registrationType: 'metadata_document' })

      const path = `/api/v1/admin/oauth/clients/${listed?.id}`
      expect((await remoteCall(base, admin, 'PATCH', path, { approved: true })).status).toBe(200)
      expect((await authorize(clientId)).status).toBe(302)

      expect((await remoteCall(base, admin, 'PATCH', path, { blocked: true })).status).toBe(200)
      const blocked = await authorize(clientId)
      expect(blocked.status).toBe(403)
      expect((await blocked.json()) as OAuthErrorAnswer).toMatchObject({
        error: 'unauthorized_client',
        error_description: expect.stringMatching(/blocked/),
      })
      // Each answer came from the stored copy: fetched once.
      expect(docs.requests).toHaveLength(1)
    } finally {
      await putSettings({ clientApprovalRequired: false })
    }
  })

  it('with private addresses not allowed, a document on a loopback address is refused unfetched', async () => {
    const docs = await documents('127.0.0.5', serveDocument(REDIRECT_URI))
    const off = await remoteCall(base, admin, 'PUT', '/api/v1/admin/oauth/settings', {
      enabled: true,
      clientApprovalRequired: false,
      clientMetadataFromPrivateAddresses: false,
    })
    expect(off.status).toBe(200)
    try {
      await expectRefused(docs.url(), /private or loopback address/)
      expect(docs.connections()).toBe(0)
    } finally {
      await putSettings({ clientApprovalRequired: false })
    }
  })

  it('an oversized document is refused while it streams in', async () => {
    const docs = await documents('127.0.0.6', (_req, res, url) => {
      // No Content-Length: the size is only known by counting.
      res.writeHead(200, { 'content-type': 'application/json' })
      const body = JSON.stringify(
        metadataDocument(url, REDIRECT_URI, { padding: 'x'.repeat(8000) }),
      )
      for (let i = 0; i < body.length; i += 1000) res.write(body.slice(i, i + 1000))
      res.end()
    })
    await expectRefused(docs.url(), /larger than 5 KB/)
  })

  it('an oversized document announced by its Content-Length is refused before it is read', async () => {
    const docs = await documents('127.0.0.7', (_req, res, url) => {
      const body = JSON.stringify(
        metadataDocument(url, REDIRECT_URI, { padding: 'x'.repeat(8000) }),
      )
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    })
    await expectRefused(docs.url(), /larger than 5 KB/)
  })

  it('a slow document is given up on after the time limit', async () => {
    const docs = await documents('127.0.0.8', (_req, res) => {
      // Headers and the first byte, then nothing: the server stops waiting.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{')
    })
    await expectRefused(docs.url(), /did not arrive within 5 seconds/)
  })

  it('a redirect is not followed', async () => {
    const docs = await documents('127.0.0.9', (req, res, url) => {
      if (req.url === '/moved.json') return serveDocument(REDIRECT_URI)(req, res, url)
      res.writeHead(302, { location: '/moved.json' }).end()
    })
    await expectRefused(docs.url('/client.json'), /redirect \(HTTP 302\)/)
    expect(docs.requests).toEqual(['/client.json'])
  })

  it('a document whose client_id is not exactly its URL is refused', async () => {
    const docs = await documents('127.0.0.10', (req, res, url) =>
      serveDocument(REDIRECT_URI)(req, res, `${url}?copy=1`),
    )
    await expectRefused(docs.url(), /client_id .* is not exactly the URL it was fetched from/)
  })

  it('a document that is not JSON is refused', async () => {
    const docs = await documents('127.0.0.11', (_req, res, url) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`{"client_id": "${url}", "redirect_uris": [`)
    })
    await expectRefused(docs.url(), /not valid JSON/)
  })

  it('a document asking for client secrets or other auth methods is refused', async () => {
    const docs = await documents('127.0.0.12', (req, res, url) =>
      serveDocument(REDIRECT_URI, {}, { token_endpoint_auth_method: 'client_secret_basic' })(
        req,
        res,
        url,
      ),
    )
    await expectRefused(docs.url(), /token_endpoint_auth_method/)
  })

  it('a document that is not there (404) is refused, and not remembered', async () => {
    let found = false
    const docs = await documents('127.0.0.13', (req, res, url) => {
      if (found) return serveDocument(REDIRECT_URI)(req, res, url)
      res.writeHead(404).end()
    })
    const clientId = docs.url()
    await expectRefused(clientId, /answered HTTP 404/)
    // Failures are never cached: once the document is there, the client connects.
    found = true
    expect((await authorize(clientId)).status).toBe(302)
    expect(docs.requests).toHaveLength(2)
  })
})
