import { randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { inject } from 'vitest'
import { type App, type AppOptions, buildApp } from '../src/app.js'
import type { Role } from '../src/contract/index.js'
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

/** Builds the app on the test database; limits high enough that tests do not trip them. */
export async function buildTestApp(options: Partial<AppOptions> = {}): Promise<App> {
  const app = await buildApp({
    database: options.database ?? testDatabaseConfig(),
    consoleDir: false,
    failureLimit: { max: 100_000, windowMs: 60_000 },
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

export function problem(res: LightMyRequestResponse) {
  return res.json() as { status: number; code: string; message: string; hint?: string }
}
