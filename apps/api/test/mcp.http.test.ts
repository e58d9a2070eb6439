import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { generateToken } from '@tessera/core'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { apiTokens } from '../src/db/schema/index.js'
import { buildTestApp, createToken, userWithToken } from './helper.js'
import { listen, mcpPath } from './mcp.fixtures.js'
import { createProject, createTask } from './workspace.fixtures.js'

/**
 * The MCP endpoint over plain HTTP: what a misconfigured client, a browser page or a hostile
 * caller gets. Every request has a deadline, so a hung answer fails the test instead of stalling.
 */
const ALLOWED_ORIGIN = 'https://console.example.test'
let app: App
let base: string
let url: string
beforeAll(async () => {
  app = await buildTestApp({ allowedOrigins: [ALLOWED_ORIGIN] })
  base = await listen(app)
  url = `${base}${mcpPath}`
})
afterAll(async () => {
  await app.close()
})

const ACCEPT = 'application/json, text/event-stream'

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
}

const rpc = (method: string, params: Record<string, unknown> = {}, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
})
const initialize = rpc('initialize', {
  protocolVersion: LATEST_PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: 'curl', version: '1' },
})
const auth = (secret: string, scheme = 'Bearer') => ({ authorization: `${scheme} ${secret}` })

async function expectUnauthorized(res: Response, code: string) {
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="tessera"/)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = (await res.json()) as { status: number; code: string; detail: string; hint: string }
  expect(body).toMatchObject({ status: 401, code })
  expect(body.detail.length).toBeGreaterThan(0)
  expect(body.hint.length).toBeGreaterThan(0)
  return body
}

type RpcAnswer = {
  jsonrpc: '2.0'
  id: number | string | null
  result?: Record<string, unknown>
  error?: { code: number; message: string }
}

describe('authentication on the MCP endpoint', () => {
  it('no token: 401 token_missing with WWW-Authenticate and a hint naming the header', async () => {
    const body = await expectUnauthorized(await post(initialize), 'token_missing')
    expect(body.hint).toContain('Authorization')
    expect((await post(initialize)).headers.get('www-authenticate')).not.toContain('invalid_token')
  })

  it('a malformed, mistyped, unknown or wrongly-schemed token is 401 with its own code', async () => {
    const { token } = await userWithToken(app)
    const cases: [Record<string, string>, string][] = [
      [auth('not-a-token'), 'token_malformed'],
      [auth(`${token.secret}x`), 'token_malformed'],
      [
        auth(`${token.secret.slice(0, -1)}${token.secret.endsWith('A') ? 'B' : 'A'}`),
        'token_invalid',
      ],
      [auth(generateToken()), 'token_invalid'],
      [{ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'invalid_scheme'],
      [{ authorization: token.secret }, 'invalid_scheme'],
    ]
    for (const [headers, code] of cases) {
      const res = await post(initialize, headers)
      const body = await expectUnauthorized(res, code)
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(body.code).toBe(code)
    }
  })

  it('a revoked token is refused on the next request: 401 token_revoked', async () => {
    const { session, token } = await userWithToken(app)
    expect((await post(initialize, auth(token.secret))).status).toBe(200)
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })
    expect(revoke.statusCode).toBe(204)
    await expectUnauthorized(await post(initialize, auth(token.secret)), 'token_revoked')
  })

  it('an expired token: 401 token_expired', async () => {
    const { session } = await userWithToken(app)
    const token = await createToken(app, session, { name: 'short', expiresInDays: 1 })
    await app.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, token.id))
    await expectUnauthorized(
      await post(initialize, auth(token.secret, 'Api-Token')),
      'token_expired',
    )
  })

  it('both header schemes work', async () => {
    const { token } = await userWithToken(app)
    for (const scheme of ['Bearer', 'Api-Token', 'bearer']) {
      const res = await post(initialize, auth(token.secret, scheme))
      expect(res.status, scheme).toBe(200)
      const answer = (await res.json()) as RpcAnswer
      expect(answer.result?.serverInfo).toMatchObject({ name: 'tessera' })
    }
  })

  it('a console session cannot use MCP: 403 token_required', async () => {
    const { session } = await userWithToken(app)
    const res = await post(initialize, { ...session.headers, origin: base })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'token_required' })
  })

  it('a read-only token calling a write tool gets a JSON-RPC error, and nothing changes', async () => {
    const { session, token } = await userWithToken(app)
    const project = await createProject(app, { authorization: `Bearer ${token.secret}` })
    const reader = await createToken(app, session, { name: 'reader', scopes: ['read'] })
    const res = await post(
      rpc('tools/call', { name: 'create_task', arguments: { project: project.key, title: 'No' } }),
      auth(reader.secret),
    )
    expect(res.status).toBe(200)
    const answer = (await res.json()) as RpcAnswer
    expect(answer.result).toBeUndefined()
    expect(answer.error?.code).toBe(-32602)
    expect(answer.error?.message).toMatch(/read-only/)
    expect(answer.error?.message).toContain('write')
    const list = await post(rpc('tools/list', {}, 2), auth(reader.secret))
    const tools = ((await list.json()) as RpcAnswer).result?.tools as { name: string }[]
    expect(tools.map((t) => t.name)).not.toContain('create_task')
    expect(tools.map((t) => t.name)).toContain('list_tasks')
    // The task the call tried to create does not exist.
    const tasks = await app.inject({
      method: 'GET',
      url: `/api/v1/tasks?project=${project.key}`,
      headers: { authorization: `Bearer ${token.secret}` },
    })
    expect(tasks.json().tasks).toEqual([])
  })
})

