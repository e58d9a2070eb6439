import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseHandle } from '../src/db/client.js'
import { ConfigError, loadEnv } from '../src/env.js'
import { connectionCap, descriptorLimit, resolveServerLimits } from '../src/lib/server-limits.js'
import {
  buildTestApp,
  distFile,
  isolatedDatabaseConfig,
  openTestDatabase,
  PASSWORD,
  TEST_DB,
  userWithToken,
} from './helper.js'
import { listen } from './mcp.fixtures.js'
import {
  rawRequest,
  SLOW_BODY,
  SLOW_HEADERS,
  type SlowClient,
  slowClient,
  within,
} from './slow-client.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

// One database for the apps of this file: each test still builds its own app and data.
let database: DatabaseHandle
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database.close()
})

async function startApp(options: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp({ ...options, database })
  cleanups.push(() => app.close())
  const url = await listen(app)
  return { app, url, port: Number(new URL(url).port) }
}

async function createProject(url: string, secret: string, key: string) {
  return fetch(`${url}/api/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key, name: `Project ${key}` }),
  })
}

const projectKey = () => `P${Math.random().toString(36).slice(2, 8).toUpperCase()}`

/** A slow client, closed after the test whatever happens. */
function startSlowClient(
  port: number,
  head: string,
  everyMs?: number,
  maxBytes?: number,
): SlowClient {
  const client = slowClient(port, head, everyMs, maxBytes)
  cleanups.push(client.destroy)
  return client
}

describe('slow clients', () => {
  it('a request body sent one byte at a time is cut with 408; others are served meanwhile and after', async () => {
    const { url, port } = await startApp({
      limits: { requestTimeoutMs: 1_000, headersTimeoutMs: 500 },
    })
    const slow = startSlowClient(port, SLOW_BODY)
    const headers = startSlowClient(port, SLOW_HEADERS)

    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const body = await within(8_000, 'slow body', slow.closed)
    expect(body).toMatch(/^HTTP\/1\.1 408 /)
    // The same Problem Details shape and stable code as every other error.
    expect(body).toContain('"code":"request_timeout"')
    expect(body).toContain('application/problem+json')
    expect(await within(8_000, 'slow headers', headers.closed)).toMatch(/^HTTP\/1\.1 408 /)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
  })

  it('requests that are not HTTP get a 4xx with a stable code, never a bare socket error', async () => {
    const { port } = await startApp({})
    const garbage = await rawRequest(port, 'HELLO THERE\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
    expect(garbage).toContain('"code":"malformed_request"')
    const huge = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    expect(huge).toContain('"code":"headers_too_large"')
  })

  it('an idle connection that never sends a request is closed', async () => {
    const { port } = await startApp({ limits: { requestTimeoutMs: 1_000, headersTimeoutMs: 500 } })
    const silent = startSlowClient(port, '', 60_000, 0)
    await within(8_000, 'silent connection', silent.closed)
  })

  it('at the connection cap new connections are closed; once slow ones are cut, writes succeed', async () => {
    const cap = 8
    const { app, url, port } = await startApp({
      limits: { maxConnections: cap, requestTimeoutMs: 1_500, headersTimeoutMs: 1_000 },
    })
    const { token } = await userWithToken(app)

    const slow = Array.from({ length: cap }, () => startSlowClient(port, SLOW_BODY))
    await waitForConnections(app, cap)
    // Turned away at once: no answer, the connection is just closed.
    expect(await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe('')

    const answers = await within(8_000, 'slow clients', Promise.all(slow.map((s) => s.closed)))
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /)

    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const created = await createProject(url, token.secret, projectKey())
    expect(created.status).toBe(201)
  })
})

/** Waits (bounded) until the server counts `n` open connections. */
async function waitForConnections(app: App, n: number) {
  for (let i = 0; i < 100; i++) {
    const count = await new Promise<number>((resolve, reject) =>
      app.server.getConnections((error, c) => (error ? reject(error) : resolve(c))),
    )
    if (count >= n) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`the server never had ${n} connections`)
}

describe('a flood of slow clients beyond the descriptor limit', { timeout: 90_000 }, () => {
  it('the server keeps descriptors for its database: writes succeed during and after', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-flood-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const database: Record<string, string> =
      TEST_DB === 'postgres'
        ? { DATABASE_URL: ((await isolatedDatabaseConfig()) as { url: string }).url }
        : { TESSERA_DATA_DIR: dataDir }
    const email = 'flood-admin@example.test'
    // 512 descriptors in all; nothing else configured, so the cap is derived from that limit.
    const child = spawn(
      'sh',
      ['-c', 'ulimit -n 512 && exec "$0" "$1"', process.execPath, distFile('server.js')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          TESSERA_ADMIN_EMAIL: email,
          TESSERA_ADMIN_PASSWORD: PASSWORD,
          TESSERA_REQUEST_TIMEOUT_MS: '2000',
          TESSERA_HEADERS_TIMEOUT_MS: '1500',
          ...database,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const exited = new Promise((resolve) => child.on('exit', resolve))
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    })
    const port = Number(new URL(await serverUrl(child)).port)

    // One kept-alive connection, opened before the flood, as a regular client would have.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    const call = (method: string, path: string, body?: unknown, headers = {}) =>
      request(agent, port, method, path, body, headers)
    const login = await call('POST', '/api/v1/auth/login', { email, password: PASSWORD })
    expect(login.status).toBe(200)
    const session = {
      cookie: String(login.headers['set-cookie']?.[0]).split(';')[0] ?? '',
      'x-csrf-token': (JSON.parse(login.body) as { csrfToken: string }).csrfToken,
    }
    const write = () =>
      call('POST', '/api/v1/projects', { key: projectKey(), name: 'Flood' }, session)

    const flood = Array.from({ length: 600 }, () => startSlowClient(port, SLOW_HEADERS, 100, 100))
    await new Promise((resolve) => setTimeout(resolve, 500))
    for (let i = 0; i < 40; i++) expect((await write()).status, `write ${i} during`).toBe(201)

    await within(15_000, 'flood', Promise.all(flood.map((s) => s.closed)))
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await write()).status, `write ${i} after`).toBe(201)
  })
})

function serverUrl(child: ChildProcessWithoutNullStreams | ReturnType<typeof spawn>) {
  return new Promise<string>((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout?.on('data', (chunk) => {
      out += chunk
      const match = /Tessera is running at (\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr?.on('data', (chunk) => {
      err += chunk
    })
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)))
  })
}

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = ''
          res.on('data', (chunk) => {
            text += chunk
          })
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }),
          )
        },
      )
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
      req.on('error', reject)
      req.end(body === undefined ? undefined : JSON.stringify(body))
    },
  )
}

describe('limits configuration', () => {
  it('the connection cap stays below the descriptor limit, leaving a reserve', () => {
    expect(connectionCap(undefined, 20_000)).toBe(19_744)
    expect(connectionCap(50_000, 20_000)).toBe(19_744)
    expect(connectionCap(100, 20_000)).toBe(100)
    expect(connectionCap(undefined, 300)).toBe(150)
    expect(resolveServerLimits().maxConnections).toBeLessThan(descriptorLimit())
  })

  it('the descriptor limit is the soft limit from /proc/self/limits, or a safe constant', () => {
    const limits = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max open files            4096                 524288               files     ',
    ].join('\n')
    expect(descriptorLimit(() => limits)).toBe(4096)
    expect(
      descriptorLimit(() => {
        throw new Error('no /proc here')
      }),
    ).toBe(1024)
  })

  it('timeouts are read from the environment; a header timeout beyond the request timeout is refused', () => {
    const env = loadEnv({ TESSERA_REQUEST_TIMEOUT_MS: '20000', TESSERA_MAX_CONNECTIONS: '500' })
    expect(env.TESSERA_REQUEST_TIMEOUT_MS).toBe(20_000)
    expect(env.TESSERA_HEADERS_TIMEOUT_MS).toBe(10_000)
    expect(env.TESSERA_MAX_CONNECTIONS).toBe(500)
    expect(env.TESSERA_SHUTDOWN_TIMEOUT_MS).toBe(10_000)
    expect(() =>
      loadEnv({ TESSERA_REQUEST_TIMEOUT_MS: '5000', TESSERA_HEADERS_TIMEOUT_MS: '6000' }),
    ).toThrow(ConfigError)
    expect(() => loadEnv({ TESSERA_KEEP_ALIVE_TIMEOUT_MS: '0' })).toThrow(/KEEP_ALIVE/)
  })
})
