/**
 * "Sign in with browser" through the app, against the fake server's OAuth endpoints; the test
 * plays the browser (`ui.onOpen`): it approves or denies on the "consent page" and hands the
 * redirect back to the extension's URI handler, as VS Code does with the vscode:// link.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REGISTRATIONS_KEY } from '../src/browser-sign-in.js'
import { createMcpProvider, type HttpDefinitionLike } from '../src/mcp-provider.js'
import { createFileCoordinator } from '../src/renewal-lock.js'
import { type Credential, SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { createHarness, DESKTOP_CALLBACK, type Harness, MemorySecrets } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

const stored = (h: Harness): Credential | undefined => {
  const raw = h.secrets.values.get(SECRET_KEY)
  if (raw === undefined) return undefined
  const { v: _version, ...credential } = JSON.parse(raw) as Credential & { v: number }
  return credential
}

/** Where the browser lands, handed to the extension as VS Code hands it a vscode:// link. */
function deliver(h: Harness, redirect: string) {
  const url = new URL(redirect)
  return h.app.handleUri(url.pathname, url.search.replace(/^\?/, ''))
}

/** The browser: the user approves (or denies) whatever authorization URL the extension opens. */
function browser(h: Harness, decision: 'approve' | 'deny' = 'approve') {
  const opened: URL[] = []
  h.ui.onOpen = async (url) => {
    opened.push(new URL(url))
    await deliver(h, decision === 'approve' ? tessera.oauth.approve(url) : tessera.oauth.deny(url))
  }
  return opened
}

function signedInHarness(options: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness({ browserCallback: DESKTOP_CALLBACK, ...options })
  h.ui.type(tessera.url).choose('browser')
  return h
}