describe('origins', () => {
  it('a page on another origin may call with a token it was given (browser-based MCP clients)', async () => {
    const { token } = await userWithToken(app)
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'null']) {
      const res = await post(initialize, { ...auth(token.secret), origin })
      expect(res.status, origin).toBe(200)
      // Readable by the page (CORS), never with the user's cookies.
      expect(res.headers.get('access-control-allow-origin'), origin).toBe('*')
      expect(res.headers.get('access-control-allow-credentials'), origin).toBeNull()
    }
  })

  it("a foreign page cannot use the user's console session: 403, and no credentials allowed", async () => {
    const { session } = await userWithToken(app)
    const res = await post(initialize, { ...session.headers, origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ status: 403, code: 'token_required' })
    expect(res.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('a page on a host name rebound to this server is refused, token or not (DNS rebinding)', async () => {
    const { token } = await userWithToken(app)
    const rebound = 'attacker.example.test'
    const res = await app.inject({
      method: 'POST',
      url: mcpPath,
      headers: {
        host: rebound,
        origin: `http://${rebound}`,
        'content-type': 'application/json',
        accept: ACCEPT,
        ...auth(token.secret),
      },
      payload: initialize,
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ code: 'host_not_allowed' })
  })

  it("the server's own origin, a configured origin, or no Origin at all are served", async () => {
    const { token } = await userWithToken(app)
    const variants: Record<string, string>[] = [{ origin: base }, { origin: ALLOWED_ORIGIN }, {}]
    for (const headers of variants) {
      const res = await post(initialize, { ...auth(token.secret), ...headers })
      expect(res.status, JSON.stringify(headers)).toBe(200)
    }
  })
})

describe('HTTP methods and content negotiation', () => {
  it('GET and DELETE answer 405 with Allow: POST', async () => {
    const { token } = await userWithToken(app)
    for (const method of ['GET', 'DELETE']) {
      for (const headers of [{}, { ...auth(token.secret), accept: 'text/event-stream' }]) {
        const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) })
        expect(res.status, method).toBe(405)
        expect(res.headers.get('allow')).toBe('POST')
        const body = (await res.json()) as RpcAnswer
        expect(body.error?.message).toContain('POST')
      }
    }
  })

  it('a POST that does not accept both JSON and an event stream gets 406', async () => {
    const { token } = await userWithToken(app)
    for (const accept of ['application/json', 'text/event-stream', 'text/html', '*/*']) {
      const res = await post(initialize, { ...auth(token.secret), accept })
      expect(res.status, accept).toBe(406)
      const body = (await res.json()) as RpcAnswer
      expect(body.error?.message).toMatch(/accept/i)
    }
  })

  it('a body that is not JSON is a 4xx, never a 5xx', async () => {
    const { token } = await userWithToken(app)
    for (const body of ['{"jsonrpc": "2.0", "method": ', 'hello', '']) {
      const res = await post(body, auth(token.secret))
      expect(res.status, body).toBeGreaterThanOrEqual(400)
      expect(res.status, body).toBeLessThan(500)
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await post(JSON.stringify(initialize), {
        ...auth(token.secret),
        'content-type': type,
      })
      expect(res.status, type).toBeGreaterThanOrEqual(400)
      expect(res.status, type).toBeLessThan(500)
    }
  })

  it('a 2 MB body is refused with 413 without hanging', async () => {
    const { token } = await userWithToken(app)
    const huge = rpc('tools/call', {
      name: 'create_task',
      arguments: { project: 'WEB', title: 'big', description: 'x'.repeat(2 * 1024 * 1024) },
    })
    const res = await post(huge, auth(token.secret))
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ code: 'body_too_large' })
    // The server is still there.
    expect((await post(initialize, auth(token.secret))).status).toBe(200)
  })

  it('JSON that is not a JSON-RPC request gets a JSON-RPC error', async () => {
    const { token } = await userWithToken(app)
    for (const body of [{ hello: 'world' }, [], 42, { jsonrpc: '1.0', id: 1, method: 'x' }]) {
      const res = await post(body, auth(token.secret))
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400)
      expect(res.status, JSON.stringify(body)).toBeLessThan(500)
      const answer = (await res.json()) as RpcAnswer
      expect(answer.error?.code, JSON.stringify(body)).toBeTypeOf('number')
    }
  })

  it('an unknown method is a JSON-RPC "method not found" error', async () => {
    const { token } = await userWithToken(app)
    const res = await post(rpc('tasks/destroy_everything', {}, 7), auth(token.secret))
    expect(res.status).toBe(200)
    const answer = (await res.json()) as RpcAnswer
    expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } })
  })

  it('a JSON-RPC batch gets a JSON-RPC error for each bad call, never a 5xx or a hang', async () => {
    const { token } = await userWithToken(app)
    const res = await post(
      [rpc('no/such/method', {}, 1), rpc('tools/call', { name: 'nope' }, 2)],
      auth(token.secret),
    )
    expect(res.status).toBe(200)
    const answers = (await res.json()) as RpcAnswer[]
    expect(answers.map((a) => [a.id, a.error?.code]).sort()).toEqual([
      [1, -32601],
      [2, -32602],
    ])
  })

  it('an empty, oversized or mixed-up batch is refused whole with a JSON-RPC error', async () => {
    const { token } = await userWithToken(app)
    const headers = auth(token.secret)
    const cases: [unknown, number][] = [
      [[], -32600],
      [Array.from({ length: 101 }, (_, i) => rpc('tools/list', {}, i)), -32600],
      [[initialize, rpc('tools/list', {}, 2)], -32600],
      [[rpc('tools/list', {}, 1), { not: 'json-rpc' }], -32700],
    ]
    for (const [body, code] of cases) {
      const res = await post(body, headers)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code } })
    }
  })
})

