/** Activation through the `vscode` double: what gets registered, and the flows end to end. */
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as vscode from 'vscode'
import { COMMANDS } from '../src/app.js'
import { activate } from '../src/extension.js'
import { MCP_PROVIDER_ID } from '../src/mcp-provider.js'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { testing } from './vscode-double.js'

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  activationEvents: string[]
  contributes: {
    commands: { command: string }[]
    mcpServerDefinitionProviders: { id: string; label: string }[]
    configuration: { properties: Record<string, { scope?: string }> }
  }
}

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

let context: ReturnType<typeof testing.createContext>
beforeEach(() => {
  testing.reset()
  context = testing.createContext()
})
afterEach(() => {
  for (const subscription of context.subscriptions) subscription.dispose()
})

const start = () => activate(context as unknown as vscode.ExtensionContext)
const run = (command: string) => vscode.commands.executeCommand(command)
const statusBar = () => testing.statusBarItems[0]
const provider = () =>
  testing.mcpProviders.get(MCP_PROVIDER_ID) as
    | {
        provideMcpServerDefinitions(): Promise<vscode.McpHttpServerDefinition[]>
        resolveMcpServerDefinition(
          d: vscode.McpHttpServerDefinition,
        ): Promise<vscode.McpHttpServerDefinition | undefined>
        onDidChangeMcpServerDefinitions(listener: () => void): vscode.Disposable
      }
    | undefined

async function connectThroughCommand(token: string) {
  testing.inputs.push(tessera.url, token)
  // "Sign in with browser" is offered first; these tests paste a token (the first pick asked).
  testing.picks.unshift('token')
  await run('tessera.connect')
}

describe('manifest and activation', () => {
  it('registers exactly the contributed commands, the MCP provider and a URI handler', () => {
    start()
    expect([...testing.commands.keys()].sort()).toEqual(
      manifest.contributes.commands.map((c) => c.command).sort(),
    )
    expect([...COMMANDS].sort()).toEqual([...testing.commands.keys()].sort())
    expect(manifest.contributes.mcpServerDefinitionProviders).toEqual([
      { id: MCP_PROVIDER_ID, label: 'Tessera' },
    ])
    expect([...testing.mcpProviders.keys()]).toEqual([MCP_PROVIDER_ID])
    expect(testing.uriHandlers).toHaveLength(1)
    expect(manifest.activationEvents).toEqual(
      expect.arrayContaining(['onUri', 'onStartupFinished']),
    )
  })

  it('lets only user settings set the server URL', () => {
    expect(manifest.contributes.configuration.properties['tessera.serverUrl']?.scope).toBe(
      'application',
    )
  })

  it('shows "not connected" in the status bar and greets once on first start', async () => {
    start()
    await expect
      .poll(() => testing.messages.map((m) => m.message))
      .toContainEqual(expect.stringMatching(/^Connect Tessera/))
    expect(statusBar()).toMatchObject({
      text: '$(plug) Tessera',
      command: 'tessera.connect',
      visible: true,
    })
    expect(context.globalStateValues.get('tessera.welcomed')).toBe(true)
  })
})

