import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { ConsoleSession } from '../src/contract/index.js'
import { loggerOptions } from '../src/lib/logger.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  PASSWORD,
  problem,
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

const NEW_PASSWORD = 'a brand new passphrase 42'

const me = (headers: Record<string, string>, on: App = app) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers })

async function currentSessionId(session: Session, on: App = app): Promise<string> {
  const res = await on.inject({
    method: 'GET',
    url: '/api/v1/me/sessions',
    headers: session.headers,
  })
  return (res.json().sessions as ConsoleSession[]).find((s) => s.current)?.id ?? ''
}

interface AccountRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  url: string
  payload?: Record<string, string>
}

/** Every account route that changes something or shows sessions, with a body where it takes one. */
function accountRequests(sessionId: string): AccountRequest[] {
  return [
    {
      method: 'PUT' as const,
      url: '/api/v1/me/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    },
    { method: 'GET' as const, url: '/api/v1/me/sessions' },
    { method: 'DELETE' as const, url: '/api/v1/me/sessions' },
    { method: 'DELETE' as const, url: `/api/v1/me/sessions/${sessionId}` },
  ]
}

describe('account security: API tokens', () => {
  it('a token gets 403 session_required on every account route, whatever its scopes, and nothing changes', async () => {
    const { user, session, token } = await userWithToken(app)
    const other = await signIn(app, user)
    const otherId = await currentSessionId(other)
    for (const request of accountRequests(otherId)) {
      for (const headers of [
        bearer(token.secret),
        { authorization: `Api-Token ${token.secret}` },
      ]) {
        const res = await app.inject({ ...request, headers })
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
        expect(problem(res).code).toBe('session_required')
      }
    }
    // The password is the old one, and both sessions still work.
    await signIn(app, user)
    expect((await me(session.headers)).statusCode).toBe(200)
    expect((await me(other.headers)).statusCode).toBe(200)
  })

  it('a token with a session cookie next to it is still a token: refused', async () => {
    const { session, token } = await userWithToken(app)
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: { ...session.headers, ...bearer(token.secret) },
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(res.statusCode).toBe(403)
    expect(problem(res).code).toBe('session_required')
  })

  it('without credentials every account route answers 401 token_missing', async () => {
    for (const request of accountRequests('00000000-0000-4000-8000-000000000000')) {
      const res = await app.inject(request)
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(401)
      expect(problem(res).code).toBe('token_missing')
    }
  })
})

describe('account security: CSRF and origin', () => {
  it('every account change needs the X-CSRF-Token of the session, and nothing changes without it', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const other = await signIn(app, user)
    const otherId = await currentSessionId(other)
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const victim = await createTestUser(app)
    const victimSession = await signIn(app, victim)
    const changes: (AccountRequest & { as: Session })[] = [
      ...accountRequests(otherId)
        .filter((r) => r.method !== 'GET')
        .map((r) => ({ ...r, as: here })),
      {
        method: 'POST',
        url: `/api/v1/admin/users/${victim.id}/require-password-change`,
        as: admin,
      },
    ]
    for (const { as, ...request } of changes) {
      for (const csrf of [undefined, 'forged', other.csrf]) {
        const headers: Record<string, string> = { cookie: as.cookie }
        if (csrf) headers['x-csrf-token'] = csrf
        const res = await app.inject({ ...request, headers })
        expect(res.statusCode, `${request.method} ${request.url} csrf=${csrf}`).toBe(403)
        expect(problem(res).code).toBe('csrf_invalid')
      }
      const crossSite = await app.inject({
        ...request,
        headers: { ...as.headers, origin: 'https://evil.example' },
      })
      expect(crossSite.statusCode).toBe(403)
      expect(problem(crossSite).code).toBe('origin_not_allowed')
    }
    // Nothing happened: the old password signs in, every session still works.
    await signIn(app, user)
    for (const session of [here, other, victimSession]) {
      expect((await me(session.headers)).statusCode).toBe(200)
    }
    expect((await me(victimSession.headers)).json().auth.passwordChangeRequired).toBe(false)
  })
})

describe("account security: other people's sessions", () => {
  it("another user's session id answers 404, and that session keeps working", async () => {
    const owner = await signIn(app, await createTestUser(app))
    const ownerId = await currentSessionId(owner)
    const stranger = await signIn(app, await createTestUser(app))
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${ownerId}`,
      headers: stranger.headers,
    })
    expect(res.statusCode).toBe(404)
    expect(problem(res).code).toBe('not_found')
    expect((await me(owner.headers)).statusCode).toBe(200)
  })

  it('signing out all other sessions touches only your own; the list shows only your own', async () => {
    const owner = await signIn(app, await createTestUser(app))
    const stranger = await signIn(app, await createTestUser(app))
    const ended = await app.inject({
      method: 'DELETE',
      url: '/api/v1/me/sessions',
      headers: stranger.headers,
    })
    expect(ended.json()).toEqual({ sessionsEnded: 0 })
    expect((await me(owner.headers)).statusCode).toBe(200)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/me/sessions',
      headers: stranger.headers,
    })
    const ids = (list.json().sessions as ConsoleSession[]).map((s) => s.id)
    expect(ids).toEqual([await currentSessionId(stranger)])
    expect(ids).not.toContain(await currentSessionId(owner))
  })

  it("an admin cannot list or end another user's sessions through the account routes", async () => {
    const owner = await signIn(app, await createTestUser(app))
    const ownerId = await currentSessionId(owner)
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${ownerId}`,
      headers: admin.headers,
    })
    expect(res.statusCode).toBe(404)
    expect((await me(owner.headers)).statusCode).toBe(200)
  })
})