describe('sign in with browser', () => {
  it('is offered first; PKCE S256, state and the MCP resource go to the browser; both tokens land in secret storage only', async () => {
    const h = signedInHarness()
    const opened = browser(h)

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    const [authorization] = opened
    if (!authorization) throw new Error('no browser opened')
    expect(`${authorization.origin}${authorization.pathname}`).toBe(
      `${tessera.url}/oauth/authorize`,
    )
    const params = authorization.searchParams
    expect(params.get('response_type')).toBe('code')
    expect(params.get('code_challenge_method')).toBe('S256')
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(params.get('state')?.length).toBeGreaterThanOrEqual(22)
    expect(params.get('resource')).toBe(`${tessera.url}/api/v1/mcp`)
    expect(params.get('redirect_uri')).toBe(DESKTOP_CALLBACK)
    const clientId = params.get('client_id') ?? ''
    // Registered with exactly the redirect URI the editor gave, under the editor's name.
    expect(tessera.oauth.clients.get(clientId)).toEqual({
      name: 'Visual Studio Code (Tessera extension)',
      redirectUris: [DESKTOP_CALLBACK],
    })

    const credential = stored(h)
    expect(credential?.serverUrl).toBe(tessera.url)
    expect(credential?.token).toMatch(/^tsr_/)
    expect(credential?.oauth).toMatchObject({
      clientId,
      refreshToken: expect.stringMatching(/^tsrf_/),
      tokenEndpoint: `${tessera.url}/oauth/token`,
      revocationEndpoint: `${tessera.url}/oauth/revoke`,
    })
    expect(h.ui.messages('info')).toEqual([
      `Connected to ${tessera.url} as Ada Lovelace (ada@example.com), signed in with the browser. Its tools are now available to chat.`,
    ])
    await expect
      .poll(() => h.app.connection.state)
      .toMatchObject({ kind: 'connected', browser: true })
    const outside = h.persistedOutsideSecrets()
    expect(outside).not.toContain(credential?.token)
    expect(outside).not.toContain(credential?.oauth?.refreshToken)
    // The code is in the redirect (OAuth needs it there) but never in a log line.
    expect(h.log.lines.join('\n')).not.toMatch(/code=|tsrf_[A-Za-z0-9]/)
  })

  it('reuses its registration for the same server and redirect URI next time', async () => {
    const h = signedInHarness()
    const opened = browser(h)
    await h.app.commands['tessera.connect']()
    h.ui.type(tessera.url).choose('browser')
    await h.app.commands['tessera.connect']()
    const [first, second] = opened.map((url) => url.searchParams.get('client_id'))
    expect(second).toBe(first)
    expect(h.flags.get<unknown[]>(REGISTRATIONS_KEY)).toHaveLength(1)
  })

  it('a response whose state this window did not send is ignored: its code is never exchanged', async () => {
    const h = signedInHarness()
    const before = tessera.oauth.tokenRequests.length
    h.ui.onOpen = async (url) => {
      // Someone else's authorization response (their code, their state) arrives first...
      const forged = new URL(tessera.oauth.approve(url))
      forged.searchParams.set('state', 'attacker-chosen-state')
      await deliver(h, forged.toString())
      expect(tessera.oauth.tokenRequests.length).toBe(before)
      // ...then the user's own approval comes back.
      await deliver(h, tessera.oauth.approve(url))
    }

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    expect(h.ui.messages('warning')).toEqual([
      expect.stringMatching(/^Tessera ignored a sign-in response from the browser/),
    ])
    expect(tessera.oauth.tokenRequests.slice(before)).toEqual(['authorization_code'])
  })

  it('a response without any state is ignored too', async () => {
    const h = signedInHarness()
    h.ui.cancelProgress(/approve the connection/)
    h.ui.onOpen = async (url) => {
      const stripped = new URL(tessera.oauth.approve(url))
      stripped.searchParams.delete('state')
      await deliver(h, stripped.toString())
    }
    const before = tessera.oauth.tokenRequests.length
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(tessera.oauth.tokenRequests.length).toBe(before)
    expect(stored(h)).toBeUndefined()
  })

  it('denied on the consent page: nothing is stored, and a token can be pasted instead', async () => {
    const h = signedInHarness()
    browser(h, 'deny')
    const token = tessera.issue({ name: 'pasted' })
    h.ui.answer(/denied in the browser/, 'Paste a Token Instead').type(token)

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    expect(h.ui.messages('warning')).toEqual([
      'The connection was denied in the browser, so VS Code stored nothing.',
    ])
    expect(h.ui.shown[0]?.actions).toEqual(['Try Again', 'Paste a Token Instead'])
    expect(h.ui.inputsAsked.at(-1)).toMatchObject({
      title: 'Connect Tessera: paste a token',
      password: true,
    })
    expect(stored(h)).toEqual({ serverUrl: tessera.url, token })
  })

  it('denied and dismissed: nothing is stored', async () => {
    const h = signedInHarness()
    browser(h, 'deny')
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(stored(h)).toBeUndefined()
    expect(h.workspace.values.get('tessera.serverUrl')).toBeUndefined()
  })

  it('a response from another issuer is refused before its code is exchanged (RFC 9207)', async () => {
    const h = signedInHarness()
    const before = tessera.oauth.tokenRequests.length
    h.ui.onOpen = async (url) => {
      const mixedUp = new URL(tessera.oauth.approve(url))
      mixedUp.searchParams.set('iss', 'https://evil.example')
      await deliver(h, mixedUp.toString())
    }
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.ui.messages('error')).toEqual([
      'The browser came back from another server than the one this sign-in went to.',
    ])
    expect(tessera.oauth.tokenRequests.length).toBe(before)
  })

  it('cancelled while waiting: nothing is stored, and a late response is ignored', async () => {
    const h = signedInHarness()
    let late = ''
    h.ui.cancelProgress(/approve the connection/)
    h.ui.onOpen = (url) => {
      late = tessera.oauth.approve(url)
    }
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    const before = tessera.oauth.tokenRequests.length
    await deliver(h, late)
    expect(tessera.oauth.tokenRequests.length).toBe(before)
    expect(stored(h)).toBeUndefined()
  })

  it('a server with OAuth turned off: says so and takes a token instead', async () => {
    tessera.oauth.enabled = false
    try {
      const h = signedInHarness()
      const token = tessera.issue()
      h.ui.answer(/does not offer signing in with the browser/, 'Paste a Token Instead').type(token)
      expect(await h.app.commands['tessera.connect']()).toBe(true)
      expect(h.ui.opened).toEqual([])
      expect(stored(h)).toEqual({ serverUrl: tessera.url, token })
    } finally {
      tessera.oauth.enabled = true
    }
  })

  it('code-server reached over plain http from another machine: the redirect is refused, with the reason', async () => {
    const h = signedInHarness({
      browserCallback: 'http://192.0.2.10:8080/callback?vscode-reqid=1&vscode-scheme=code-oss',
    })
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.ui.messages('warning')).toEqual([
      expect.stringMatching(
        /^Tessera does not accept this editor's sign-in address \(http:\/\/192\.0\.2\.10:8080\).*paste an API token instead\.$/,
      ),
    ])
    expect(h.ui.opened).toEqual([])
  })

  it('code-server with Tessera at 127.0.0.1: says the browser cannot open that link, before anything is sent', async () => {
    const h = signedInHarness({
      webEditor: true,
      browserCallback: 'http://127.0.0.1:8080/callback?vscode-reqid=1&vscode-scheme=code-oss',
    })
    const before = tessera.requests.length
    const token = tessera.issue()
    h.ui.answer(/cannot open sign-in links/, 'Paste a Token Instead').type(token)
    expect(await h.app.commands['tessera.connect']()).toBe(true)
    expect(h.ui.messages('warning')).toEqual([
      expect.stringMatching(
        /^This editor runs in a browser, which cannot open sign-in links to 127\.0\.0\.1:\d+\. Enter the server under the machine's name/,
      ),
    ])
    expect(h.ui.opened).toEqual([])
    expect(
      tessera.requests
        .slice(before)
        .filter((r) => r.path.startsWith('/oauth') || r.path.startsWith('/.well-known')),
    ).toEqual([])
    expect(stored(h)).toEqual({ serverUrl: tessera.url, token })
  })

  it('code-server over https: the exact callback URL is registered and the response comes back through it', async () => {
    const callback =
      'https://code.example.com/callback?vscode-reqid=3&vscode-scheme=code-oss&vscode-authority=tessera.tessera-vscode&vscode-path=%2Foauth%2Fcallback'
    const h = signedInHarness({ browserCallback: callback })
    h.ui.onOpen = async (url) => {
      const redirect = new URL(tessera.oauth.approve(url))
      expect(redirect.searchParams.get('vscode-reqid')).toBe('3')
      // code-server's callback page turns it back into the extension's URI with the response.
      const params = new URLSearchParams(redirect.search)
      for (const key of [...params.keys()]) if (key.startsWith('vscode-')) params.delete(key)
      await h.app.handleUri('/oauth/callback', params.toString())
    }
    expect(await h.app.commands['tessera.connect']()).toBe(true)
    const clientId = stored(h)?.oauth?.clientId ?? ''
    expect(tessera.oauth.clients.get(clientId)?.redirectUris).toEqual([callback])
  })
})

