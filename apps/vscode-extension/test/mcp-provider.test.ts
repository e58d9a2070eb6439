import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMcpProvider, type HttpDefinitionLike } from '../src/mcp-provider.js'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { closedPort, createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

interface Definition extends HttpDefinitionLike {
  version: string | undefined
}

function setup(options: { serverUrl?: string } = {}) {
  const h = createHarness({ serverUrl: options.serverUrl ?? tessera.url })
  const provider = createMcpProvider<Definition>({
    connection: h.app.connection,
    ui: h.ui,
    log: h.log,
    now: Date.now,
    runAction: h.app.runAction,
    createDefinition: (label, url, version) => ({ label, uri: new URL(url), headers: {}, version }),
  })
  let changes = 0
  provider.onDidChangeMcpServerDefinitions(() => changes++)
  const save = (token: string, serverUrl = tessera.url) =>
    h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl, token }))
  return { h, provider, save, changes: () => changes }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 10))

describe('MCP provider: provide', () => {
  it('offers nothing while signed out', async () => {
    const { provider } = setup()
    expect(await provider.provideMcpServerDefinitions()).toEqual([])
  })

  it('offers one HTTP server at <server>/api/v1/mcp, without the token, prompts or requests', async () => {
    const { h, provider, save } = setup()
    const token = tessera.issue()
    await save(token)
    const before = tessera.requests.length
    const [definition, ...rest] = await provider.provideMcpServerDefinitions()
    expect(rest).toEqual([])
    expect(definition?.label).toBe('Tessera')
    expect(definition?.uri.toString()).toBe(`${tessera.url}/api/v1/mcp`)
    expect(definition?.headers).toEqual({})
    expect(definition?.version).toBe(token.slice(0, 10))
    expect(JSON.stringify(definition)).not.toContain(token)
    expect(tessera.requests.length).toBe(before)
    expect(h.ui.shown).toEqual([])
    expect(h.ui.inputsAsked).toEqual([])
  })
})

describe('MCP provider: resolve', () => {
  it('adds the stored token as a Bearer header when the server accepts it', async () => {
    const { provider, save } = setup()
    const token = tessera.issue()
    await save(token)
    const [definition] = await provider.provideMcpServerDefinitions()
    const resolved = await provider.resolveMcpServerDefinition(definition as Definition)
    expect(resolved?.headers).toEqual({ Authorization: `Bearer ${token}` })
  })

  it('re-reads the secret: a token replaced after provide is the one sent', async () => {
    const { provider, save } = setup()
    await save(tessera.issue())
    const [definition] = await provider.provideMcpServerDefinitions()
    const replacement = tessera.issue()
    await save(replacement)
    expect(
      (await provider.resolveMcpServerDefinition(definition as Definition))?.headers.Authorization,
    ).toBe(`Bearer ${replacement}`)
  })

  it('does not start with a revoked token: explains why and offers Replace Token', async () => {
    const { h, provider, save } = setup()
    const token = tessera.issue()
    await save(token)
    const [definition] = await provider.provideMcpServerDefinitions()
    tessera.revoke(token)
    const mcpRequests = () => tessera.requests.filter((r) => r.path === '/api/v1/mcp').length
    const before = mcpRequests()

    expect(await provider.resolveMcpServerDefinition(definition as Definition)).toBeUndefined()

    expect(h.ui.shown).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(
          /^Tessera's MCP server was not started\. Your Tessera token has been revoked\./,
        ),
        actions: ['Replace Token', 'Open API Tokens'],
        modal: false,
      },
    ])
    expect(mcpRequests()).toBe(before)
  })

  it('runs Replace Token from that message, and the next resolve uses the new token', async () => {
    const { h, provider, save } = setup()
    const token = tessera.issue()
    await save(token)
    const [definition] = await provider.provideMcpServerDefinitions()
    tessera.expire(token)
    const fresh = tessera.issue()
    h.ui.answer(/has expired/, 'Replace Token').type(fresh)
    expect(await provider.resolveMcpServerDefinition(definition as Definition)).toBeUndefined()
    await expect.poll(() => h.secrets.values.get(SECRET_KEY)).toContain(fresh)
    expect(
      (await provider.resolveMcpServerDefinition(definition as Definition))?.headers.Authorization,
    ).toBe(`Bearer ${fresh}`)
  })

  it('does not start when the server cannot be reached, and says so', async () => {
    const port = await closedPort()
    const serverUrl = `http://127.0.0.1:${port}`
    const { h, provider, save } = setup({ serverUrl })
    await save(tessera.issue(), serverUrl)
    const [definition] = await provider.provideMcpServerDefinitions()
    expect(await provider.resolveMcpServerDefinition(definition as Definition)).toBeUndefined()
    expect(h.ui.messages()).toEqual([
      expect.stringMatching(/not started\. Cannot reach 127\.0\.0\.1/),
    ])
  })

  it('does not send the token to an old address when the setting changed after provide', async () => {
    const { h, provider, save, changes } = setup()
    const token = tessera.issue()
    await save(token)
    const stale = {
      label: 'Tessera',
      uri: new URL('https://old.example.com/api/v1/mcp'),
      headers: {},
      version: undefined,
    }
    const before = changes()
    expect(await provider.resolveMcpServerDefinition(stale)).toBeUndefined()
    expect(changes()).toBeGreaterThan(before)
    expect(h.ui.shown).toEqual([])
  })

  it('asks the server at most once for several starts in a row', async () => {
    const { provider, save } = setup()
    const token = tessera.issue()
    await save(token)
    const [definition] = await provider.provideMcpServerDefinitions()
    await provider.resolveMcpServerDefinition(definition as Definition)
    const checks = () =>
      tessera.requests.filter(
        (r) => r.path === '/api/v1/tokens/self' && r.authorization?.includes(token),
      ).length
    const after = checks()
    await provider.resolveMcpServerDefinition(definition as Definition)
    await provider.resolveMcpServerDefinition(definition as Definition)
    expect(checks()).toBe(after)
  })
})

describe('MCP provider: change events', () => {
  it('fires when the token is stored, replaced or removed, and when the server URL changes', async () => {
    const { h, provider, save, changes } = setup()
    await save(tessera.issue())
    expect(changes()).toBe(1)
    await save(tessera.issue())
    expect(changes()).toBe(2)
    h.workspace.set('tessera.serverUrl', 'https://other.example.com')
    expect(changes()).toBe(3)
    h.workspace.set('editor.fontSize', 14)
    expect(changes()).toBe(3)
    h.workspace.set('tessera.serverUrl', tessera.url)
    await h.app.commands['tessera.signOut']()
    expect(changes()).toBe(5)
    expect(await provider.provideMcpServerDefinitions()).toEqual([])
    await flush()
  })
})
