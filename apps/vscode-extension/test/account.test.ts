import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

async function connectedHarness() {
  const h = createHarness()
  h.ui.type(tessera.url, tessera.issue({ name: 'laptop' }))
  await h.app.commands['tessera.connect']()
  h.ui.shown.length = 0
  return h
}

describe('sign out', () => {
  it('deletes the secret, leaves no token behind, and says the token still works elsewhere', async () => {
    const h = await connectedHarness()
    await h.app.commands['tessera.signOut']()
    expect(h.secrets.values.has(SECRET_KEY)).toBe(false)
    expect(h.ui.messages()).toEqual([
      expect.stringMatching(/^Signed out of Tessera.*revoke it in the console/),
    ])
    expect(await h.app.connection.check()).toEqual({
      state: { kind: 'signed_out', serverUrl: tessera.url },
    })
  })

  it('says so when there is nothing to sign out of', async () => {
    const h = createHarness()
    await h.app.commands['tessera.signOut']()
    expect(h.ui.messages()).toEqual([expect.stringMatching(/not connected/)])
  })
})

describe('Show Connection Status', () => {
  it('checks now and names user, token and expiry', async () => {
    const h = await connectedHarness()
    await h.app.commands['tessera.showStatus']()
    expect(h.ui.shown).toEqual([
      {
        level: 'info',
        message: expect.stringMatching(
          /^Connected to http:\/\/127\.0\.0\.1:\d+ as Ada Lovelace .*"laptop"/,
        ),
        actions: ['Open API Tokens', 'Sign Out'],
        modal: false,
      },
    ])
  })

  it('notices a token revoked since the last check', async () => {
    const h = await connectedHarness()
    const token = (JSON.parse(h.secrets.values.get(SECRET_KEY) ?? '{}') as { token: string }).token
    tessera.revoke(token)
    await h.app.commands['tessera.showStatus']()
    expect(h.ui.shown[0]).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/revoked/),
      actions: ['Replace Token', 'Open API Tokens'],
    })
    expect(h.app.connection.state.kind).toBe('rejected')
  })

  it('offers to connect when not connected', async () => {
    const h = createHarness()
    await h.app.commands['tessera.showStatus']()
    expect(h.ui.shown[0]).toMatchObject({
      message: 'Tessera is not connected.',
      actions: ['Connect'],
    })
  })
})

describe('Open Console', () => {
  it('opens the server in the browser', async () => {
    const h = await connectedHarness()
    await h.app.commands['tessera.openConsole']()
    await h.app.commands['tessera.openTokenPage']()
    expect(h.ui.opened).toEqual([`${tessera.url}/`, `${tessera.url}/tokens`])
  })
})

describe('first start', () => {
  it('greets a user without a token once, and opens the walkthrough on request', async () => {
    const h = createHarness()
    h.ui.answer(/Connect Tessera to give/, 'Show Me How')
    await h.app.start()
    await h.app.start()
    expect(h.ui.messages()).toHaveLength(1)
    expect(h.ui.commands).toEqual([
      {
        command: 'workbench.action.openWalkthrough',
        args: ['tessera.tessera-vscode#gettingStarted', false],
      },
    ])
  })

  it('does not greet a connected user', async () => {
    const h = await connectedHarness()
    h.flags.values.clear()
    await h.app.start()
    expect(h.ui.shown).toEqual([])
  })
})
