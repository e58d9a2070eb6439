import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  auth,
  discoverAuthorizationServerMetadata,
  type OAuthClientProvider,
  refreshAuthorization,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { OAuthGrant, Task, Token } from '../src/contract/index.js'
import { buildTestApp, createTestUser, type Session, signIn } from './helper.js'
import { listen, mcpPath, structured } from './mcp.fixtures.js'
import { activityOf, as, createProject, expectStatus } from './workspace.fixtures.js'

/**
 * The MCP SDK's own OAuth client (what MCP hosts build on) against a running Tessera, with no
 * token configured: it discovers the server from the 401, registers, sends the user to the
 * authorization URL, and gets its tokens with the code that comes back to its loopback server.
 * The user's part (signing in, approving) goes through the console's JSON API with a session.
 */
let app: App
let origin: string
let url: string
beforeAll(async () => {
  app = await buildTestApp()
  origin = await listen(app)
  url = `${origin}${mcpPath}`
})
afterAll(async () => {
  await app?.close()
})

/** A loopback HTTP server catching the authorization response, as native apps do (RFC 8252). */
async function callbackServer() {
  const received: URL[] = []
  const server: Server = createServer((req, res) => {
    received.push(new URL(req.url ?? '/', 'http://127.0.0.1'))
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An OAuthClientProvider keeping everything in memory, as a host keeps it in its own store. */
class MemoryProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined
  information: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ''
  readonly sentState = randomBytes(8).toString('hex')
  constructor(
    readonly redirectUrl: string,
    readonly name: string,
  ) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
  }
  state() {
    return this.sentState
  }
  clientInformation() {
    return this.information
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(authorizationUrl: URL) {
    this.authorizationUrl = authorizationUrl
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
}

/**
 * The whole flow, as a user adding Tessera's URL to a host: connect (401, discovery,
 * registration), the browser opens the authorization URL, the user approves in the console,
 * the browser lands on the host's loopback server, the host exchanges the code and reconnects.
 */
async function connectByUrl(
  session: Session,
  name: string,
  decision: Record<string, unknown> = {},
) {
  const callback = await callbackServer()
  try {
    const provider = new MemoryProvider(callback.redirectUrl, name)
    const first = new Client({ name, version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider })
    await expect(first.connect(transport)).rejects.toThrow(UnauthorizedError)
    expect(provider.information?.client_id).toMatch(/^tsc_/)
    const authorizationUrl = provider.authorizationUrl
    if (!authorizationUrl) throw new Error('the client was not sent to the authorization URL')
    expect(authorizationUrl.href.startsWith(`${origin}/oauth/authorize?`)).toBe(true)
    expect(authorizationUrl.searchParams.get('resource')).toBe(url)

    // The browser opens it and is sent on to the console's consent page.
    const opened = await fetch(authorizationUrl, { redirect: 'manual' })
    expect(opened.status).toBe(302)
    const consent = new URL(opened.headers.get('location') ?? '', origin)
    expect(consent.pathname).toBe('/oauth/consent')
    const requestId = consent.searchParams.get('request') ?? ''
    const consentApi = `/oauth/requests/${encodeURIComponent(requestId)}`
    const shown = expectStatus<{
      client: { name: string; redirectHost: string }
      scopes: string[]
    }>(await as(app, session.headers)('GET', consentApi), 200)
    expect(shown.client.name).toBe(name)
    expect(shown.client.redirectHost).toBe(new URL(callback.redirectUrl).host)
    expect(shown.scopes).toEqual(['read', 'write'])
    const { redirectTo } = expectStatus<{ redirectTo: string }>(
      await as(app, session.headers)('POST', consentApi, { approve: true, ...decision }),
      200,
    )
    // The browser follows the redirect to the host's loopback server.
    expect((await fetch(redirectTo)).status).toBe(200)
    const [landed] = callback.received
    if (!landed) throw new Error('nothing reached the callback')
    expect(landed.searchParams.get('state')).toBe(provider.sentState)
    expect(landed.searchParams.get('iss')).toBe(origin)
    const code = landed.searchParams.get('code')
    if (!code) throw new Error(`no code in ${landed}`)

    await transport.finishAuth(code)
    expect(provider.saved?.access_token).toMatch(/^tsr_/)
    expect(provider.saved?.refresh_token).toMatch(/^tsrf_/)
    const client = new Client({ name, version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }),
    )
    return { client, provider }
  } finally {
    await callback.close()
  }
}

async function signedInMember() {
  const user = await createTestUser(app)
  return { user, session: await signIn(app, user) }
}

function mcpPost(accessToken: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  })
}

