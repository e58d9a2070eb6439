import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionState } from '../src/connection.js'
import { createExpiryWatcher, expiresSoon } from '../src/expiry.js'
import { createMcpProvider, type HttpDefinitionLike } from '../src/mcp-provider.js'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, reply, startFakeTessera } from './support/fake-tessera.js'
import { createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

const DAY = 86_400_000
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString()

async function connected(expiresAt: string | null) {
  const h = createHarness({ serverUrl: tessera.url })
  const token = tessera.issue({ name: 'laptop', expiresAt })
  await h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: tessera.url, token }))
  const { state } = await h.app.connection.check()
  const watcher = createExpiryWatcher({
    connection: h.app.connection,
    ui: h.ui,
    now: Date.now,
    rotate: h.app.commands['tessera.rotateToken'],
  })
  return { h, token, state, watcher }
}

const stored = (h: ReturnType<typeof createHarness>) =>
  JSON.parse(h.secrets.values.get(SECRET_KEY) ?? '{}') as { token?: string }

describe('expiry warning', () => {
  it('warns once when the token expires within 7 days', async () => {
    const { h, state, watcher } = await connected(inDays(3))
    await watcher.consider(state)
    await watcher.consider(state)
    expect(h.ui.shown).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(
          /^Your Tessera token "laptop" expires \d{4}-\d{2}-\d{2} \(in 3 days\)\. Rotate it now/,
        ),
        actions: ['Rotate Now', 'Later'],
        modal: false,
      },
    ])
  })

  it('stays quiet for a token with more than 7 days left or no expiry', async () => {
    for (const expiresAt of [inDays(8), null]) {
      const { h, state, watcher } = await connected(expiresAt)
      await watcher.consider(state)
      expect(h.ui.shown).toEqual([])
    }
  })

  it('stays quiet for a browser sign-in, whose access token always expires within the hour', async () => {
    const { h, state, watcher } = await connected(inDays(1 / 24))
    if (state.kind !== 'connected') throw new Error('not connected')
    await watcher.consider({ ...state, browser: true })
    expect(h.ui.shown).toEqual([])
    await watcher.consider(state)
    expect(h.ui.shown).toHaveLength(1)
  })

  it('knows where the 7-day line is', () => {
    const now = Date.parse('2026-03-01T00:00:00Z')
    expect(expiresSoon('2026-03-08T00:00:00Z', now)).toBe(true)
    expect(expiresSoon('2026-03-08T00:00:01Z', now)).toBe(false)
    expect(expiresSoon('2026-02-28T00:00:00Z', now)).toBe(false)
    expect(expiresSoon(null, now)).toBe(false)
  })
})

describe('rotation', () => {
  it('"Rotate Now" stores the new secret; the old one stops working; the state follows', async () => {
    const { h, token, state, watcher } = await connected(inDays(2))
    h.ui.answer(/expires/, 'Rotate Now')

    await watcher.consider(state)

    const rotated = stored(h).token
    expect(rotated).toMatch(/^tsr_/)
    expect(rotated).not.toBe(token)
    expect(h.ui.messages('info')).toEqual([
      expect.stringMatching(
        /^Token "laptop" rotated: the new secret is stored and expires \d{4}-\d{2}-\d{2}; the old one no longer works\./,
      ),
    ])
    expect(h.persistedOutsideSecrets()).not.toContain(rotated)
    const { state: after } = await h.app.connection.check()
    expect(after).toMatchObject({ kind: 'connected', identity: { tokenName: 'laptop' } })
  })

  it('hands the MCP server the new token without a restart: change event, new version, new header', async () => {
    const { h, token } = await connected(inDays(2))
    const provider = createMcpProvider<HttpDefinitionLike & { version?: string }>({
      connection: h.app.connection,
      ui: h.ui,
      log: h.log,
      now: Date.now,
      runAction: h.app.runAction,
      createDefinition: (label, url, version) => ({
        label,
        uri: new URL(url),
        headers: {},
        ...(version ? { version } : {}),
      }),
    })
    let changes = 0
    provider.onDidChangeMcpServerDefinitions(() => changes++)
    const [before] = await provider.provideMcpServerDefinitions()

    await h.app.commands['tessera.rotateToken']()

    const [after] = await provider.provideMcpServerDefinitions()
    const rotated = stored(h).token
    expect(changes).toBe(1)
    expect(after?.version).not.toBe(before?.version)
    expect(
      (await provider.resolveMcpServerDefinition(after as HttpDefinitionLike))?.headers
        .Authorization,
    ).toBe(`Bearer ${rotated}`)
    expect(rotated).not.toBe(token)
  })

  it('keeps the old secret and explains when the server refuses the rotation', async () => {
    const { h, token } = await connected(inDays(2))
    tessera.overrideOnce(
      '/api/v1/tokens/self/rotate',
      reply.json(403, {
        status: 403,
        code: 'permission_denied',
        message: 'This needs the ManageApiTokens permission.',
      }),
    )
    expect(await h.app.commands['tessera.rotateToken']()).toBe(false)
    expect(stored(h).token).toBe(token)
    expect(h.ui.messages('error')).toEqual([
      expect.stringMatching(/^Could not rotate the token\. .*ManageApiTokens/),
    ])
  })

  it('offers to copy the new secret when it cannot be stored, since the old one is already dead', async () => {
    const { h } = await connected(inDays(2))
    h.secrets.readOnly = true
    h.ui.answer(/could not store the new secret/, 'Copy New Token')
    expect(await h.app.commands['tessera.rotateToken']()).toBe(false)
    expect(h.ui.shown.at(-1)).toMatchObject({ level: 'error', modal: true })
    expect(h.ui.clipboard).toMatch(/^tsr_/)
  })

  it('says "not connected" when there is nothing to rotate', async () => {
    const h = createHarness()
    expect(await h.app.commands['tessera.rotateToken']()).toBe(false)
    expect(h.ui.messages()).toEqual(['Tessera is not connected.'])
  })

  it('reacts to state changes published by the connection', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const watcher = createExpiryWatcher({
      connection: h.app.connection,
      ui: h.ui,
      now: Date.now,
      rotate: async () => {},
    })
    const token = tessera.issue({ expiresAt: inDays(1) })
    await h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl: tessera.url, token }))
    await expect.poll(() => h.ui.shown.length).toBe(1)
    watcher.dispose()
    const state: ConnectionState = h.app.connection.state
    expect(state.kind).toBe('connected')
  })
})