describe('connecting in VS Code', () => {
  it('"Sign in with browser" is offered first: the vscode:// callback of this window comes back through the URI handler', async () => {
    start()
    testing.inputs.push(tessera.url)
    testing.picks.push('browser')
    testing.onOpenExternal = async (url) => {
      const redirect = vscode.Uri.parse(tessera.oauth.approve(url))
      await testing.uriHandlers[0]?.handleUri(redirect)
    }

    await run('tessera.connect')

    const [opened] = testing.opened.map((url) => new URL(url))
    // asExternalUri's answer, registered and sent exactly (with the window's id).
    expect(opened?.searchParams.get('redirect_uri')).toBe(
      'vscode://tessera.tessera-vscode/oauth/callback?windowId=1',
    )
    const stored = JSON.parse(context.secretValues.get(SECRET_KEY) ?? '{}')
    expect(stored.oauth?.refreshToken).toMatch(/^tsrf_/)
    expect(tessera.oauth.clients.get(stored.oauth?.clientId)?.name).toBe(
      'Visual Studio Code (double) (Tessera extension)',
    )
    const [definition] = (await provider()?.provideMcpServerDefinitions()) ?? []
    const resolved = await provider()?.resolveMcpServerDefinition(
      definition as vscode.McpHttpServerDefinition,
    )
    expect(resolved?.headers).toEqual({ Authorization: `Bearer ${stored.token}` })
    expect(JSON.stringify([...context.globalStateValues, testing.outputLines])).not.toContain(
      stored.oauth?.refreshToken,
    )
  })

  it('stores the token in SecretStorage only, and the MCP server appears with the header on start', async () => {
    start()
    const token = tessera.issue({ name: 'laptop' })
    let changes = 0
    provider()?.onDidChangeMcpServerDefinitions(() => changes++)

    await connectThroughCommand(token)

    expect(testing.inputBoxes.map((box) => [box.password ?? false, box.ignoreFocusOut])).toEqual([
      [false, true],
      [true, true],
    ])
    expect(JSON.parse(context.secretValues.get(SECRET_KEY) ?? '{}')).toMatchObject({
      serverUrl: tessera.url,
      token,
    })
    expect(testing.configuration.get('tessera.serverUrl')).toBe(tessera.url)
    expect(changes).toBeGreaterThan(0)

    const [definition] = (await provider()?.provideMcpServerDefinitions()) ?? []
    expect(definition).toBeInstanceOf(vscode.McpHttpServerDefinition)
    expect(definition?.uri.toString()).toBe(`${tessera.url}/api/v1/mcp`)
    const resolved = await provider()?.resolveMcpServerDefinition(
      definition as vscode.McpHttpServerDefinition,
    )
    expect(resolved?.headers).toEqual({ Authorization: `Bearer ${token}` })

    await expect.poll(() => statusBar()?.text).toBe('$(check) Tessera')
    expect(testing.context.get('tessera.connected')).toBe(true)
    expect(testing.context.get('tessera.hasToken')).toBe(true)

    const everythingButSecrets = JSON.stringify({
      settings: [...testing.configuration],
      state: [...context.globalStateValues],
      output: testing.outputLines,
      messages: testing.messages,
      statusBar: statusBar(),
      executed: testing.executed,
    })
    expect(everythingButSecrets).not.toContain(token)
  })

  it('turns the status bar red when the token is revoked, and Sign Out removes the server', async () => {
    start()
    const token = tessera.issue()
    await connectThroughCommand(token)
    tessera.revoke(token)
    await run('tessera.showStatus')
    expect(statusBar()).toMatchObject({
      text: '$(error) Tessera: token revoked',
      command: 'tessera.replaceToken',
      backgroundColor: new vscode.ThemeColor('statusBarItem.errorBackground'),
    })

    await run('tessera.signOut')
    expect(context.secretValues.has(SECRET_KEY)).toBe(false)
    expect(await provider()?.provideMcpServerDefinitions()).toEqual([])
    await expect.poll(() => statusBar()?.text).toBe('$(plug) Tessera')
    expect(testing.context.get('tessera.hasToken')).toBe(false)
  })

  it('starts the connect flow from a vscode:// link with the server pre-filled', async () => {
    start()
    const uri = vscode.Uri.parse(
      `vscode://tessera.tessera-vscode/connect?server=${encodeURIComponent(tessera.url)}`,
    )
    await testing.uriHandlers[0]?.handleUri(uri)
    expect(testing.inputBoxes.at(-1)?.value).toBe(tessera.url)
  })
})

describe('other editors', () => {
  it('in Cursor: registers through vscode.cursor.mcp, not the provider API', async () => {
    const registered: {
      name: string
      server: { url: string; headers?: Record<string, string> }
    }[] = []
    testing.setEditor('cursor', {
      registerServer: (config: (typeof registered)[number]) => registered.push(config),
      unregisterServer: () => {},
    })
    start()
    const token = tessera.issue()
    await connectThroughCommand(token)
    expect(testing.mcpProviders.size).toBe(0)
    await expect
      .poll(() => registered.at(-1))
      .toEqual({
        name: 'tessera',
        server: { url: `${tessera.url}/api/v1/mcp`, headers: { Authorization: `Bearer ${token}` } },
      })
  })

  it('without any MCP API: offers to copy a configuration that does not contain the token', async () => {
    testing.setEditor('none')
    start()
    const token = tessera.issue()
    testing.answers.push({ match: /^Connected to/, choice: 'Copy MCP Configuration' })
    testing.picks.push('vscode')
    await connectThroughCommand(token)
    await expect.poll(() => testing.clipboard).toContain(`\${input:tessera-token}`)
    expect(testing.clipboard).not.toContain(token)
  })
})
