import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
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

/** mcp-remote as the API's tests pin it (one copy in the repository). */
function mcpRemoteBin(): string {
  const dir = fileURLToPath(new URL('../../api/node_modules/mcp-remote/', import.meta.url))
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>
  }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['mcp-remote']
  if (!bin) throw new Error('mcp-remote has no bin')
  return join(dir, bin)
}

describe('Claude Desktop through mcp-remote, given only the URL', () => {
  it('mcp-remote registers, the person approves in Chromium, and the host lists and calls tools', async () => {
    const person = await createPerson(root, 'member', 'remote')
    const home = mkdtempSync(join(tmpdir(), 'tessera-mcp-remote-'))
    const mcpUrl = `${server.baseUrl}/api/v1/mcp`
    // How a Claude Desktop configuration with `"args": ["-y", "mcp-remote", "<url>"]` runs it:
    // no --header, no token anywhere. Its tokens go to a throwaway home; no browser is opened by
    // mcp-remote itself (the test is the browser).
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [mcpRemoteBin(), mcpUrl],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth'),
        BROWSER: 'false',
      },
      stderr: 'pipe',
    })
    let stderr = ''
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    const client = new Client({ name: 'claude-desktop', version: '1.0.0' })
    const connected = client.connect(transport)
    connected.catch(() => undefined)
    try {
      const authorizationUrl = await vi.waitFor(
        () => {
          const match = /Please authorize this client by visiting:\s+(\S+)/.exec(stderr)
          if (!match?.[1]) throw new Error(`no authorization URL yet:\n${stderr}`)
          return new URL(match[1])
        },
        { timeout: 30_000, interval: 100 },
      )
      expect(authorizationUrl.origin).toBe(server.baseUrl)
      await vi.waitFor(() => expect(stderr).toMatch(/Waiting for authorization/), {
        timeout: 30_000,
        interval: 100,
      })

      const context = await newContext(browser, server.baseUrl)
      const page = await context.newPage()
      await page.goto(authorizationUrl.href)
      await page.waitForURL(/\/sign-in\?redirect=/)
      await signIn(page, person.email, person.password)
      await page.waitForURL((url) => url.pathname === '/oauth/consent')
      await page.getByRole('heading', { name: /^Connect .+ to Tessera/ }).waitFor()
      // Its loopback callback, as RFC 8252 has native apps receive the answer.
      expect(await page.getByTestId('consent-redirect').textContent()).toMatch(/^localhost:\d+$/)
      await shoot(page, '43-mcp-remote-consent')
      await page.getByRole('button', { name: 'Connect' }).click()
      await page.waitForURL((url) => url.hostname === 'localhost' && url.searchParams.has('code'))
      await context.close()

      await connected
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toContain('create_task')
      const who = await client.callTool({ name: 'whoami', arguments: {} })
      expect(who.structuredContent).toMatchObject({
        user: { email: person.email },
        token: { name: expect.stringMatching(/\(OAuth\)$/) },
      })
    } finally {
      await client.close()
      rmSync(home, { recursive: true, force: true })
    }

    // The person sees it as a connected app.
    const own = await ApiSession.signIn(server.baseUrl, person.email, person.password)
    const { grants } = await own.call<{ grants: { status: string }[] }>('GET', '/oauth/grants')
    expect(grants.map((grant) => grant.status)).toEqual(['active'])
  })
})
