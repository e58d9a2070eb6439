import { createHash, randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { sessions } from '../src/db/schema/index.js'
import { issueSetupCode } from '../src/services/setup/code.js'
import {
  buildTestApp,
  createTestUser,
  PASSWORD,
  problem,
  rows,
  type Session,
  signIn,
} from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

const login = (email: string, password: string, on: App = app) =>
  on.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

const me = (headers: Record<string, string>, on: App = app) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers })

const sessionCookie = (res: Awaited<ReturnType<typeof login>>) =>
  res.cookies.find((c) => c.name === 'tessera_session')

describe('auth: signing in', () => {
  it('signing in answers the user and sets an httpOnly, SameSite=Lax cookie for the whole site', async () => {
    const user = await createTestUser(app)
    const res = await login(user.email, PASSWORD)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      user: { id: user.id, email: user.email, name: 'Test member', role: 'member' },
      csrfToken: expect.any(String),
      passwordChangeRequired: false,
    })
    const cookie = sessionCookie(res)
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(cookie?.secure).toBeFalsy()
    expect(cookie?.maxAge).toBeGreaterThan(0)
    expect(String(res.headers['set-cookie'])).not.toMatch(/;\s*Secure/i)

    const who = await me({ cookie: `tessera_session=${cookie?.value}` })
    expect(who.json()).toMatchObject({ user: { id: user.id }, auth: { method: 'session' } })
  })

  it('behind an https public URL the session cookie is Secure', async () => {
    const secure = await buildTestApp({ publicUrl: 'https://tessera.example' })
    try {
      const user = await createTestUser(secure)
      const res = await login(user.email, PASSWORD, secure)
      expect(res.statusCode).toBe(200)
      expect(sessionCookie(res)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' })
    } finally {
      await secure.close()
    }
  })

  it('a wrong password and an unknown email get the same 401 invalid_credentials', async () => {
    const user = await createTestUser(app)
    const wrongPassword = await login(user.email, 'not the password at all')
    const unknownEmail = await login(`nobody-${randomUUID()}@example.test`, PASSWORD)
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.statusCode).toBe(401)
      expect(problem(res).code).toBe('invalid_credentials')
      expect(res.headers['set-cookie']).toBeUndefined()
    }
    expect(wrongPassword.json()).toEqual(unknownEmail.json())
  })

  it('the email is matched case-insensitively, ignoring surrounding spaces', async () => {
    const user = await createTestUser(app)
    for (const email of [user.email.toUpperCase(), `  ${user.email}  `]) {
      const res = await login(email, PASSWORD)
      expect(res.statusCode, email).toBe(200)
      expect(res.json().user.id).toBe(user.id)
    }
    // The password, on the other hand, is exact.
    expect((await login(user.email, PASSWORD.toUpperCase())).statusCode).toBe(401)
  })

  it('a sign-in without an email or password is refused with validation_failed', async () => {
    for (const payload of [{}, { email: 'a@example.test' }, { email: '', password: 'x' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
    }
  })

  it('a disabled account cannot sign in: 403 user_disabled', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const user = await createTestUser(app)
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.headers,
      payload: { disabled: true },
    })
    const res = await login(user.email, PASSWORD)
    expect(res.statusCode).toBe(403)
    expect(problem(res).code).toBe('user_disabled')
    expect(res.headers['set-cookie']).toBeUndefined()
  })
})

describe('auth: sessions', () => {
  it('signing out answers 204, clears the cookie, and that session no longer works', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const other = await signIn(app, user)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: session.headers,
    })
    expect(res.statusCode).toBe(204)
    const cleared = res.cookies.find((c) => c.name === 'tessera_session')
    expect(cleared).toMatchObject({ value: '', maxAge: 0, path: '/' })

    const after = await me(session.headers)
    expect(after.statusCode).toBe(401)
    expect(problem(after).code).toBe('session_invalid')
    // Only that session ended: the same user's other sign-in still works.
    expect((await me(other.headers)).statusCode).toBe(200)
  })

  it('signing out needs the session CSRF token and a same-origin Origin', async () => {
    const session = await signIn(app, await createTestUser(app))
    const attempts: Record<string, string>[] = [
      { cookie: session.cookie },
      { cookie: session.cookie, 'x-csrf-token': 'wrong' },
      { ...session.headers, origin: 'https://evil.example' },
    ]
    for (const headers of attempts) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })
      expect(res.statusCode, JSON.stringify(headers)).toBe(403)
      expect(['csrf_invalid', 'origin_not_allowed']).toContain(problem(res).code)
      expect(res.cookies.find((c) => c.name === 'tessera_session')).toBeUndefined()
    }
    // The session survived every forged attempt.
    expect((await me(session.headers)).statusCode).toBe(200)
  })

  it('signing out without a session is harmless', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout' })
    expect(res.statusCode).toBe(204)
  })

  it('session ids are stored only as their SHA-256, never as the cookie value', async () => {
    const user = await createTestUser(app)
    const session: Session = await signIn(app, user)
    const value = session.cookie.slice('tessera_session='.length)
    const stored = await app.db.select().from(sessions).where(eq(sessions.userId, user.id))
    expect(stored).toHaveLength(1)
    expect(stored[0]?.secretHash).toBe(createHash('sha256').update(value).digest('hex'))
    const all = await rows<{ row: string }>(app, sql`select s::text as row from sessions s`)
    expect(all.some((r) => r.row.includes(value))).toBe(false)
  })
})

