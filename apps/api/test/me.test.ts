import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  problem,
  putSettings,
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

const me = (headers: Record<string, string>, on: App = app) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers })

const ADMIN_PERMISSIONS = [
  'ManageApiTokens',
  'ManageUsers',
  'ManageAllTokens',
  'ViewAllActivity',
  'ManageSettings',
]

describe('me', () => {
  it('with a session: the user, their permissions, and the CSRF token to send back', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const res = await me(session.headers)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      user: { id: user.id, email: user.email, name: 'Test member', role: 'member' },
      permissions: ['ManageApiTokens'],
      auth: { method: 'session', csrfToken: session.csrf, passwordChangeRequired: false },
    })
  })

  it('with a token: the user and the token used, never its secret', async () => {
    const { user, token } = await userWithToken(app, 'member', {
      name: 'laptop',
      expiresInDays: 30,
      scopes: ['read'],
    })
    const res = await me(bearer(token.secret))
    expect(res.statusCode).toBe(200)
    const created = token.body.token as { prefix: string; expiresAt: string }
    expect(res.json()).toEqual({
      user: { id: user.id, email: user.email, name: 'Test member', role: 'member' },
      permissions: ['ManageApiTokens'],
      auth: {
        method: 'token',
        token: {
          id: token.id,
          name: 'laptop',
          prefix: created.prefix,
          scopes: ['read'],
          expiresAt: created.expiresAt,
        },
      },
    })
    expect(res.body).not.toContain(token.secret)
    expect(res.body).not.toContain('csrfToken')
  })

  it("an admin has every permission in the console; the admin's token has none of administration", async () => {
    const { user, session, token } = await userWithToken(app, 'admin')
    const console = await me(session.headers)
    expect(console.json().user).toMatchObject({ id: user.id, role: 'admin' })
    expect(console.json().permissions).toEqual(ADMIN_PERMISSIONS)
    const viaToken = await me(bearer(token.secret))
    expect(viaToken.json().user).toMatchObject({ id: user.id, role: 'admin' })
    expect(viaToken.json().permissions).toEqual(['ManageApiTokens'])
  })

  it('a role change shows on the next request', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const { user, token } = await userWithToken(app)
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.headers,
      payload: { role: 'admin' },
    })
    const res = await me(bearer(token.secret))
    expect(res.json().user.role).toBe('admin')
    // Administration stays with console sessions, whatever the role.
    expect(res.json().permissions).toEqual(['ManageApiTokens'])
    const session = await signIn(app, user)
    expect((await me(session.headers)).json().permissions).toEqual(ADMIN_PERMISSIONS)
  })

  it('members lose ManageApiTokens when an admin turns it off, admins keep theirs', async () => {
    // The setting is workspace-wide, so this test has a database of its own.
    const isolated = await buildIsolatedApp()
    try {
      const admin = await signIn(isolated, await createTestUser(isolated, 'admin'))
      const member = await userWithToken(isolated)
      await putSettings(isolated, admin, { membersCanManageTokens: false })
      for (const headers of [member.session.headers, bearer(member.token.secret)]) {
        const res = await me(headers, isolated)
        expect(res.statusCode).toBe(200)
        expect(res.json().permissions).toEqual([])
      }
      expect((await me(admin.headers, isolated)).json().permissions).toEqual(ADMIN_PERMISSIONS)
    } finally {
      await isolated.close()
    }
  })

  it('without credentials: 401 token_missing', async () => {
    const res = await me({})
    expect(res.statusCode).toBe(401)
    expect(problem(res).code).toBe('token_missing')
  })
})
