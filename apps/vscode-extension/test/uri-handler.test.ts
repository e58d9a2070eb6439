import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseUri } from '../src/uri-handler.js'
import { type FakeTessera, startFakeTessera } from './support/fake-tessera.js'
import { createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

describe('connect links', () => {
  it('reads the server from /connect?server=…', () => {
    expect(parseUri('/connect', 'server=https%3A%2F%2Ftessera.example.com%2F')).toEqual({
      kind: 'connect',
      serverUrl: 'https://tessera.example.com',
      droppedToken: false,
    })
  })

  it('drops any token in the link', () => {
    expect(parseUri('/connect', 'server=https://t.example.com&token=tsr_abc')).toMatchObject({
      serverUrl: 'https://t.example.com',
      droppedToken: true,
    })
    expect(parseUri('/connect', 'server=https://t.example.com&x=tsr_0123456789')).toMatchObject({
      droppedToken: true,
    })
  })

  it('reports an unusable server and ignores other paths', () => {
    expect(parseUri('/connect', 'server=javascript:alert(1)')).toMatchObject({
      kind: 'connect',
      problem: expect.any(String),
    })
    expect(parseUri('/connect', '')).toEqual({ kind: 'connect', droppedToken: false })
    expect(parseUri('/delete-everything', '')).toEqual({
      kind: 'unknown',
      path: '/delete-everything',
    })
  })

  it('opens the connect flow with the URL pre-filled and asks the user to check it', async () => {
    const h = createHarness()
    const token = tessera.issue()
    h.ui.type(undefined)
    await h.app.handleUri('/connect', `server=${encodeURIComponent(tessera.url)}`)
    expect(h.ui.inputsAsked[0]).toMatchObject({
      value: tessera.url,
      prompt: expect.stringMatching(/A link asked .* Check that it is your server/),
    })
    expect(h.secrets.values.size).toBe(0)
    expect(h.workspace.values.get('tessera.serverUrl')).toBeUndefined()

    h.ui.type(tessera.url, token)
    await h.app.handleUri('/connect', `server=${encodeURIComponent(tessera.url)}`)
    expect(h.workspace.values.get('tessera.serverUrl')).toBe(tessera.url)
  })

  it('warns that a token in the link was ignored, and never uses it', async () => {
    const h = createHarness()
    const token = tessera.issue()
    await h.app.handleUri('/connect', `server=${encodeURIComponent(tessera.url)}&token=${token}`)
    expect(h.ui.messages('warning')).toEqual([
      expect.stringMatching(/contained a token, which was ignored/),
    ])
    expect(tessera.requests.filter((r) => r.authorization?.includes(token))).toEqual([])
    expect(h.secrets.values.size).toBe(0)
  })
})