describe('connecting an MCP client by URL alone (SDK client, Dynamic Client Registration)', () => {
  it('registers, is approved in the console, lists the tools and makes a change', async () => {
    const { user, session } = await signedInMember()
    const project = await createProject(app, session.headers)
    const { client } = await connectByUrl(session, 'Claude Desktop')
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['whoami', 'create_task']))
      const who = await client.callTool({ name: 'whoami', arguments: {} })
      expect(structured<{ user: { id: string }; token: { name: string } }>(who)).toMatchObject({
        user: { id: user.id },
        token: { name: 'Claude Desktop (OAuth)' },
      })
      const created = await client.callTool({
        name: 'create_task',
        arguments: { project: project.key, title: 'Filed through OAuth' },
      })
      expect(structured<{ task: Task }>(created).task.ref).toBe(`${project.key}-1`)
    } finally {
      await client.close()
    }

    // The access is an ordinary token in the user's list, and a connected app.
    await app.lastUsed.flush()
    const { tokens } = expectStatus<{ tokens: Token[] }>(
      await as(app, session.headers)('GET', '/tokens'),
      200,
    )
    const token = tokens.find((t) => t.name === 'Claude Desktop (OAuth)')
    expect(token).toMatchObject({ scopes: ['read', 'write'], status: 'active' })
    expect(token?.lastUsedAt).not.toBeNull()
    expect(token?.lastUsedIp).toBe('127.0.0.1')
    expect(new Date(token?.expiresAt ?? 0).getTime() - Date.now()).toBeLessThanOrEqual(3600_000)
    const { grants } = expectStatus<{ grants: OAuthGrant[] }>(
      await as(app, session.headers)('GET', '/oauth/grants'),
      200,
    )
    expect(grants).toHaveLength(1)
    expect(grants[0]).toMatchObject({
      client: { name: 'Claude Desktop' },
      status: 'active',
      token: { id: token?.id },
    })

    // The feed: connected, then what the client did, under the client's name.
    const entries = await activityOf(app, session.headers)
    const created = entries.find((e) => e.action === 'task.created')
    expect(created).toMatchObject({
      via: 'mcp',
      token: { id: token?.id, name: 'Claude Desktop (OAuth)' },
    })
    const connected = entries.find((e) => e.action === 'oauth.connected')
    expect(connected).toMatchObject({
      target: { type: 'oauth_grant', label: 'Claude Desktop' },
      token: { name: 'Claude Desktop (OAuth)' },
    })
  })

  it('a read-only approval gives a client without the write tools', async () => {
    const { session } = await signedInMember()
    const { client } = await connectByUrl(session, 'Read only host', { scopes: ['read'] })
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).not.toContain('create_task')
      expect(tools.map((t) => t.name)).toContain('list_tasks')
    } finally {
      await client.close()
    }
  })

  it('revoking the token in the console cuts the client off on its next call', async () => {
    const { session } = await signedInMember()
    const { client, provider } = await connectByUrl(session, 'Cursor')
    const accessToken = provider.saved?.access_token ?? ''
    try {
      await client.listTools()
      const { tokens } = expectStatus<{ tokens: Token[] }>(
        await as(app, session.headers)('GET', '/tokens'),
        200,
      )
      const token = tokens.find((t) => t.name === 'Cursor (OAuth)')
      expectStatus(await as(app, session.headers)('DELETE', `/tokens/${token?.id}`), 204)

      // Its refresh token is dead too: the client has to ask the user again.
      await expect(client.listTools()).rejects.toThrow()
    } finally {
      await client.close()
    }
    const res = await mcpPost(accessToken)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('token_revoked')
    expect(res.headers.get('www-authenticate')).toContain(
      `resource_metadata="${origin}/.well-known/oauth-protected-resource/api/v1/mcp"`,
    )
    const { grants } = expectStatus<{ grants: OAuthGrant[] }>(
      await as(app, session.headers)('GET', '/oauth/grants'),
      200,
    )
    expect(grants[0]).toMatchObject({ status: 'revoked' })
    const revoked = (await activityOf(app, session.headers)).find(
      (e) => e.action === 'oauth.revoked',
    )
    expect(revoked).toMatchObject({ target: { label: 'Cursor' } })
  })

  it('a refresh rotates the refresh token, and replaying the old one ends the grant', async () => {
    const { session } = await signedInMember()
    const { client, provider } = await connectByUrl(session, 'Windsurf')
    await client.close()
    const before = provider.saved as OAuthTokens
    expect(await auth(provider, { serverUrl: url })).toBe('AUTHORIZED')
    const after = provider.saved as OAuthTokens
    expect(after.refresh_token).not.toBe(before.refresh_token)
    expect(after.access_token).not.toBe(before.access_token)
    // The rotated access token works; the one it replaced does not.
    expect((await mcpPost(after.access_token)).status).toBe(200)
    expect((await mcpPost(before.access_token)).status).toBe(401)

    const metadata = await discoverAuthorizationServerMetadata(origin)
    await expect(
      refreshAuthorization(origin, {
        metadata,
        clientInformation: provider.information as OAuthClientInformationMixed,
        refreshToken: before.refresh_token as string,
        resource: new URL(url),
      }),
    ).rejects.toThrow(/grant/i)
    const cut = await mcpPost(after.access_token)
    expect(cut.status).toBe(401)
    expect(((await cut.json()) as { code: string }).code).toBe('token_revoked')
    const entries = await activityOf(app, session.headers)
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['oauth.connected', 'oauth.refreshed', 'oauth.revoked']),
    )
    expect(entries.find((e) => e.action === 'oauth.revoked')?.changes).toMatchObject({
      reason: { after: 'refresh_token_reused' },
    })
  })
})