describe('stateless requests', () => {
  it('tools/list and tools/call work without a prior initialize, as from curl', async () => {
    const { token } = await userWithToken(app)
    const headers = { authorization: `Bearer ${token.secret}` }
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key, title: 'Via curl' })

    const init = (await (await post(initialize, auth(token.secret))).json()) as RpcAnswer
    expect(init.result).toMatchObject({
      protocolVersion: LATEST_PROTOCOL_VERSION,
      serverInfo: { name: 'tessera' },
    })
    expect(init.result?.instructions).toEqual(expect.stringContaining('Tessera'))

    const versionHeader = { 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }
    const list = (await (
      await post(rpc('tools/list', {}, 2), { ...auth(token.secret), ...versionHeader })
    ).json()) as RpcAnswer
    expect(list.result?.tools).toHaveLength(9)

    const call = (await (
      await post(rpc('tools/call', { name: 'get_task', arguments: { ref: task.ref } }, 3), {
        ...auth(token.secret),
        ...versionHeader,
      })
    ).json()) as RpcAnswer
    expect(call.result?.structuredContent).toMatchObject({ task: { id: task.id } })
    expect(call.result?.content).toEqual([
      { type: 'text', text: expect.stringContaining('Via curl') },
    ])
  })

  it('an unsupported protocol version header is a 400, not a 5xx', async () => {
    const { token } = await userWithToken(app)
    const res = await post(rpc('tools/list'), {
      ...auth(token.secret),
      'mcp-protocol-version': '1999-01-01',
    })
    expect(res.status).toBe(400)
  })
})
