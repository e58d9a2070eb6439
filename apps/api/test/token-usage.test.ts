import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { TokenDetail } from '../src/contract/index.js'
import { LastUsedRecorder } from '../src/services/tokens/last-used.js'
import { bearer, buildTestApp, rows, testDatabaseConfig, userWithToken } from './helper.js'

/*
 * Token usage on the real databases: what the recorder's one statement per flush stores, that
 * under concurrent requests a token is written at most once a minute (the statements are counted
 * as the database receives them), that MCP requests count for the client `initialize` named, and
 * that old days are pruned.
 */

let app: App
/** Statements that wrote token use: the recorder's, as the database received them. */
const writes: { query: string; params: unknown[] }[] = []

beforeAll(async () => {
  app = await buildTestApp({
    database: {
      ...testDatabaseConfig(),
      logger: {
        logQuery(query, params) {
          if (/insert into token_usage|update api_tokens as t/.test(query)) {
            writes.push({ query, params })
          }
        },
      },
    },
  })
})
afterAll(async () => {
  await app?.close()
})

const DAY_MS = 86_400_000
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10)

async function usageRows(tokenId: string) {
  return rows<{ day: string; client: string; address: string; requests: number }>(
    app,
    sql`select day::text as day, client, address, requests from token_usage
        where token_id = ${tokenId} order by day, client, address`,
  )
}

async function detail(tokenId: string, headers: Record<string, string>) {
  const res = await app.inject({ method: 'GET', url: `/api/v1/tokens/${tokenId}`, headers })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as TokenDetail
}

/** Statements among `writes` (from index `from`) that wrote this token. */
const writesOf = (tokenId: string, from = 0) =>
  writes.slice(from).filter(({ params }) => params.includes(tokenId))

const ACCEPT = 'application/json, text/event-stream'

function mcp(secret: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/mcp',
    headers: {
      ...bearer(secret),
      'content-type': 'application/json',
      accept: ACCEPT,
      'user-agent': 'node',
      ...headers,
    },
    payload: JSON.stringify(body),
  })
}

