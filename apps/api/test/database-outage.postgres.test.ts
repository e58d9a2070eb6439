import { type AddressInfo, createServer, type Server, Socket } from 'node:net'
import { and, eq } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { activity, tasks } from '../src/db/schema/index.js'
import {
  bearer,
  buildTestApp,
  expectUnavailable,
  isolatedDatabaseConfig,
  type Session,
  userWithToken,
} from './helper.js'
import { mcpPath } from './mcp.fixtures.js'
import { createProject } from './workspace.fixtures.js'

/**
 * A TCP proxy in front of PostgreSQL that the test can take down (connections refused, open ones
 * cut), make unresponsive (connections accepted, never answered) and bring back, on one port.
 */
function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>()
  let mode: 'forward' | 'silent' = 'forward'
  let port = 0
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const cutAll = () => {
    for (const socket of sockets) socket.destroy()
  }
  const server: Server = createServer((client) => {
    track(client)
    if (mode === 'silent') return
    const upstream = new Socket()
    track(upstream)
    upstream.connect(target.port, target.host)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  return {
    get port() {
      return port
    },
    async up() {
      mode = 'forward'
      if (server.listening) return
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    },
    /** New connections are refused; open ones are cut, as when PostgreSQL stops. */
    async down() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      cutAll()
      await closed
    },
    /** Open connections are cut; new ones are accepted and never answered. */
    silent() {
      mode = 'silent'
      cutAll()
    },
  }
}

/** A refused connection, as the postgres driver reports it, directly and through drizzle. */

