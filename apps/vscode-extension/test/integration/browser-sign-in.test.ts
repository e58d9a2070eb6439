/**
 * "Sign in with browser" against the real Tessera API (apps/api/dist/server.js): the extension
 * registers, the admin approves on the consent page through the console's JSON API (as a browser
 * would after signing in), the extension exchanges the code, its MCP definition works, renewals
 * rotate the refresh token, a disconnected app is asked to sign in again, and Sign Out revokes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTesseraClient } from '../../src/api-client.js'
import { createMcpProvider, type HttpDefinitionLike } from '../../src/mcp-provider.js'
import { checkToken } from '../../src/token-check.js'
import { type Credential, SECRET_KEY } from '../../src/token-store.js'
import { createHarness, DESKTOP_CALLBACK, type Harness } from '../support/harness.js'
import {
  type RealApi,
  realApiAvailable,
  removeDataDir,
  signInAsAdmin,
  startRealApi,
} from '../support/real-api.js'

// A server that is missing or does not start is a failure, never a skip.
const boot: { api: RealApi } | { reason: string } = !realApiAvailable()
  ? { reason: 'apps/api/dist/server.js is not built' }
  : await startRealApi().then(
      (api) => ({ api }),
      (error: unknown) => ({ reason: String(error) }),
    )
if ('reason' in boot) throw new Error(`The real API is needed for these tests: ${boot.reason}`)

const CLIENT_NAME = 'Visual Studio Code (Tessera extension)'

describe('sign in with browser, against the real Tessera API', () => {
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

  const stored = (h: Harness): Credential | undefined => {
    const raw = h.secrets.values.get(SECRET_KEY)
    return raw === undefined ? undefined : (JSON.parse(raw) as Credential)
  }

  /** Timers the test fires by hand: the renewal planned before the hour is up. */
  function manualTimers() {
    const pending: (() => void)[] = []
    return {
      pending,
      setTimer: (callback: () => void) => {
        pending.push(callback)
        return callback
      },
      clearTimer: (timer: unknown) => {
        const index = pending.indexOf(timer as () => void)
        if (index !== -1) pending.splice(index, 1)
      },
    }
  }

  /** Connect → "Sign in with browser", the admin approving (or denying) on the consent page. */
  async function signIn(
    options: { approve?: boolean; timers?: ReturnType<typeof manualTimers> } = {},
  ) {
    const timers = options.timers ?? manualTimers()
    const h = createHarness({
      browserCallback: DESKTOP_CALLBACK,
      refresh: { setTimer: timers.setTimer, clearTimer: timers.clearTimer, jitterMs: 0 },
    })
    h.ui.type(api.url).choose('browser')
    h.ui.onOpen = async (authorizationUrl) => {
      const redirect = new URL(await admin.decide(authorizationUrl, options.approve ?? true))
      await h.app.handleUri(redirect.pathname, redirect.search.replace(/^\?/, ''))
    }
    const connected = await h.app.commands['tessera.connect']()
    return { h, connected, timers }
  }

  async function mcpCall(authorization: string, method: string, id: number) {
    const response = await fetch(`${api.url}/api/v1/mcp`, {
      method: 'POST',
      headers: {
        authorization,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id,
        method,
        params:
          method === 'initialize'
            ? {
                protocolVersion: '2025-06-18',
                capabilities: {},
                clientInfo: { name: 'tessera-vscode-test', version: '0' },
              }
            : {},
      }),
    })
    return {
      status: response.status,
      body: (await response.json()) as { result?: Record<string, unknown> },
    }
  }

  it('approved: the tokens are stored, the MCP definition works, the app is a connected app with its own token', async () => {
    const { h, connected } = await signIn()
    expect(connected).toBe(true)

    const credential = stored(h)
    expect(credential?.oauth?.refreshToken).toMatch(/^tsrf_/)
    expect(credential?.oauth?.tokenEndpoint).toBe(`${api.url}/oauth/token`)
    const checked = await checkToken(client(), credential?.token ?? '')
    expect(checked).toMatchObject({
      ok: true,
      identity: { userEmail: 'ada@example.com', tokenName: `${CLIENT_NAME} (OAuth)` },
    })
    expect(h.ui.messages('info')).toEqual([
      `Connected to ${api.url} as ada (ada@example.com), signed in with the browser. Its tools are now available to chat.`,
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
    expect(definition?.headers).toEqual({})
    const resolved = await provider.resolveMcpServerDefinition(definition as HttpDefinitionLike)
    const authorization = resolved?.headers.Authorization ?? ''
    expect(authorization).toBe(`Bearer ${credential?.token}`)
    const initialized = await mcpCall(authorization, 'initialize', 1)
    expect(initialized.status).toBe(200)
    const listed = await mcpCall(authorization, 'tools/list', 2)
    expect(
      ((listed.body.result?.tools ?? []) as { name: string }[]).map((tool) => tool.name),
    ).toContain('create_task')
    provider.dispose()

    const grant = (await admin.grants()).find(
      (g) => g.token.id === (checked.ok ? checked.identity.tokenId : ''),
    )
    expect(grant).toMatchObject({ client: { name: CLIENT_NAME }, status: 'active' })
    expect(h.persistedOutsideSecrets()).not.toContain(credential?.token)
    expect(h.persistedOutsideSecrets()).not.toContain(credential?.oauth?.refreshToken)
  })

  it('denied on the consent page: nothing is stored', async () => {
    const { h, connected } = await signIn({ approve: false })
    expect(connected).toBe(false)
    expect(h.ui.messages('warning')).toEqual([
      'The connection was denied in the browser, so VS Code stored nothing.',
    ])
    expect(stored(h)).toBeUndefined()
  })

  it('renewal: new access and refresh tokens; the old access token is refused; replaying the old refresh token would end the grant, so it is never sent again', async () => {
    const { h, timers } = await signIn()
    const first = stored(h)
    if (!first?.oauth) throw new Error('not signed in')
    await expect.poll(() => timers.pending.length).toBe(1)

    timers.pending.shift()?.()
    await expect.poll(() => stored(h)?.token).not.toBe(first.token)

    const second = stored(h)
    expect(second?.oauth?.refreshToken).toMatch(/^tsrf_/)
    expect(second?.oauth?.refreshToken).not.toBe(first.oauth.refreshToken)
    expect(await checkToken(client(), first.token)).toMatchObject({
      ok: false,
      failure: { code: 'token_invalid' },
    })
    const outcome = await h.app.connection.check({ force: true })
    expect(outcome).toMatchObject({
      state: { kind: 'connected', browser: true },
      token: second?.token,
    })
    // Still the same connected app, one line in the token list.
    const checked = await checkToken(client(), second?.token ?? '')
    expect(checked).toMatchObject({ ok: true, identity: { tokenName: `${CLIENT_NAME} (OAuth)` } })
    await expect.poll(() => timers.pending.length).toBe(1)
  })

  it('disconnected in the console: the renewal is refused and the user is asked to sign in again', async () => {
    const { h, timers } = await signIn()
    const credential = stored(h)
    const checked = await checkToken(client(), credential?.token ?? '')
    if (!checked.ok) throw new Error('not signed in')
    const grant = (await admin.grants()).find((g) => g.token.id === checked.identity.tokenId)
    if (!grant) throw new Error('no grant')
    await admin.disconnect(grant.id)

    await expect.poll(() => timers.pending.length).toBe(1)
    timers.pending.shift()?.()

    await expect
      .poll(() => h.ui.messages('warning').at(-1))
      .toMatch(/^Your Tessera sign-in has ended \(.+\)\. Sign in again/)
    expect(h.ui.shown.at(-1)?.actions).toEqual(['Sign In with Browser'])
    await expect
      .poll(() => h.app.connection.state)
      .toMatchObject({ kind: 'rejected', browser: true, failure: { code: 'token_revoked' } })
  })

  it('Sign Out revokes the grant on the server (POST /oauth/revoke) and clears the secrets', async () => {
    const { h } = await signIn()
    const credential = stored(h)
    const checked = await checkToken(client(), credential?.token ?? '')
    if (!checked.ok) throw new Error('not signed in')

    await h.app.commands['tessera.signOut']()

    expect(h.secrets.values.has(SECRET_KEY)).toBe(false)
    const grant = (await admin.grants()).find((g) => g.token.id === checked.identity.tokenId)
    expect(grant?.status).toBe('revoked')
    expect(await checkToken(client(), credential?.token ?? '')).toMatchObject({
      ok: false,
      failure: { code: 'token_revoked' },
    })
  })
})