describe('account security: wrong current passwords are limited like sign-in', () => {
  let limited: App
  beforeAll(async () => {
    limited = await buildTestApp({
      failureLimits: {
        unknownCredentials: { max: 100_000, windowMs: 60_000 },
        signIn: { max: 3, windowMs: 60_000 },
      },
    })
  })
  afterAll(async () => {
    await limited.close()
  })

  it('after the limit even the right current password is refused with 429, and sign-in from that address too', async () => {
    const user = await createTestUser(limited)
    const session = await signIn(limited, user)
    const attempt = (currentPassword: string) =>
      limited.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: session.headers,
        payload: { currentPassword, newPassword: NEW_PASSWORD },
      })
    for (let i = 0; i < 3; i += 1) {
      const res = await attempt(`guess number ${i}`)
      expect(res.statusCode).toBe(403)
      expect(problem(res).code).toBe('current_password_invalid')
    }
    const right = await attempt(PASSWORD)
    expect(right.statusCode).toBe(429)
    expect(problem(right).code).toBe('rate_limited')
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0)
    const login = await limited.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: PASSWORD },
    })
    expect(login.statusCode).toBe(429)
    // The password was not changed, and the session itself is not locked out.
    expect((await me(session.headers, limited)).statusCode).toBe(200)
  })

  it('the count is per account: another user at the same address is not slowed down', async () => {
    const guesser = await signIn(limited, await createTestUser(limited))
    for (let i = 0; i < 4; i += 1) {
      await limited.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: guesser.headers,
        payload: { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD },
      })
    }
    const neighbour = await signIn(limited, await createTestUser(limited))
    const res = await limited.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: neighbour.headers,
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(res.statusCode, res.body).toBe(200)
  })
})

describe('account security: a required password change', () => {
  it('refuses every other session route, admin ones included, until the password is changed', async () => {
    const root = await signIn(app, await createTestUser(app, 'admin'))
    const admin = await createTestUser(app, 'admin')
    const required = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${admin.id}/require-password-change`,
      headers: root.headers,
    })
    expect(required.statusCode).toBe(200)
    const session = await signIn(app, admin)
    for (const url of [
      '/api/v1/admin/users',
      '/api/v1/admin/tokens',
      '/api/v1/admin/settings',
      '/api/v1/activity',
      '/api/v1/tokens',
      '/api/v1/me/sessions',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: session.headers })
      expect(res.statusCode, url).toBe(403)
      expect(problem(res).code).toBe('password_change_required')
      expect(problem(res).hint).toContain('/api/v1/me/password')
    }
    const create = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: session.headers,
      payload: { email: 'someone@example.test', name: 'S', password: NEW_PASSWORD },
    })
    expect(create.statusCode).toBe(403)
    expect(problem(create).code).toBe('password_change_required')
    // Signing out still works.
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: session.headers,
    })
    expect(out.statusCode).toBe(204)
  })

  it('the required change still needs the current password and the CSRF token', async () => {
    const root = await signIn(app, await createTestUser(app, 'admin'))
    const user = await createTestUser(app)
    await app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${user.id}/require-password-change`,
      headers: root.headers,
    })
    const session = await signIn(app, user)
    const wrong = await app.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: session.headers,
      payload: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
    })
    expect(wrong.statusCode).toBe(403)
    expect(problem(wrong).code).toBe('current_password_invalid')
    const noCsrf = await app.inject({
      method: 'PUT',
      url: '/api/v1/me/password',
      headers: { cookie: session.cookie },
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    })
    expect(noCsrf.statusCode).toBe(403)
    expect(problem(noCsrf).code).toBe('csrf_invalid')
    expect((await me(session.headers)).json().auth.passwordChangeRequired).toBe(true)
  })

  it("ending the user's sessions does not sign anyone else out", async () => {
    const root = await signIn(app, await createTestUser(app, 'admin'))
    const user = await createTestUser(app)
    const bystander = await signIn(app, await createTestUser(app))
    await app.inject({
      method: 'POST',
      url: `/api/v1/admin/users/${user.id}/require-password-change`,
      headers: root.headers,
    })
    expect((await me(bystander.headers)).statusCode).toBe(200)
    expect((await me(root.headers)).statusCode).toBe(200)
  })
})

describe('account security: logs', () => {
  it('never contain the current or the new password, right or wrong', async () => {
    const chunks: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk.toString())
        done()
      },
    })
    const logged = await buildTestApp({
      logger: { ...(loggerOptions('debug') as object), stream },
    })
    try {
      const user = await createTestUser(logged)
      const session = await signIn(logged, user)
      const change = (payload: Record<string, string>) =>
        logged.inject({
          method: 'PUT',
          url: '/api/v1/me/password',
          headers: session.headers,
          payload,
        })
      await change({ currentPassword: 'wrong-but-secret-1', newPassword: NEW_PASSWORD })
      await change({ currentPassword: PASSWORD, newPassword: 'short-pw' })
      expect(
        (await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).statusCode,
      ).toBe(200)
    } finally {
      await logged.close()
    }
    const text = chunks.join('')
    expect(text.length).toBeGreaterThan(0)
    for (const secret of [PASSWORD, NEW_PASSWORD, 'wrong-but-secret-1', 'short-pw']) {
      expect(text).not.toContain(secret)
    }
  })
})
