import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET_KEY } from '../src/token-store.js'
import { type FakeTessera, reply, startFakeTessera } from './support/fake-tessera.js'
import { createHarness } from './support/harness.js'

let tessera: FakeTessera
beforeAll(async () => {
  tessera = await startFakeTessera()
})
afterAll(() => tessera.close())

const store = (h: ReturnType<typeof createHarness>, serverUrl: string, token: string) =>
  h.secrets.store(SECRET_KEY, JSON.stringify({ v: 1, serverUrl, token }))
const requestsWith = (token: string) =>
  tessera.requests.filter((r) => r.authorization?.includes(token)).length

describe('connection state', () => {
  it('is "no server" without a setting and "signed out" with a setting but no token', async () => {
    const h = createHarness()
    expect((await h.app.connection.check()).state).toEqual({ kind: 'no_server' })
    h.workspace.set('tessera.serverUrl', `${tessera.url}/`)
    expect((await h.app.connection.check()).state).toEqual({
      kind: 'signed_out',
      serverUrl: tessera.url,
    })
  })

  it('is "connected" with the identity for a valid token, and hands out the token', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const token = tessera.issue({ name: 'ci', expiresAt: '2099-01-01T00:00:00.000Z' })
    await store(h, tessera.url, token)
    const outcome = await h.app.connection.check()
    expect(outcome.token).toBe(token)
    expect(outcome.state).toMatchObject({
      kind: 'connected',
      identity: {
        tokenName: 'ci',
        userName: 'Ada Lovelace',
        expiresAt: '2099-01-01T00:00:00.000Z',
      },
    })
  })

  it('is "rejected" for a revoked token and "unverified" when the server cannot judge it', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const token = tessera.issue()
    await store(h, tessera.url, token)
    tessera.overrideOnce(
      '/api/v1/tokens/self',
      reply.json(429, { status: 429, code: 'rate_limited', message: 'slow down' }),
    )
    expect((await h.app.connection.check({ force: true })).state).toMatchObject({
      kind: 'unverified',
    })
    tessera.revoke(token)
    const outcome = await h.app.connection.check({ force: true })
    expect(outcome.state).toMatchObject({ kind: 'rejected', failure: { code: 'token_revoked' } })
    expect(outcome.token).toBeUndefined()
  })

  it('never sends a token to a server other than the one it was checked with', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const token = tessera.issue()
    await store(h, 'https://old.example.com', token)
    const outcome = await h.app.connection.check()
    expect(outcome.state).toEqual({
      kind: 'other_server',
      serverUrl: tessera.url,
      tokenServerUrl: 'https://old.example.com',
    })
    expect(await h.app.connection.configured()).toBeUndefined()
    expect(requestsWith(token)).toBe(0)
  })

  it('treats unreadable secret storage as signed out and says so in the log', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    h.secrets.broken = true
    expect((await h.app.connection.check()).state).toEqual({
      kind: 'signed_out',
      serverUrl: tessera.url,
    })
    expect(h.log.lines).toContainEqual(
      expect.stringMatching(/Could not read VS Code's secret storage: .*keyring/),
    )
  })

  it('reports an unusable setting', async () => {
    const h = createHarness({ serverUrl: 'ftp://tessera.example.com' })
    expect((await h.app.connection.check()).state).toMatchObject({
      kind: 'bad_server_url',
      problem: expect.stringMatching(/https/),
    })
  })
})

describe('connection: validation cache', () => {
  it('reuses a verdict for a short while, then asks the server again', async () => {
    let now = 1_000_000
    const h = createHarness({ serverUrl: tessera.url, now: () => now, cacheMs: 30_000 })
    const token = tessera.issue()
    await store(h, tessera.url, token)
    await h.app.connection.check()
    const afterFirst = requestsWith(token)
    await h.app.connection.check()
    expect(requestsWith(token)).toBe(afterFirst)
    now += 30_001
    await h.app.connection.check()
    expect(requestsWith(token)).toBeGreaterThan(afterFirst)
  })

  it('does not remember network failures', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const token = tessera.issue()
    await store(h, tessera.url, token)
    tessera.overrideOnce(
      '/api/v1/tokens/self',
      reply.json(503, { status: 503, code: 'unavailable', message: 'x' }),
    )
    expect((await h.app.connection.check()).state.kind).toBe('unverified')
    expect((await h.app.connection.check()).state.kind).toBe('connected')
  })

  it('forgets the verdict when the secret changes, and publishes the new state', async () => {
    const h = createHarness({ serverUrl: tessera.url })
    const first = tessera.issue()
    await store(h, tessera.url, first)
    await h.app.connection.check()
    const states: string[] = []
    h.app.connection.onDidChangeState((state) => states.push(state.kind))
    const revoked = tessera.issue()
    tessera.revoke(revoked)
    await store(h, tessera.url, revoked)
    await expect.poll(() => h.app.connection.state.kind).toBe('rejected')
    expect(states).toContain('rejected')
  })
})