describe('auth: first-run setup', () => {
  it('creating the first admin needs the one-time setup code printed at start', async () => {
    const empty = await buildTestApp({ database: { driver: 'pglite' } })
    try {
      const setupCode = await issueSetupCode(empty.db)
      if (!setupCode) throw new Error('an empty server must issue a setup code')
      const account = { email: 'first@example.test', name: 'First', password: PASSWORD }
      const attempts: unknown[] = [
        account,
        { ...account, setupCode: '' },
        { ...account, setupCode: 'AAAA-BBBB-CCCC' },
        { ...account, setupCode: `${setupCode}X` },
      ]
      for (const payload of attempts) {
        const res = await empty.inject({
          method: 'POST',
          url: '/api/v1/setup',
          payload: payload as Record<string, unknown>,
        })
        expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400)
        expect(res.statusCode).toBeLessThan(500)
        expect(['setup_code_invalid', 'validation_failed']).toContain(problem(res).code)
        expect(res.headers['set-cookie']).toBeUndefined()
      }
      const wrong = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...account, setupCode: 'AAAA-BBBB-CCCC' },
      })
      expect(wrong.statusCode).toBe(403)
      expect(problem(wrong)).toMatchObject({ code: 'setup_code_invalid' })
      expect(problem(wrong).hint).toContain('printed')
      expect((await empty.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
        needsSetup: true,
      })

      // A restart prints a new code; the old one stops working.
      const newer = await issueSetupCode(empty.db)
      const stale = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...account, setupCode },
      })
      expect(stale.statusCode).toBe(403)
      const ok = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...account, setupCode: newer },
      })
      expect(ok.statusCode, ok.body).toBe(200)
      // Once used, there is no code any more.
      expect(await issueSetupCode(empty.db)).toBeNull()
    } finally {
      await empty.close()
    }
  })

  it('a server with users does not offer setup, and POST /setup is refused with 409 setup_done', async () => {
    await createTestUser(app)
    const status = await app.inject({ method: 'GET', url: '/api/v1/setup' })
    expect(status.json()).toEqual({ needsSetup: false })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: {
        email: `late-${randomUUID()}@example.test`,
        name: 'Late',
        password: PASSWORD,
        setupCode: 'AAAA-BBBB-CCCC',
      },
    })
    expect(res.statusCode).toBe(409)
    expect(problem(res).code).toBe('setup_done')
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('an empty server offers setup once: the first account becomes an admin and is signed in', async () => {
    // The run's database always has users from other tests (and, on PostgreSQL, other files run at
    // the same time), so "no users yet" can only be seen on a database of this test's own. An
    // in-memory PGlite is the quickest way to get one, in both projects: setup does not depend on
    // the driver.
    const empty = await buildTestApp({ database: { driver: 'pglite' } })
    try {
      const before = await empty.inject({ method: 'GET', url: '/api/v1/setup' })
      expect(before.json()).toEqual({ needsSetup: true })
      const setupCode = await issueSetupCode(empty.db)
      expect(setupCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)

      const weak = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { email: 'first@example.test', name: 'First', password: 'short', setupCode },
      })
      expect(weak.statusCode).toBe(400)
      expect(problem(weak).code).toBe('validation_failed')
      expect((await empty.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
        needsSetup: true,
      })

      // The code is checked as typed: lower case and without dashes is the same code.
      const typed = setupCode?.toLowerCase().replace(/-/g, ' ') ?? ''
      const res = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: {
          email: 'first@example.test',
          name: 'First',
          password: PASSWORD,
          setupCode: typed,
        },
      })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json().user).toMatchObject({ email: 'first@example.test', role: 'admin' })
      const cookie = sessionCookie(res)
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' })
      const users = await empty.inject({
        method: 'GET',
        url: '/api/v1/admin/users',
        headers: { cookie: `tessera_session=${cookie?.value}` },
      })
      expect(users.statusCode).toBe(200)
      expect(users.json().users).toHaveLength(1)

      expect((await empty.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
        needsSetup: false,
      })
      const again = await empty.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { email: 'second@example.test', name: 'Second', password: PASSWORD, setupCode },
      })
      expect(again.statusCode).toBe(409)
      expect(problem(again).code).toBe('setup_done')
    } finally {
      await empty.close()
    }
  })
})
