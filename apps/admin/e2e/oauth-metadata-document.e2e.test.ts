import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthGrantList, Project, Task } from '@tessera/api/contract'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN,
  ApiSession,
  assertBrowserInstalled,
  createPerson,
  launchBrowser,
  newContext,
  type RunningServer,
  shoot,
  signIn,
  startServer,
} from './harness'
import { callbackServer, HostStore } from './mcp-host'

/*
 * A client known by its Client ID Metadata Document: its client_id is the HTTPS URL of a JSON
 * document it publishes, which Tessera fetches (no registration). The document is served here
 * over HTTPS with a self-signed certificate that the server trusts only through
 * NODE_EXTRA_CA_CERTS, on a loopback address, which an administrator must allow first.
 */

const work = mkdtempSync(join(tmpdir(), 'tessera-cimd-e2e-'))
let server: RunningServer
let browser: Browser
let root: ApiSession
let documents: Server
let documentOrigin: string
let callback: Awaited<ReturnType<typeof callbackServer>>

function selfSignedCertificate() {
  const certFile = join(work, 'cert.pem')
  const keyFile = join(work, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=Tessera e2e MCP client',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) }
}

const listen = (s: Server) =>
  new Promise<number>((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
  )

beforeAll(async () => {
  assertBrowserInstalled()
  const certificate = selfSignedCertificate()
  callback = await callbackServer()
  documents = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    const clientId = `${documentOrigin}${req.url}`
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' })
    res.end(
      JSON.stringify({
        client_id: clientId,
        client_name: 'Web Agent',
        client_uri: documentOrigin,
        redirect_uris: [callback.redirectUrl],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    )
  })
  documentOrigin = `https://127.0.0.1:${await listen(documents)}`
  server = await startServer({ env: { NODE_EXTRA_CA_CERTS: certificate.certFile } })
  browser = await launchBrowser()
  root = await ApiSession.signIn(server.baseUrl, ADMIN.email, ADMIN.password)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  documents?.close()
  await callback?.close()
  rmSync(work, { recursive: true, force: true })
})

describe('a client known by its metadata document, approved in the console', () => {
  it('is refused until an admin allows loopback documents, then connects after consent in Chromium', async () => {
    const person = await createPerson(root, 'member', 'cimd')
    const own = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    const { project } = await own.call<{ project: Project }>('POST', '/projects', {
      key: `M${randomBytes(3).toString('hex').toUpperCase()}`,
      name: 'Documents',
    })
    const mcpUrl = new URL('/api/v1/mcp', server.baseUrl)
    const store = new HostStore(callback.redirectUrl, 'Web Agent', `${documentOrigin}/client.json`)

    // The server's metadata says it takes such clients; the client never registers.
    const metadata = (await (
      await fetch(new URL('/.well-known/oauth-authorization-server', server.baseUrl))
    ).json()) as { client_id_metadata_document_supported: boolean }
    expect(metadata.client_id_metadata_document_supported).toBe(true)

    const first = new Client({ name: 'web-agent', version: '1.0.0' })
    await expect(
      first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store })),
    ).rejects.toThrow(UnauthorizedError)
    const authorizationUrl = store.authorizationUrl
    if (!authorizationUrl) throw new Error('the client was not sent to sign in')
    expect(authorizationUrl.searchParams.get('client_id')).toBe(store.clientMetadataUrl)

    // A document on a loopback address is refused while the setting is off (SSRF defence).
    const refused = await fetch(authorizationUrl, { redirect: 'manual' })
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(refused.status).toBeLessThan(500)
    const settings = await root.call<Record<string, unknown>>('GET', '/admin/oauth/settings')
    await root.call('PUT', '/admin/oauth/settings', {
      ...settings,
      clientMetadataFromPrivateAddresses: true,
    })

    const context = await newContext(browser, server.baseUrl)
    const page = await context.newPage()
    await page.goto(authorizationUrl.href)
    await page.waitForURL(/\/sign-in\?redirect=/)
    await signIn(page, person.email, person.password)
    await page.waitForURL((url) => url.pathname === '/oauth/consent')
    await page.getByRole('heading', { name: /Connect Web Agent to Tessera/ }).waitFor()
    // Anyone can pick a name: the page also says who publishes the document.
    expect(await page.locator('main').textContent()).toContain(new URL(documentOrigin).host)
    await shoot(page, '44-oauth-metadata-document-consent')
    await page.getByRole('button', { name: 'Connect' }).click()
    await page.waitForURL((url) => url.href.startsWith(callback.redirectUrl))
    await context.close()

    const answer = callback.received.find((url) => url.pathname === '/callback')
    expect(answer?.searchParams.get('state')).toBe(store.sentState)
    const code = answer?.searchParams.get('code')
    if (!code) throw new Error(`no code in ${answer}`)
    await new StreamableHTTPClientTransport(mcpUrl, { authProvider: store }).finishAuth(code)

    const client = new Client({ name: 'web-agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store }))
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toContain('create_task')
      const created = await client.callTool({
        name: 'create_task',
        arguments: { project: project.key, title: 'Filed by a metadata-document client' },
      })
      expect((created.structuredContent as { task: Task }).task.ref).toBe(`${project.key}-1`)
    } finally {
      await client.close()
    }
    const { grants } = await own.call<OAuthGrantList>('GET', '/oauth/grants')
    expect(grants[0]).toMatchObject({ client: { name: 'Web Agent' }, status: 'active' })
  })
})
