import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SQL } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import postgres from 'postgres'
import { expect, inject } from 'vitest'
import { type App, type AppOptions, buildApp } from '../src/app.js'
import type { Role, Settings } from '../src/contract/index.js'
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from '../src/db/client.js'
import { createUserAsSystem } from '../src/services/users/create.js'

export const TEST_DB = (process.env.TEST_DB ?? 'pglite') as 'pglite' | 'postgres'

/** The database this test project runs on: an in-memory PGlite, or the run's PostgreSQL database. */
export function testDatabaseConfig(): DatabaseConfig {
  if (TEST_DB === 'postgres') return { driver: 'postgres', url: inject('databaseUrl'), max: 4 }
  return { driver: 'pglite' }
}

/** Opens (and migrates) a database handle that several apps can share. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const handle = await openDatabase(testDatabaseConfig())
  await handle.migrate()
  return handle
}

/**
 * A database of its own, empty: in-memory PGlite, or a new database on the PostgreSQL server
 * (dropped with the run's database by postgres-setup.ts).
 */
export async function isolatedDatabaseConfig(): Promise<DatabaseConfig> {
  if (TEST_DB === 'pglite') return { driver: 'pglite' }
  const url = new URL(inject('databaseUrl'))
  const name = `${url.pathname.slice(1)}_${randomBytes(4).toString('hex')}`
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database ${name}`)
  } finally {
    await admin.end()
  }
  url.pathname = `/${name}`
  return { driver: 'postgres', url: url.toString(), max: 4 }
}

/**
 * An app on a database of its own. For tests that change the token policy: it is one row that
 * every user shares, so changing it on the run's database would change the rules for tests of
 * other files running at the same time.
 */
export async function buildIsolatedApp(options: Partial<AppOptions> = {}): Promise<App> {
  return buildTestApp({ ...options, database: await isolatedDatabaseConfig() })
}

/** Builds the app on the test database; limits high enough that tests do not trip them. */
export async function buildTestApp(options: Partial<AppOptions> = {}): Promise<App> {
  const app = await buildApp({
    database: options.database ?? testDatabaseConfig(),
    consoleDir: false,
    failureLimits: {
      unknownCredentials: { max: 100_000, windowMs: 60_000 },
      signIn: { max: 100_000, windowMs: 60_000 },
      clientRegistrations: { max: 100_000, windowMs: 60_000 },
      authorizationRequests: { max: 100_000, windowMs: 60_000 },
    },
    lastUsedFlushMs: 0,
    ...options,
  })
  await app.ready()
  return app
}

export const PASSWORD = 'correct horse battery staple'

export interface TestUser {
  id: string
  email: string
  role: Role
}

/** A fresh user with a unique email, so tests never share data. */
export async function createTestUser(app: App, role: Role = 'member'): Promise<TestUser> {
  const email = `user-${randomBytes(5).toString('hex')}@example.test`
  const row = await createUserAsSystem(
    app.db,
    { email, name: `Test ${role}`, password: PASSWORD, role },
    { via: 'cli' },
  )
  if (!row) throw new Error('user not created')
  return { id: row.id, email: row.email, role: row.role }
}

export interface Session {
  cookie: string
  csrf: string
  headers: Record<string, string>
}

export async function signIn(
  app: App,
  user: { email: string },
  password = PASSWORD,
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: user.email, password },
  })
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  const cookie = res.cookies.find((c) => c.name === 'tessera_session')
  if (!cookie) throw new Error('no session cookie')
  const csrf = res.json().csrfToken as string
  return {
    cookie: `tessera_session=${cookie.value}`,
    csrf,
    headers: { cookie: `tessera_session=${cookie.value}`, 'x-csrf-token': csrf },
  }
}

export interface CreatedToken {
  id: string
  secret: string
  body: Record<string, unknown>
}

export async function createToken(
  app: App,
  session: Session,
  payload: Record<string, unknown> = { name: 'test token' },
): Promise<CreatedToken> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: session.headers,
    payload,
  })
  if (res.statusCode !== 201) throw new Error(`token not created: ${res.statusCode} ${res.body}`)
  const body = res.json()
  return { id: body.token.id, secret: body.secret, body }
}

/** A signed-in user with one full-access token: the most common starting point. */
export async function userWithToken(
  app: App,
  role: Role = 'member',
  payload?: Record<string, unknown>,
) {
  const user = await createTestUser(app, role)
  const session = await signIn(app, user)
  const token = await createToken(app, session, payload)
  return { user, session, token }
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })

/** An error answer's body: RFC 9457 Problem Details with our `code` and `hint`. */
export function problem(res: LightMyRequestResponse) {
  return res.json() as {
    type: string
    title: string
    status: number
    detail: string
    code: string
    hint?: string
  }
}

/** Saves the token policy as an admin; fields not given keep their defaults. */
export async function putSettings(app: App, admin: Session, patch: Partial<Settings>) {
  const res = await app.inject({
    method: 'PUT',
    url: '/api/v1/admin/settings',
    headers: admin.headers,
    payload: {
      maxTokenLifetimeDays: null,
      tokenExpiryRequired: false,
      tokensPerUser: null,
      membersCanManageTokens: true,
      ...patch,
    },
  })
  if (res.statusCode !== 200) throw new Error(`settings not saved: ${res.statusCode} ${res.body}`)
}

/** The rows of a raw query, whichever driver runs it (postgres.js gives an array, PGlite `.rows`). */
export async function rows<T = Record<string, unknown>>(app: App, query: SQL): Promise<T[]> {
  const result = (await app.db.execute(query)) as unknown as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}

/** A built entry point (`server.js`, `cli.js`); turbo builds before it tests. */
export function distFile(name: string): string {
  const file = fileURLToPath(new URL(`../dist/${name}`, import.meta.url))
  if (!existsSync(file)) throw new Error(`${file} is missing: build @tessera/api first`)
  return file
}

export interface NodeRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `node <file> ...args` to the end with only the given environment (plus PATH), so nothing
 * from the test process (DATABASE_URL, TESSERA_*) leaks in; `input` is written to its stdin.
 */
export function runNode(
  file: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/** A 503 database_unavailable answer, as every route gives while the database is away. */
export function expectUnavailable(res: LightMyRequestResponse, what: string) {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(503)
  expect(res.headers['content-type'], what).toContain('application/problem+json')
  expect(res.headers['retry-after'], what).toBe('5')
  const body = problem(res)
  expect(body, what).toMatchObject({ status: 503, code: 'database_unavailable' })
  expect(body.hint?.length, what).toBeGreaterThan(0)
}