// Only in the postgres project: an embedded database lives in the process and cannot go away.
describe('while PostgreSQL is unreachable', () => {
  let app: App
  let proxy: ReturnType<typeof tcpProxy>
  let admin: postgres.Sql
  let databaseName: string
  let secret: string
  let session: Session
  let project: { id: string; key: string }

  beforeAll(async () => {
    const config = await isolatedDatabaseConfig()
    if (config.driver !== 'postgres') throw new Error('the postgres project needs PostgreSQL')
    const url = new URL(config.url)
    databaseName = url.pathname.slice(1)
    admin = postgres(url.toString(), { max: 2, onnotice: () => {} })
    proxy = tcpProxy({ host: url.hostname, port: Number(url.port || 5432) })
    await proxy.up()
    url.host = `127.0.0.1:${proxy.port}`
    app = await buildTestApp({
      database: { driver: 'postgres', url: url.toString(), max: 4, connectTimeoutSeconds: 1 },
    })
    const created = await userWithToken(app)
    secret = created.token.secret
    session = created.session
    project = await createProject(app, bearer(secret))
  })
  afterAll(async () => {
    await proxy?.up()
    await app?.close()
    await proxy?.down()
    await admin?.end()
  })

  const mcp = (id: number, name: string, args: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: mcpPath,
      headers: {
        ...bearer(secret),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      payload: { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } },
    })
  const me = (headers: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/api/v1/me', headers })

  async function expectServing() {
    expect((await me(bearer(secret))).statusCode).toBe(200)
    expect((await me(session.headers)).statusCode).toBe(200)
    const call = await mcp(1, 'list_projects')
    expect(call.statusCode, call.body).toBe(200)
    expect(call.json().result.structuredContent.projects).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: project.key })]),
    )
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
  }

  it('every route answers 503 database_unavailable, and the server recovers by itself', async () => {
    await expectServing()
    await proxy.down()
    try {
      expectUnavailable(await me(bearer(secret)), 'token')
      expectUnavailable(await me(session.headers), 'session')
      expectUnavailable(await mcp(2, 'list_projects'), 'MCP')
      expectUnavailable(
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'someone@example.test', password: 'whatever it is' },
        }),
        'sign-in',
      )
      expectUnavailable(await app.inject({ method: 'GET', url: '/readyz' }), 'readiness')
    } finally {
      await proxy.up()
    }
    await expectServing()
  })

  it('a server that accepts connections but never answers gives 503 after the connect timeout', async () => {
    proxy.silent()
    try {
      const started = Date.now()
      expectUnavailable(await me(bearer(secret)), 'silent')
      expect(Date.now() - started).toBeLessThan(5_000)
    } finally {
      await proxy.up()
    }
    await expectServing()
  })

  it('an MCP write cut off mid-transaction answers 503 and leaves nothing half-written', async () => {
    // Also the process survives it: postgres.js writes its own ROLLBACK to the dropped socket,
    // which throws where nothing can catch it (see src/db/renewing-client.ts).
    const title = 'Cut off mid-write'
    // Hold the project row, so create_task waits inside its transaction, after authentication.
    const lock = await admin.reserve()
    await lock`begin`
    await lock`select 1 from projects where id = ${project.id} for update`
    try {
      const pending = mcp(3, 'create_task', { project: project.key, title })
      await expect
        .poll(
          async () =>
            (
              await admin`select count(*)::int as n from pg_stat_activity
                where datname = ${databaseName} and application_name = 'tessera'
                  and wait_event_type = 'Lock'`
            )[0]?.n,
          { timeout: 10_000, interval: 50 },
        )
        .toBe(1)
      await proxy.down()
      const res = await pending
      expect(res.statusCode, res.body).toBe(503)
      expect(res.headers['retry-after']).toBe('5')
      expect(res.json()).toMatchObject({
        jsonrpc: '2.0',
        id: 3,
        error: { data: { code: 'database_unavailable' } },
      })
    } finally {
      await lock`rollback`
      lock.release()
      await proxy.up()
    }
    const written = await admin`select count(*)::int as n from tasks
      where project_id = ${project.id} and title = ${title}`
    expect(written[0]?.n).toBe(0)
    const recorded = await app.db
      .select({ id: activity.id })
      .from(activity)
      .where(and(eq(activity.projectId, project.id), eq(activity.action, 'task.created')))
    expect(recorded).toHaveLength(0)
    // The same write succeeds once the database is back.
    const retried = await mcp(4, 'create_task', { project: project.key, title })
    expect(retried.statusCode, retried.body).toBe(200)
    const rows = await app.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.projectId, project.id), eq(tasks.title, title)))
    expect(rows).toHaveLength(1)
  })

  it('MCP resources/read and prompts/get cut off mid-request answer 503 database_unavailable', async () => {
    const task = await app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: bearer(secret),
      payload: { project: project.key, title: 'Read while the database goes' },
    })
    expect(task.statusCode, task.body).toBe(201)
    const ref = (task.json() as { task: { ref: string } }).task.ref
    const request = (id: number, method: string, params: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: mcpPath,
        headers: {
          ...bearer(secret),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        payload: { jsonrpc: '2.0', id, method, params },
      })
    const cases = [
      ['resources/read', { uri: `tessera://tasks/${ref}` }],
      ['prompts/get', { name: 'work_on_task', arguments: { task: ref } }],
    ] as const
    for (const [index, [method, params]] of cases.entries()) {
      // Comments are read after authentication and after the task: holding their table makes
      // the request wait there, past every earlier query, until the database goes away.
      const lock = await admin.reserve()
      await lock`begin`
      await lock`lock table comments in access exclusive mode`
      try {
        const pending = request(10 + index, method, params)
        await expect
          .poll(
            async () =>
              (
                await admin`select count(*)::int as n from pg_stat_activity
                  where datname = ${databaseName} and application_name = 'tessera'
                    and wait_event_type = 'Lock'`
              )[0]?.n,
            { timeout: 10_000, interval: 50 },
          )
          .toBe(1)
        await proxy.down()
        const res = await pending
        expect(res.statusCode, res.body).toBe(503)
        expect(res.headers['retry-after'], method).toBe('5')
        expect(res.json(), method).toMatchObject({
          jsonrpc: '2.0',
          id: 10 + index,
          error: { code: -32603, data: { code: 'database_unavailable' } },
        })
      } finally {
        await lock`rollback`
        lock.release()
        await proxy.up()
      }
      // And once the database is back, the same request is answered.
      const retried = await request(20 + index, method, params)
      expect(retried.statusCode, retried.body).toBe(200)
      expect(retried.json(), method).toHaveProperty('result')
    }
  })
})
