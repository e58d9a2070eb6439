import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { ConsoleSession } from '../src/contract/index.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  PASSWORD,
  rows,
  type Session,
  signIn,
  userWithToken,
} from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

const NEW_PASSWORD = 'a brand new passphrase 42'

/** Signs in from a given browser and address, as the session list should show it. */
async function signInFrom(
  user: { email: string },
  from: { userAgent: string; ip: string },
  password = PASSWORD,
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: from.ip,
    headers: { 'user-agent': from.userAgent },
    payload: { email: user.email, password },
  })
  expect(res.statusCode, res.body).toBe(200)
  const cookie = res.cookies.find((c) => c.name === 'tessera_session')?.value ?? ''
  const csrf = res.json().csrfToken as string
  return {
    cookie: `tessera_session=${cookie}`,
    csrf,
    headers: { cookie: `tessera_session=${cookie}`, 'x-csrf-token': csrf },
  }
}

const me = (headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/api/v1/me', headers })

async function listSessions(session: Session): Promise<ConsoleSession[]> {
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/me/sessions',
    headers: session.headers,
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().sessions
}

const changePassword = (session: Session, body: { currentPassword: string; newPassword: string }) =>
  app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: session.headers, payload: body })

async function activityOf(userId: string) {
  return rows<{ action: string; via: string; actor_id: string }>(
    app,
    sql`select action, via, actor_id from activity where target_type = 'user' and target_id = ${userId} order by at`,
  )
}

describe('account: changing your own password', () => {
  it('the new password works, the old one no longer does, other sessions end and this one stays', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const laptop = await signIn(app, user)
    const phone = await signIn(app, user)

    const res = await changePassword(here, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ sessionsEnded: 2 })

    expect((await me(here.headers)).statusCode).toBe(200)
    for (const other of [laptop, phone]) {
      const refused = await me(other.headers)
      expect(refused.statusCode).toBe(401)
      expect(refused.json().code).toBe('session_invalid')
    }
    const old = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    })
    expect(old.statusCode).toBe(401)
    await signIn(app, user, NEW_PASSWORD)
  })

  it('is recorded in the activity, by the user, from the console', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    await changePassword(session, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
    const entries = await activityOf(user.id)
    expect(entries.at(-1)).toEqual({
      action: 'user.password_changed',
      via: 'web',
      actor_id: user.id,
    })
  })

  it("the user's API tokens keep working after the change", async () => {
    const { user, session, token } = await userWithToken(app)
    await changePassword(session, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
    const res = await me(bearer(token.secret))
    expect(res.statusCode).toBe(200)
    expect(res.json().user.id).toBe(user.id)
  })
})

describe('account: your console sessions', () => {
  it('lists each session with its browser, address, sign-in and last-seen times, marking this one', async () => {
    const user = await createTestUser(app)
    const firefox = await signInFrom(user, { userAgent: FIREFOX_WINDOWS, ip: '198.51.100.7' })
    await signInFrom(user, { userAgent: SAFARI_IPHONE, ip: '2001:db8::5' })

    const sessions = await listSessions(firefox)
    expect(sessions).toHaveLength(2)
    const current = sessions.filter((s) => s.current)
    expect(current).toHaveLength(1)
    expect(current[0]).toMatchObject({
      browser: 'Firefox 128 on Windows',
      userAgent: FIREFOX_WINDOWS,
      ip: '198.51.100.7',
    })
    const other = sessions.find((s) => !s.current)
    expect(other).toMatchObject({ browser: 'Safari 17 on iPhone', ip: '2001:db8::5' })
    for (const session of sessions) {
      expect(Date.parse(session.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt))
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.parse(session.createdAt))
    }
  })

  it('never shows the session secret or its hash', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/me/sessions',
      headers: session.headers,
    })
    const secret = session.cookie.split('=')[1] ?? ''
    expect(secret.length).toBeGreaterThan(20)
    expect(res.body).not.toContain(secret)
    expect(res.body).not.toMatch(/secret|hash/i)
  })

  it('signing out one other session ends it, and only it', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const other = await signIn(app, user)
    const third = await signIn(app, user)
    const target = (await listSessions(other)).find((s) => s.current)
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${target?.id}`,
      headers: here.headers,
    })
    expect(res.statusCode, res.body).toBe(204)
    expect((await me(other.headers)).statusCode).toBe(401)
    expect((await me(here.headers)).statusCode).toBe(200)
    expect((await me(third.headers)).statusCode).toBe(200)
    expect((await listSessions(here)).map((s) => s.id)).not.toContain(target?.id)
    expect((await activityOf(user.id)).at(-1)?.action).toBe('user.sessions_ended')
  })

  it('signing out your own current session signs you out', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const id = (await listSessions(here)).find((s) => s.current)?.id
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${id}`,
      headers: here.headers,
    })
    expect(res.statusCode).toBe(204)
    const cleared = res.cookies.find((c) => c.name === 'tessera_session')
    expect(cleared?.value).toBe('')
    expect((await me(here.headers)).statusCode).toBe(401)
  })

  it('signing out all other sessions keeps this one', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const others = [await signIn(app, user), await signIn(app, user)]
    const res = await app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions',
      headers: here.headers,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ sessionsEnded: 2 })
    for (const other of others) expect((await me(other.headers)).statusCode).toBe(401)
    const left = await listSessions(here)
    expect(left).toHaveLength(1)
    expect(left[0]?.current).toBe(true)

    const again = await app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions',
      headers: here.headers,
    })
    expect(again.json()).toEqual({ sessionsEnded: 0 })
  })

  it('last seen is written at most once a minute per session, however many requests it makes', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const id = (await listSessions(session)).find((s) => s.current)?.id ?? ''
    const lastSeen = async () => {
      const [row] = await rows<{ last_seen_at: string | Date }>(
        app,
        sql`select last_seen_at from sessions where id = ${id}`,
      )
      return new Date(row?.last_seen_at ?? 0).getTime()
    }
    // Signed in a minute and a half ago, as far as the row knows.
    await app.db.execute(
      sql`update sessions set last_seen_at = now() - interval '90 seconds' where id = ${id}`,
    )
    await app.sessionLastSeen.flush()
    const before = await lastSeen()
    const written = app.sessionLastSeen.rowsWritten

    await Promise.all(Array.from({ length: 20 }, () => me(session.headers)))
    await app.sessionLastSeen.flush()
    expect(app.sessionLastSeen.rowsWritten - written).toBe(1)
    const after = await lastSeen()
    expect(after).toBeGreaterThan(before)

    // Within the minute: more requests, no more writes.
    await Promise.all(Array.from({ length: 20 }, () => me(session.headers)))
    await app.sessionLastSeen.flush()
    expect(app.sessionLastSeen.rowsWritten - written).toBe(1)
    expect(await lastSeen()).toBe(after)
  })
})

