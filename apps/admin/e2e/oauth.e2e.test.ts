import { randomBytes } from 'node:crypto'
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OAuthGrantList, Project, Task, TokenList } from '@tessera/api/contract'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN,
  ApiSession,
  assertBrowserInstalled,
  createPerson,
  launchBrowser,
  newContext,
  openAs,
  type RunningServer,
  shoot,
  signIn,
  startServer,
} from './harness'
import { callbackServer, HostStore } from './mcp-host'

let server: RunningServer
let browser: Browser
let root: ApiSession

beforeAll(async () => {
  assertBrowserInstalled()
  server = await startServer()
  browser = await launchBrowser()
  root = await ApiSession.signIn(server.baseUrl, ADMIN.email, ADMIN.password)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('connecting an MCP client by URL, approved in the console', () => {
  it('the SDK client registers, the user signs in and approves in Chromium, the client works', async () => {
    const person = await createPerson(root, 'member', 'oauth')
    const own = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    const { project } = await own.call<{ project: Project }>('POST', '/projects', {
      key: `O${randomBytes(3).toString('hex').toUpperCase()}`,
      name: 'Agents',
    })
    const mcpUrl = new URL('/api/v1/mcp', server.baseUrl)
    const callback = await callbackServer()
    const store = new HostStore(callback.redirectUrl)
    try {
      const first = new Client({ name: 'claude-desktop', version: '1.0.0' })
      await expect(
        first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store })),
      ).rejects.toThrow(UnauthorizedError)
      const authorizationUrl = store.authorizationUrl
      if (!authorizationUrl) throw new Error('the client was not sent to sign in')

      // The browser opens the authorization URL: consent page, sign-in first, then back.
      const context = await newContext(browser, server.baseUrl)
      const page = await context.newPage()
      await page.goto(authorizationUrl.href)
      await page.waitForURL(/\/sign-in\?redirect=/)
      await signIn(page, person.email, person.password)
      await page.waitForURL((url) => url.pathname === '/oauth/consent')
      await page.getByRole('heading', { name: /Connect Claude Desktop to Tessera/ }).waitFor()
      expect(await page.getByTestId('consent-redirect').textContent()).toBe(
        new URL(callback.redirectUrl).host,
      )
      await shoot(page, '40-oauth-consent')
      await page.getByRole('button', { name: 'Connect' }).click()
      await page.waitForURL((url) => url.href.startsWith(callback.redirectUrl))
      await context.close()

      const [landed] = callback.received
      expect(landed?.searchParams.get('state')).toBe(store.sentState)
      expect(landed?.searchParams.get('iss')).toBe(server.baseUrl)
      const code = landed?.searchParams.get('code')
      if (!code) throw new Error(`no code in ${landed}`)
      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: store })
      await transport.finishAuth(code)

      const client = new Client({ name: 'claude-desktop', version: '1.0.0' })
      await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store }))
      try {
        const { tools } = await client.listTools()
        expect(tools.map((t) => t.name)).toContain('create_task')
        const created = await client.callTool({
          name: 'create_task',
          arguments: { project: project.key, title: 'Filed after a browser sign-in' },
        })
        expect((created.structuredContent as { task: Task }).task.ref).toBe(`${project.key}-1`)
      } finally {
        await client.close()
      }
    } finally {
      await callback.close()
    }

    // The connection is an ordinary token in the person's list, and a connected app.
    const { tokens } = await own.call<TokenList>('GET', '/tokens')
    expect(tokens.map((t) => t.name)).toContain('Claude Desktop (OAuth)')
    const { grants } = await own.call<OAuthGrantList>('GET', '/oauth/grants')
    expect(grants[0]).toMatchObject({ client: { name: 'Claude Desktop' }, status: 'active' })

    // On the API Tokens page it is a connected app, not a personal token; disconnecting it there
    // ends the client's access on its next request, refresh included.
    const page = await openAs(browser, server.baseUrl, person, '/tokens')
    const app = page.getByTestId('connected-app-row').filter({ hasText: 'Claude Desktop' })
    await app.waitFor()
    expect(await app.textContent()).toContain('Full access')
    expect(await page.getByTestId('token-row').count()).toBe(0)
    await shoot(page, '42-connected-apps')
    await app.getByRole('button', { name: 'Disconnect Claude Desktop' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Disconnect' }).click()
    await app.getByText('Revoked').waitFor()
    await page.context().close()
    // Its access token is refused and so is its refresh token: the client must ask the user again.
    store.authorizationUrl = undefined
    const after = new Client({ name: 'claude-desktop', version: '1.0.0' })
    await expect(
      after.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store })),
    ).rejects.toThrow(UnauthorizedError)
    expect(store.authorizationUrl).toBeInstanceOf(URL)
  })

  it('denying in the console sends the app access_denied', async () => {
    const person = await createPerson(root, 'member', 'denier')
    const callback = await callbackServer()
    const store = new HostStore(callback.redirectUrl, 'Unwanted app')
    try {
      const first = new Client({ name: 'claude-desktop', version: '1.0.0' })
      const mcpUrl = new URL('/api/v1/mcp', server.baseUrl)
      await expect(
        first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: store })),
      ).rejects.toThrow(UnauthorizedError)
      const context = await newContext(browser, server.baseUrl)
      const page = await context.newPage()
      await page.goto(store.authorizationUrl?.href ?? '')
      await page.waitForURL(/\/sign-in\?redirect=/)
      await signIn(page, person.email, person.password)
      await page.getByRole('button', { name: 'Deny' }).click()
      await page.waitForURL((url) => url.href.startsWith(callback.redirectUrl))
      await context.close()
      expect(callback.received[0]?.searchParams.get('error')).toBe('access_denied')
      expect(callback.received[0]?.searchParams.get('code')).toBeNull()
    } finally {
      await callback.close()
    }
  })

  it('an admin sees the registered apps and blocks one: its connection stops at once', async () => {
    const admin = await createPerson(root, 'admin', 'oauthadmin')
    const page = await openAs(browser, server.baseUrl, admin, '/admin/oauth')
    await page.getByRole('heading', { name: 'OAuth apps' }).waitFor()
    const row = page.getByRole('row').filter({ hasText: 'Claude Desktop' }).first()
    await row.waitFor()
    await shoot(page, '41-admin-oauth-apps')
    await row.getByRole('button', { name: /^Block/ }).click()
    await row.getByText('Blocked').waitFor()
    // The member's connection from the first test ended with the block.
    const listed = await root.call<{ tokens: { name: string; status: string }[] }>(
      'GET',
      '/admin/tokens',
    )
    const oauthTokens = listed.tokens.filter((t) => t.name === 'Claude Desktop (OAuth)')
    expect(oauthTokens.length).toBeGreaterThan(0)
    expect(oauthTokens.every((t) => t.status === 'revoked')).toBe(true)
    await page.context().close()
  })
})