describe('token usage', () => {
  it('MCP requests count for the client initialize named, REST ones for their User-Agent', async () => {
    const { session, token } = await userWithToken(app)
    const init = await mcp(token.secret, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'Cursor', version: '1.7' },
      },
    })
    expect(init.statusCode, init.body).toBe(200)
    // Later requests of the same client do not name it again.
    const list = await mcp(token.secret, { jsonrpc: '2.0', id: 2, method: 'tools/list' })
    expect(list.statusCode, list.body).toBe(200)
    // A request the MCP endpoint refuses (no JSON) still counts as a use of the token.
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      headers: { ...bearer(token.secret), 'content-type': 'application/json', accept: ACCEPT },
      payload: '{',
    })
    expect(refused.statusCode).toBe(400)
    const rest = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { ...bearer(token.secret), 'user-agent': 'curl/8.5.0' },
    })
    expect(rest.statusCode).toBe(200)
    // Another address that never initialised: its User-Agent's product.
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      remoteAddress: '10.0.0.8',
      headers: {
        ...bearer(token.secret),
        'content-type': 'application/json',
        accept: ACCEPT,
        'user-agent': 'python-httpx/0.28',
      },
      payload: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    })
    expect(elsewhere.statusCode).toBe(200)
    await app.lastUsed.flushAll()

    const { usage, token: shown } = await detail(token.id, session.headers)
    expect(shown.lastUsedClient).toBe('Cursor 1.7')
    expect(shown.lastUsedIp).toBe('127.0.0.1')
    expect(usage.days).toHaveLength(30)
    expect(usage.days.at(-1)).toEqual({ day: dayOf(Date.now()), requests: 5 })
    expect(usage.days.slice(0, -1).every((d) => d.requests === 0)).toBe(true)
    const clients = Object.fromEntries(usage.clients.map((c) => [c.client, c.requests]))
    expect(clients).toEqual({ 'Cursor 1.7': 3, curl: 1, 'python-httpx': 1 })
    expect(usage.addresses.map((a) => [a.address, a.requests])).toEqual([
      ['10.0.0.8', 1],
      ['127.0.0.1', 4],
    ])

    const list2 = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(list2.json().tokens[0]).toMatchObject({ id: token.id, lastUsedClient: 'Cursor 1.7' })
  })

  it('the MCP client is remembered per address', async () => {
    const { token } = await userWithToken(app)
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'Visual Studio Code', version: '1.106.0' },
      },
    }
    expect((await mcp(token.secret, initialize)).statusCode).toBe(200)
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      remoteAddress: '10.0.0.9',
      headers: {
        ...bearer(token.secret),
        'content-type': 'application/json',
        accept: ACCEPT,
        'user-agent': 'node',
      },
      payload: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    })
    expect(other.statusCode).toBe(200)
    await app.lastUsed.flushAll()
    expect(
      (await usageRows(token.id)).map((r) => [r.client, r.address, r.requests]).sort(),
    ).toEqual([
      ['Visual Studio Code 1.106.0', '127.0.0.1', 1],
      ['node', '10.0.0.9', 1],
    ])
  })

  it('under concurrent requests a token is written at most once a minute, and every request is counted', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => userWithToken(app)))
    const tokens = users.map((u) => u.token)
    await app.lastUsed.flushAll() // what earlier tests counted
    const from = writes.length
    const load = async (requests: number) => {
      const work: Promise<unknown>[] = []
      for (let i = 0; i < requests; i++) {
        const token = tokens[i % tokens.length]
        if (!token) continue
        work.push(
          app.inject({
            method: 'GET',
            url: '/api/v1/me',
            headers: { ...bearer(token.secret), 'user-agent': 'curl/8.5.0' },
          }),
        )
        // Flushes while requests are in flight, as the timer would.
        if (i % 25 === 0) work.push(app.lastUsed.flush())
      }
      await Promise.all(work)
      await app.lastUsed.flush()
    }

    await load(200)
    for (const token of tokens) expect(writesOf(token.id, from), token.id).toHaveLength(1)
    // Within the minute: counted, not written.
    const afterFirst = writes.length
    await load(200)
    for (const token of tokens) expect(writesOf(token.id, afterFirst), token.id).toHaveLength(0)
    // Shutdown writes what is left.
    await app.lastUsed.flushAll()
    for (const token of tokens) {
      expect(writesOf(token.id, from), token.id).toHaveLength(2)
      const stored = await usageRows(token.id)
      expect(stored.map((r) => [r.client, r.address, r.requests])).toEqual([
        ['curl', '127.0.0.1', 100],
      ])
    }
  })

  it('over several minutes with two instances, each writes a token at most once a minute and the counts add up', async () => {
    const { token } = await userWithToken(app)
    const start = Date.now()
    const clock = { now: start }
    const errors: unknown[] = []
    const instance = () =>
      new LastUsedRecorder(app.db, (error) => errors.push(error), 0, { clock: () => clock.now })
    const [a, b] = [instance(), instance()]
    const from = writes.length
    const perInstance = new Map<LastUsedRecorder, number[]>([
      [a, []],
      [b, []],
    ])
    let requests = 0
    // Four minutes, a request every 250 ms on each instance, flushes every 5 s (concurrently).
    for (let time = start; time < start + 4 * 60_000; time += 250) {
      clock.now = time
      for (const recorder of [a, b]) {
        recorder.touch({ id: token.id, lastUsedAt: null }, '10.0.0.5', 'node', new Date(time))
        requests += 1
      }
      if ((time - start) % 5_000 === 0) {
        const before = [a.rowsWritten, b.rowsWritten]
        await Promise.all([a.flush(), b.flush()])
        if (a.rowsWritten > (before[0] ?? 0)) perInstance.get(a)?.push(time)
        if (b.rowsWritten > (before[1] ?? 0)) perInstance.get(b)?.push(time)
      }
    }
    for (const times of perInstance.values()) {
      expect(times).toHaveLength(4)
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(60_000)
      }
    }
    expect(writesOf(token.id, from)).toHaveLength(8)
    await Promise.all([a.close(), b.close()])
    expect(errors).toEqual([])
    const stored = await usageRows(token.id)
    expect(stored.reduce((n, r) => n + r.requests, 0)).toBe(requests)
    expect(new Set(stored.map((r) => r.client))).toEqual(new Set(['node']))
  })

  it('days past 90 are pruned by a flush; the rest stay listed', async () => {
    const { session, token } = await userWithToken(app)
    const now = Date.now()
    for (const [age, client] of [
      [120, 'old-client'],
      [91, 'older-client'],
      [89, 'kept-client'],
    ] as const) {
      await app.db.execute(sql`
        insert into token_usage (token_id, day, client, address, requests, last_at)
        values (${token.id}, ${dayOf(now - age * DAY_MS)}::date, ${client}, '10.0.0.7', 3,
                ${new Date(now - age * DAY_MS).toISOString()}::timestamptz)`)
    }
    // A new instance prunes on its first flush.
    const recorder = new LastUsedRecorder(app.db, () => {}, 0)
    await recorder.close()
    expect((await usageRows(token.id)).map((r) => r.client)).toEqual(['kept-client'])
    const { usage } = await detail(token.id, session.headers)
    expect(usage.clients).toEqual([
      { client: 'kept-client', requests: 3, lastSeenAt: expect.any(String) },
    ])
    // 89 days ago is not in the 30-day chart.
    expect(usage.days.every((d) => d.requests === 0)).toBe(true)
  })

  it('a token that is gone by the time of the write does not fail the others', async () => {
    const gone = await userWithToken(app)
    const kept = await userWithToken(app)
    const recorder = new LastUsedRecorder(app.db, (error) => expect.fail(String(error)), 0)
    recorder.touch({ id: gone.token.id, lastUsedAt: null }, null, 'curl')
    recorder.touch({ id: kept.token.id, lastUsedAt: null }, null, 'curl')
    await app.db.execute(sql`delete from users where id = ${gone.user.id}`)
    await recorder.close()
    expect(await usageRows(gone.token.id)).toEqual([])
    expect((await usageRows(kept.token.id)).map((r) => r.requests)).toEqual([1])
  })
})