describe('sign out and replacing a browser sign-in', () => {
  it('Sign Out revokes the grant on the server and clears the secrets', async () => {
    const h = signedInHarness()
    browser(h)
    await h.app.commands['tessera.connect']()
    const credential = stored(h)
    if (!credential?.oauth) throw new Error('not signed in')
    expect(tessera.oauth.grantAlive(credential.oauth.refreshToken)).toBe(true)

    await h.app.commands['tessera.signOut']()

    expect(tessera.oauth.grantAlive(credential.oauth.refreshToken)).toBe(false)
    expect(h.secrets.values.has(SECRET_KEY)).toBe(false)
    expect(h.ui.messages('info').at(-1)).toBe(
      'Signed out of Tessera: the connection was ended on the server and its tokens were removed from VS Code.',
    )
  })

  it('pasting a token over a browser sign-in ends that sign-in on the server', async () => {
    const h = signedInHarness()
    browser(h)
    await h.app.commands['tessera.connect']()
    const before = stored(h)
    const token = tessera.issue()
    h.ui.type(token)
    expect(await h.app.commands['tessera.replaceToken']()).toBe(true)
    await expect.poll(() => tessera.oauth.grantAlive(before?.oauth?.refreshToken ?? '')).toBe(false)
    expect(stored(h)).toEqual({ serverUrl: tessera.url, token })
  })

  it('Rotate Token explains that a browser sign-in renews itself', async () => {
    const h = signedInHarness()
    browser(h)
    await h.app.commands['tessera.connect']()
    expect(await h.app.commands['tessera.rotateToken']()).toBe(false)
    expect(h.ui.messages('info').at(-1)).toMatch(/renews that access by itself/)
  })
})

