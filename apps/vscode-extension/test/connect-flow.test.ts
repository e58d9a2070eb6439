import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, reply, startFakeTessera } from './support/fake-tessera.js'
import { closedPort, createHarness, type Harness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

const storedSecret = (h: Harness) => {
  const raw = h.secrets.values.get(SECRET_KEY)
  if (raw === undefined) return undefined
  const { serverUrl, token } = JSON.parse(raw) as { serverUrl: string; token: string }
  return { serverUrl, token }
}
const requestsWith = (token: string) =>
  tessera.requests.filter((r) => r.authorization?.includes(token))

describe('connecting', () => {
  it('stores a token the server accepted, in secret storage only, and says who it belongs to', async () => {
    const h = createHarness()
    const token = tessera.issue({ name: 'laptop', userName: 'Ada Lovelace' })
    h.ui.type(`${tessera.url}/`, token)

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    expect(storedSecret(h)).toEqual({ serverUrl: tessera.url, token })
    expect(h.workspace.values.get('tessera.serverUrl')).toBe(tessera.url)
    expect(h.ui.messages('info')).toEqual([
      expect.stringMatching(
        /^Connected to http:\/\/127\.0\.0\.1:\d+ as Ada Lovelace \(ada@example\.com\) with token "laptop" \(tsr_\w{6}\), which does not expire\. Its tools are now available to chat\.$/,
      ),
    ])
    expect(h.persistedOutsideSecrets()).not.toContain(token)
  })

  it('asks for the token in a password box', async () => {
    const h = createHarness()
    h.ui.type(tessera.url, tessera.issue())
    await h.app.commands['tessera.connect']()
    expect(h.ui.inputsAsked.map((box) => box.password ?? false)).toEqual([false, true])
  })

  it('refuses a mistyped token in the input box, before any request carries it', async () => {
    const h = createHarness()
    const token = tessera.issue()
    const typo = `${token.slice(0, 20)}${token[20] === 'a' ? 'b' : 'a'}${token.slice(21)}`
    h.ui.type(tessera.url, typo, 'tsr_short', token)

    await h.app.commands['tessera.connect']()

    expect(h.ui.validationMessages).toEqual([
      expect.stringMatching(/typo/),
      expect.stringMatching(/not a complete Tessera token/),
    ])
    expect(requestsWith(typo)).toEqual([])
    expect(storedSecret(h)?.token).toBe(token)
  })

  it('does not store a revoked token, says why, and takes another one', async () => {
    const h = createHarness()
    const revoked = tessera.issue()
    tessera.revoke(revoked)
    const good = tessera.issue()
    h.ui.type(tessera.url, revoked, good).answer(/revoked/, 'Paste Another Token')

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    expect(h.ui.messages('error')).toEqual([
      expect.stringMatching(/^Your Tessera token has been revoked\./),
    ])
    expect(h.ui.shown[0]?.actions).toEqual(['Paste Another Token', 'Open API Tokens'])
    expect(storedSecret(h)?.token).toBe(good)
  })

  it.each([
    ['expired', (t: string) => tessera.expire(t), /has expired/],
    ['disabled user', (t: string) => tessera.disableUser(t), /account is disabled/],
  ])('does not store the token of a %s', async (_what, spoil, text) => {
    const h = createHarness()
    const token = tessera.issue()
    spoil(token)
    h.ui.type(tessera.url, token)
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.ui.messages('error')).toEqual([expect.stringMatching(text)])
    expect(h.secrets.values.size).toBe(0)
    expect(h.workspace.values.get('tessera.serverUrl')).toBeUndefined()
  })

  it('opens the API Tokens page when asked, then takes the new token', async () => {
    const h = createHarness()
    const unknown = tessera.issue()
    tessera.revoke(unknown)
    const good = tessera.issue()
    h.ui.type(tessera.url, unknown, good).answer(/revoked/, 'Open API Tokens')
    expect(await h.app.commands['tessera.connect']()).toBe(true)
    expect(h.ui.opened).toEqual([`${tessera.url}/tokens`])
  })

  it('accepts a token pasted with "Bearer " or quotes around it', async () => {
    const h = createHarness()
    const token = tessera.issue()
    h.ui.type(tessera.url, ` "Bearer ${token}" `)
    await h.app.commands['tessera.connect']()
    expect(storedSecret(h)?.token).toBe(token)
  })

  it('changes nothing when the user cancels at the token step', async () => {
    const h = createHarness({ serverUrl: 'https://old.example.com' })
    h.ui.type(tessera.url, undefined)
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.secrets.values.size).toBe(0)
    expect(h.workspace.values.get('tessera.serverUrl')).toBe('https://old.example.com')
  })

  it('explains a secret storage failure and keeps the token out of the message', async () => {
    const h = createHarness()
    h.secrets.readOnly = true
    const token = tessera.issue()
    h.ui.type(tessera.url, token)
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.ui.messages('error')).toEqual([expect.stringMatching(/could not store it .*keyring/)])
    expect(h.persistedOutsideSecrets()).not.toContain(token)
  })

  it('offers the MCP configuration after connecting in an editor without an MCP API', async () => {
    const h = createHarness({ mcpHost: 'none' })
    h.ui.type(tessera.url, tessera.issue())
    await h.app.commands['tessera.connect']()
    expect(h.ui.shown.at(-1)?.actions).toEqual(['Copy MCP Configuration'])
  })
})