describe('account: an administrator requires a new password', () => {
  async function requireChange(admin: Session, userId: string) {
    return app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${userId}/require-password-change`,
      headers: admin.headers,
    })
  }

  it("ends the user's sessions and says how many; the user list shows the requirement", async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const user = await createTestUser(app)
    const sessions = [await signIn(app, user), await signIn(app, user)]
    const res = await requireChange(admin, user.id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      user: { id: user.id, passwordChangeRequired: true },
      sessionsEnded: 2,
    })
    for (const session of sessions) expect((await me(session.headers)).statusCode).toBe(401)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.headers,
    })
    const listed = list.json().users.find((u: { id: string }) => u.id === user.id)
    expect(listed.passwordChangeRequired).toBe(true)
    const entries = await activityOf(user.id)
    expect(entries.at(-1)?.action).toBe('user.password_change_required')
  })

  it('the next sign-in can only change the password; after that everything works again', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const user = await createTestUser(app)
    await requireChange(admin, user.id)

    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    })
    expect(login.statusCode).toBe(200)
    expect(login.json().passwordChangeRequired).toBe(true)
    const session = await signIn(app, user)

    const who = await me(session.headers)
    expect(who.statusCode).toBe(200)
    expect(who.json().auth).toMatchObject({ method: 'session', passwordChangeRequired: true })

    for (const [method, url] of [
      ['GET', '/api/v1/projects'],
      ['GET', '/api/v1/tokens'],
      ['GET', '/api/v1/me/sessions'],
      ['POST', '/api/v1/tokens'],
    ] as const) {
      const refused = await app.inject({
        method,
        url,
        headers: session.headers,
        ...(method === 'POST' ? { payload: { name: 'x' } } : {}),
      })
      expect(refused.statusCode, `${method} ${url}`).toBe(403)
      expect(refused.json().code).toBe('password_change_required')
    }

    const changed = await changePassword(session, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    })
    expect(changed.statusCode, changed.body).toBe(200)
    expect((await me(session.headers)).json().auth.passwordChangeRequired).toBe(false)
    const projects = await app.inject({
      method: 'GET',
      url: '/api/v1/projects',
      headers: session.headers,
    })
    expect(projects.statusCode).toBe(200)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.headers,
    })
    const listed = list.json().users.find((u: { id: string }) => u.id === user.id)
    expect(listed.passwordChangeRequired).toBe(false)
  })

  it("the user's API tokens keep working throughout, as the README promises", async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const { user, token } = await userWithToken(app)
    await requireChange(admin, user.id)
    const viaToken = await app.inject({
      method: 'GET',
      url: '/api/v1/projects',
      headers: bearer(token.secret),
    })
    expect(viaToken.statusCode).toBe(200)
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(token.secret),
      payload: { key: `P${randomBytes(3).toString('hex').toUpperCase()}`, name: 'Still working' },
    })
    expect(created.statusCode, created.body).toBe(201)
  })
})