/** A timer the test fires by hand. */
function manualTimers() {
  const pending: { callback: () => void; ms: number }[] = []
  return {
    pending,
    setTimer: (callback: () => void, ms: number) => {
      const entry = { callback, ms }
      pending.push(entry)
      return entry
    },
    clearTimer: (timer: unknown) => {
      const index = pending.indexOf(timer as (typeof pending)[number])
      if (index !== -1) pending.splice(index, 1)
    },
    /** Fires the one pending timer and waits for the renewal it starts. */
    async fire() {
      const entry = pending.shift()
      if (!entry) throw new Error('no renewal planned')
      entry.callback()
    },
  }
}

describe('renewing a browser sign-in', () => {
  it('renews before expiry: new access and refresh tokens, the old ones dead, the MCP definition re-offered with the new token', async () => {
    const timers = manualTimers()
    const h = signedInHarness({ refresh: { ...timers, jitterMs: 0, marginMs: 5 * 60_000 } })
    browser(h)
    await h.app.commands['tessera.connect']()
    const first = stored(h)
    if (!first?.oauth) throw new Error('not signed in')
    const provider = createMcpProvider<HttpDefinitionLike & { version: string | undefined }>({
      connection: h.app.connection,
      ui: h.ui,
      log: h.log,
      now: Date.now,
      runAction: h.app.runAction,
      createDefinition: (label, url, version) => ({
        label,
        uri: new URL(url),
        headers: {},
        version,
      }),
    })
    let changes = 0
    provider.onDidChangeMcpServerDefinitions(() => changes++)

    await expect.poll(() => timers.pending.length).toBe(1)
    // Planned five minutes before the hour is up.
    const planned = timers.pending[0]?.ms ?? 0
    expect(planned).toBeGreaterThan(54 * 60_000)
    expect(planned).toBeLessThanOrEqual(55 * 60_000)
    await timers.fire()

    await expect.poll(() => stored(h)?.token).not.toBe(first.token)
    const second = stored(h)
    expect(second?.oauth?.refreshToken).not.toBe(first.oauth.refreshToken)
    expect(tessera.oauth.tokenRequests.at(-1)).toBe('refresh_token')
    expect(changes).toBeGreaterThan(0)
    const [definition] = await provider.provideMcpServerDefinitions()
    const resolved = await provider.resolveMcpServerDefinition(definition as never)
    expect(resolved?.headers.Authorization).toBe(`Bearer ${second?.token}`)
    expect(resolved?.version).toBe(second?.token.slice(0, 10))
    // The replaced access token stopped working; the grant lives on.
    const old = await fetch(`${tessera.url}/api/v1/tokens/self`, {
      headers: { authorization: `Bearer ${first.token}` },
    })
    expect(old.status).toBe(401)
    expect(tessera.oauth.grantAlive(second?.oauth?.refreshToken ?? '')).toBe(true)
    // And the next renewal is planned.
    await expect.poll(() => timers.pending.length).toBe(1)
    provider.dispose()
  })

  it('renews when the server calls the access token expired, then connects with the new one', async () => {
    const h = signedInHarness()
    browser(h)
    await h.app.commands['tessera.connect']()
    const first = stored(h)
    if (!first) throw new Error('not signed in')
    tessera.expire(first.token)

    const outcome = await h.app.connection.check({ force: true })

    expect(outcome.state).toMatchObject({ kind: 'connected', browser: true })
    expect(outcome.token).not.toBe(first.token)
    expect(outcome.token).toBe(stored(h)?.token)
  })

  it('renews an access token that expired while VS Code was closed before judging it', async () => {
    const secrets = new MemorySecrets()
    const h = signedInHarness({ secrets })
    browser(h)
    await h.app.commands['tessera.connect']()
    const first = stored(h)
    if (!first?.oauth) throw new Error('not signed in')
    await h.app.connection.check()
    await secrets.store(
      SECRET_KEY,
      JSON.stringify({ ...first, oauth: { ...first.oauth, accessTokenExpiresAt: Date.now() - 1 } }),
    )
    const before = tessera.requests.length
    const outcome = await h.app.connection.check({ force: true })
    expect(outcome.state.kind).toBe('connected')
    // The expired token was not sent anywhere first.
    expect(
      tessera.requests.slice(before).filter((r) => r.authorization === `Bearer ${first.token}`),
    ).toEqual([])
  })

  it('a grant that ended while VS Code was closed: renewing fails, and the state says to sign in again', async () => {
    const secrets = new MemorySecrets()
    const h = signedInHarness({ secrets })
    browser(h)
    await h.app.commands['tessera.connect']()
    const first = stored(h)
    if (!first?.oauth) throw new Error('not signed in')
    await h.app.connection.check()
    tessera.oauth.endGrantOf(first.token)
    await secrets.store(
      SECRET_KEY,
      JSON.stringify({ ...first, oauth: { ...first.oauth, accessTokenExpiresAt: Date.now() - 1 } }),
    )

    const outcome = await h.app.connection.check({ force: true })

    expect(outcome.state).toMatchObject({
      kind: 'rejected',
      browser: true,
      failure: { code: 'sign_in_ended', message: 'Invalid grant: refresh token is invalid' },
    })
    expect(outcome.token).toBeUndefined()
  })

  it('a grant revoked in the console: renewal fails, the state says to sign in again, and the MCP server is not started', async () => {
    const timers = manualTimers()
    const h = signedInHarness({ refresh: { ...timers, jitterMs: 0 } })
    browser(h)
    await h.app.commands['tessera.connect']()
    const credential = stored(h)
    if (!credential) throw new Error('not signed in')
    tessera.oauth.endGrantOf(credential.token)

    await expect.poll(() => timers.pending.length).toBe(1)
    await timers.fire()

    await expect
      .poll(() => h.ui.messages('warning').at(-1))
      .toMatch(
        /^Your Tessera sign-in has ended \(Invalid grant: refresh token is invalid\)\. Sign in again/,
      )
    expect(h.ui.shown.at(-1)?.actions).toEqual(['Sign In with Browser'])
    // Revoking the grant revoked its access token too: that is what the check finds.
    await expect
      .poll(() => h.app.connection.state)
      .toMatchObject({
        kind: 'rejected',
        browser: true,
        failure: { code: 'token_revoked' },
      })

    const provider = createMcpProvider<HttpDefinitionLike>({
      connection: h.app.connection,
      ui: h.ui,
      log: h.log,
      now: Date.now,
      runAction: h.app.runAction,
      createDefinition: (label, url) => ({ label, uri: new URL(url), headers: {} }),
    })
    const [definition] = await provider.provideMcpServerDefinitions()
    expect(await provider.resolveMcpServerDefinition(definition as HttpDefinitionLike)).toBe(
      undefined,
    )
    expect(h.ui.messages('error').at(-1)).toMatch(
      /^Tessera's MCP server was not started\. Your browser sign-in to .* has ended: its access was revoked in the console\. Sign in again to reconnect\.$/,
    )
    provider.dispose()
  })

  it('"Sign In with Browser" after the sign-in ended goes straight to the browser', async () => {
    const h = signedInHarness()
    const opened = browser(h)
    await h.app.commands['tessera.connect']()
    await h.app.runAction('Sign In with Browser', { serverUrl: tessera.url })
    expect(opened).toHaveLength(2)
    expect(h.ui.inputsAsked).toHaveLength(1)
    expect(h.app.connection.state).toMatchObject({ kind: 'connected', browser: true })
  })

  it('two windows renewing at the same moment present the refresh token once; the grant survives', async () => {
    const secrets = new MemorySecrets()
    const dir = mkdtempSync(join(tmpdir(), 'tessera-renewal-'))
    try {
      const windows = [0, 1].map(() =>
        signedInHarness({
          secrets,
          serverUrl: tessera.url,
          coordinator: createFileCoordinator(dir),
          refresh: { ...manualTimers(), jitterMs: 0 },
        }),
      )
      const [first, second] = windows as [Harness, Harness]
      browser(first)
      await first.app.commands['tessera.connect']()
      const signedIn = stored(first)
      if (!signedIn) throw new Error('not signed in')
      tessera.expire(signedIn.token)
      const before = tessera.oauth.tokenRequests.length

      const outcomes = await Promise.all(
        windows.map((w) => w.app.connection.check({ force: true })),
      )

      expect(outcomes.map((o) => o.state.kind)).toEqual(['connected', 'connected'])
      expect(tessera.oauth.tokenRequests.slice(before)).toEqual(['refresh_token'])
      expect(outcomes[0]?.token).toBe(outcomes[1]?.token)
      expect(tessera.oauth.grantAlive(stored(second)?.oauth?.refreshToken ?? '')).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