describe('connecting: the server URL step', () => {
  it('reports an unreachable server and lets the user fix the address', async () => {
    const h = createHarness()
    const port = await closedPort()
    h.ui
      .type(`http://127.0.0.1:${port}`, tessera.url, tessera.issue())
      .answer(/Cannot reach/, 'Change Server URL')

    expect(await h.app.commands['tessera.connect']()).toBe(true)

    expect(h.ui.messages('error')).toEqual([
      expect.stringMatching(/^Cannot reach 127\.0\.0\.1:\d+: nothing is listening there/),
    ])
    expect(h.ui.shown[0]?.actions).toEqual(['Try Again', 'Change Server URL'])
    expect(h.ui.inputsAsked[1]?.value).toBe(`http://127.0.0.1:${port}`)
  })

  it('offers the final address when the server redirects, pre-filled for confirmation', async () => {
    const h = createHarness()
    tessera.overrideOnce('/api/v1/me', reply.redirect(`${tessera.url}/api/v1/me/`, 308))
    h.ui
      .type(`${tessera.url}/`, tessera.url, tessera.issue())
      .answer(/redirects/, `Use ${tessera.url}`)
    expect(await h.app.commands['tessera.connect']()).toBe(true)
    expect(h.ui.inputsAsked[1]?.value).toBe(tessera.url)
  })

  it('says when the address is not a Tessera server', async () => {
    const h = createHarness()
    tessera.overrideOnce('/api/v1/me', reply.html(200, '<html>Welcome to nginx</html>'))
    h.ui.type(tessera.url)
    expect(await h.app.commands['tessera.connect']()).toBe(false)
    expect(h.ui.messages('error')).toEqual([expect.stringMatching(/No Tessera API answered at/)])
  })

  it('warns before using plain http to another machine, and asks again when the user declines', async () => {
    const h = createHarness()
    h.ui.type('http://tessera.example.com', tessera.url, tessera.issue())
    await h.app.commands['tessera.connect']()
    expect(h.ui.shown[0]).toMatchObject({
      level: 'warning',
      modal: true,
      message: expect.stringMatching(/unencrypted to tessera\.example\.com/),
    })
    expect(storedSecret(h)?.serverUrl).toBe(tessera.url)
  })

  it('refuses an unusable address in the input box', async () => {
    const h = createHarness()
    h.ui.type('ftp://tessera.example.com', tessera.url, tessera.issue())
    await h.app.commands['tessera.connect']()
    expect(h.ui.validationMessages).toEqual([expect.stringMatching(/https:\/\//)])
  })
})

describe('replacing the token and moving servers', () => {
  it('Replace Token keeps the server and swaps the secret', async () => {
    const h = createHarness()
    h.ui.type(tessera.url, tessera.issue())
    await h.app.commands['tessera.connect']()
    const second = tessera.issue({ name: 'second' })
    h.ui.type(second)
    expect(await h.app.commands['tessera.replaceToken']()).toBe(true)
    expect(storedSecret(h)).toEqual({ serverUrl: tessera.url, token: second })
    expect(h.ui.inputsAsked.at(-1)?.password).toBe(true)
  })

  it('Set Server URL asks before sending a token saved for another server to the new one', async () => {
    const h = createHarness()
    const token = tessera.issue()
    await h.secrets.store(
      SECRET_KEY,
      JSON.stringify({ v: 1, serverUrl: 'https://old.example.com', token }),
    )
    h.ui.type(tessera.url).answer(/belongs to https:\/\/old\.example\.com/, 'Use Token There')

    expect(await h.app.commands['tessera.setServerUrl']()).toBe(true)

    expect(storedSecret(h)).toEqual({ serverUrl: tessera.url, token })
    expect(h.workspace.values.get('tessera.serverUrl')).toBe(tessera.url)
  })

  it('Set Server URL alone never sends the saved token anywhere', async () => {
    const h = createHarness()
    const token = tessera.issue()
    await h.secrets.store(
      SECRET_KEY,
      JSON.stringify({ v: 1, serverUrl: 'https://old.example.com', token }),
    )
    h.ui.type(tessera.url)
    await h.app.commands['tessera.setServerUrl']()
    expect(requestsWith(token)).toEqual([])
    expect(storedSecret(h)?.serverUrl).toBe('https://old.example.com')
  })
})
