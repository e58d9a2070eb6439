import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CursorMcpApi, createCursorBridge, detectMcpHost } from '../src/cursor.js'
import { buildMcpConfig } from '../src/mcp-config.js'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

class FakeCursor implements CursorMcpApi {
  readonly servers = new Map<string, { url: string; headers?: Record<string, string> }>()
  readonly calls: string[] = []
  registerServer(config: {
    name: string
    server: { url: string; headers?: Record<string, string> }
  }) {
    this.calls.push(`register ${config.name}`)
    this.servers.set(config.name, config.server)
  }
  unregisterServer(name: string) {
    this.calls.push(`unregister ${name}`)
    this.servers.delete(name)
  }
}

describe('choosing how to register the MCP server', () => {
  const fn = () => {}
  it('uses VS Code’s provider API when it exists', () => {
    expect(detectMcpHost({ lm: { registerMcpServerDefinitionProvider: fn } })).toEqual({
      kind: 'vscode',
    })
  })
  it('prefers Cursor’s API when present, even next to an lm stub', () => {
    const api = { registerServer: fn, unregisterServer: fn }
    expect(
      detectMcpHost({ lm: { registerMcpServerDefinitionProvider: fn }, cursor: { mcp: api } }),
    ).toEqual({ kind: 'cursor', api })
  })
  it('falls back to "none" (copy the configuration) without either', () => {
    expect(detectMcpHost({ lm: {} })).toEqual({ kind: 'none' })
    expect(detectMcpHost({ cursor: { mcp: { registerServer: fn } } })).toEqual({ kind: 'none' })
  })
})

describe('Cursor registration', () => {
  async function setup() {
    const h = createHarness({ serverUrl: tessera.url, mcpHost: 'cursor' })
    const cursor = new FakeCursor()
    const bridge = createCursorBridge({
      api: cursor,
      connection: h.app.connection,
      ui: h.ui,
      log: h.log,
      now: Date.now,
      runAction: h.app.runAction,
    })
    const save = (token: string) =>
      h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: tessera.url, token }))
    return { h, cursor, bridge, save }
  }

  it('registers the server with the validated token once connected', async () => {
    const { cursor, save } = await setup()
    const token = tessera.issue()
    await save(token)
    await expect
      .poll(() => cursor.servers.get('tessera'))
      .toEqual({
        url: `${tessera.url}/api/v1/mcp`,
        headers: { Authorization: `Bearer ${token}` },
      })
  })

  it('does not register a revoked token, and explains with Replace Token', async () => {
    const { h, cursor, bridge, save } = await setup()
    const token = tessera.issue()
    tessera.revoke(token)
    await save(token)
    await bridge.sync()
    expect(cursor.servers.size).toBe(0)
    await expect
      .poll(() => h.ui.shown.map((s) => s.actions))
      .toContainEqual(['Replace Token', 'Open API Tokens'])
  })

  it('re-registers after a replacement and unregisters on sign out', async () => {
    const { h, cursor, bridge, save } = await setup()
    await save(tessera.issue())
    await bridge.sync()
    const second = tessera.issue()
    await save(second)
    await expect
      .poll(() => cursor.servers.get('tessera')?.headers?.Authorization)
      .toBe(`Bearer ${second}`)
    await h.app.commands['tessera.signOut']()
    await expect.poll(() => cursor.servers.size).toBe(0)
    expect(cursor.calls.at(-1)).toBe('unregister tessera')
  })
})

describe('Copy MCP Configuration', () => {
  it('VS Code flavour: an input variable for the token, never the token itself', async () => {
    const h = createHarness({ serverUrl: tessera.url, mcpHost: 'none' })
    const token = tessera.issue()
    await h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: tessera.url, token }))
    h.ui.choose('vscode')
    await h.app.commands['tessera.copyMcpConfig']()
    expect(JSON.parse(h.ui.clipboard)).toEqual({
      servers: {
        tessera: {
          type: 'http',
          url: `${tessera.url}/api/v1/mcp`,
          headers: { Authorization: `Bearer \${input:tessera-token}` },
        },
      },
      inputs: [
        {
          type: 'promptString',
          id: 'tessera-token',
          description: 'Tessera API token (starts with tsr_)',
          password: true,
        },
      ],
    })
    expect(h.ui.clipboard).not.toContain(token)
  })

  it('Cursor flavour: reads the token from an environment variable', () => {
    expect(JSON.parse(buildMcpConfig('https://tessera.example.com', 'cursor'))).toEqual({
      mcpServers: {
        tessera: {
          url: 'https://tessera.example.com/api/v1/mcp',
          headers: { Authorization: `Bearer \${env:TESSERA_TOKEN}` },
        },
      },
    })
  })

  it('asks to connect first when no server is set', async () => {
    const h = createHarness()
    await h.app.commands['tessera.copyMcpConfig']()
    expect(h.ui.messages()).toEqual(['Set your Tessera server URL first.'])
    expect(h.ui.clipboard).toBe('')
  })
})
