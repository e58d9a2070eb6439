import { randomUUID } from 'node:crypto'
import { hashToken } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  PASSWORD,
  problem,
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

/** Every admin route, with the permission it needs. */
function adminRequests(targetUserId: string, targetTokenId: string) {
  return [
    { method: 'GET' as const, url: '/api/v1/admin/users', permission: 'ManageUsers' },
    {
      method: 'POST' as const,
      url: '/api/v1/admin/users',
      payload: { email: `x-${randomUUID()}@example.test`, name: 'X', password: PASSWORD },
      permission: 'ManageUsers',
    },
    {
      method: 'PATCH' as const,
      url: `/api/v1/admin/users/${targetUserId}`,
      payload: { role: 'admin' },
      permission: 'ManageUsers',
    },
    {
      method: 'POST' as const,
      url: `/api/v1/admin/users/${targetUserId}/require-password-change`,
      permission: 'ManageUsers',
    },
    { method: 'GET' as const, url: '/api/v1/admin/tokens', permission: 'ManageAllTokens' },
    {
      method: 'GET' as const,
      url: `/api/v1/admin/tokens/${targetTokenId}`,
      permission: 'ManageAllTokens',
    },
    {
      method: 'DELETE' as const,
      url: `/api/v1/admin/tokens/${targetTokenId}`,
      permission: 'ManageAllTokens',
    },
    { method: 'GET' as const, url: '/api/v1/admin/settings', permission: 'ManageSettings' },
    {
      method: 'PUT' as const,
      url: '/api/v1/admin/settings',
      payload: {
        maxTokenLifetimeDays: 1,
        tokenExpiryRequired: true,
        tokensPerUser: 1,
        membersCanManageTokens: false,
      },
      permission: 'ManageSettings',
    },
    { method: 'GET' as const, url: '/api/v1/admin/oauth/settings', permission: 'ManageSettings' },
    {
      method: 'PUT' as const,
      url: '/api/v1/admin/oauth/settings',
      payload: { enabled: false, clientApprovalRequired: true },
      permission: 'ManageSettings',
    },
    { method: 'GET' as const, url: '/api/v1/admin/oauth/clients', permission: 'ManageAllTokens' },
    {
      method: 'PATCH' as const,
      url: `/api/v1/admin/oauth/clients/${targetTokenId}`,
      payload: { blocked: true },
      permission: 'ManageAllTokens',
    },
  ]
}

describe('admin: who may', () => {
  it('a member gets 403 permission_denied on every admin route, naming the permission', async () => {
    const member = await userWithToken(app)
    const victim = await userWithToken(app)
    for (const { permission, ...request } of adminRequests(victim.user.id, victim.token.id)) {
      const res = await app.inject({ ...request, headers: member.session.headers })
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(problem(res).code).toBe('permission_denied')
      expect(problem(res).detail).toContain(permission)
    }
    // Nothing happened: the victim is still a member, their session and token still work.
    const victimMe = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(victim.token.secret),
    })
    expect(victimMe.json().user.role).toBe('member')
    const victimSession = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: victim.session.headers,
    })
    expect(victimSession.statusCode).toBe(200)
    expect(victimSession.json().auth.passwordChangeRequired).toBe(false)
  })

  it("a member's token gets the same 403 on admin routes", async () => {
    const member = await userWithToken(app)
    const victim = await userWithToken(app)
    for (const { permission, ...request } of adminRequests(victim.user.id, victim.token.id)) {
      if (request.method === 'DELETE') continue // session-only: refused earlier, see tokens.security
      const res = await app.inject({ ...request, headers: bearer(member.token.secret) })
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(problem(res).code).toBe('permission_denied')
      expect(problem(res).detail).toContain(permission)
    }
  })

  it('the request table above covers every admin route the server has', async () => {
    const documented = new Set<string>()
    const spec = app.swagger() as { paths: Record<string, Record<string, unknown>> }
    for (const [path, operations] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/admin')) continue
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path}`)
    }
    const tested = new Set(
      adminRequests('{id}', '{id}').map(
        (r) => `${r.method} ${r.url.replace(/\/(?:[0-9a-f-]{36}|\{id\})(?=\/|$)/, '/{id}')}`,
      ),
    )
    expect(documented.size).toBeGreaterThan(0)
    expect([...documented].sort()).toEqual([...tested].sort())
  })

  it("an admin's API token is refused on every admin route, restricted to a project or not", async () => {
    const admin = await userWithToken(app, 'admin', { name: 'full' })
    const restricted = await createToken(app, admin.session, {
      name: 'one project',
      scopes: ['read', 'write', 'project:ADM'],
    })
    const victim = await userWithToken(app)
    for (const secret of [admin.token.secret, restricted.secret]) {
      for (const { permission: _, ...request } of adminRequests(victim.user.id, victim.token.id)) {
        for (const headers of [bearer(secret), { authorization: `Api-Token ${secret}` }]) {
          const res = await app.inject({ ...request, headers })
          expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
          expect(problem(res).code).toBe('session_required')
        }
      }
    }
    // Nothing happened: no user was created, the victim is a member, their token works.
    const victimMe = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(victim.token.secret),
    })
    expect(victimMe.statusCode).toBe(200)
    expect(victimMe.json().user.role).toBe('member')
    const users = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.session.headers,
    })
    expect(users.json().users.some((u: { name: string }) => u.name === 'X')).toBe(false)
  })

  it('admin routes without credentials answer 401 token_missing, not 403', async () => {
    for (const { permission: _, ...request } of adminRequests(randomUUID(), randomUUID())) {
      const res = await app.inject(request)
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(401)
      expect(problem(res).code).toBe('token_missing')
    }
  })
})

describe('admin: what admins see', () => {
  it('the user list never shows password hashes', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    await createTestUser(app)
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.headers,
    })
    expect(res.statusCode).toBe(200)
    // Whether a change is required is shown (passwordChangeRequired); the password never is.
    expect(res.body).not.toMatch(/argon2|passwordHash|password_hash|"password"/i)
    for (const user of res.json().users) {
      expect(Object.keys(user).sort()).toEqual([
        'createdAt',
        'disabled',
        'email',
        'id',
        'name',
        'passwordChangeRequired',
        'role',
      ])
    }
  })

  it("the list of all tokens never shows a token's secret or its hash", async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const { user, token } = await userWithToken(app)
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens?userId=${user.id}`,
      headers: admin.headers,
    })
    expect(res.json().tokens).toHaveLength(1)
    expect(res.body).not.toContain(token.secret)
    expect(res.body).not.toContain(await hashToken(token.secret))
    expect(res.body).not.toMatch(/secret|hash/i)
  })
})
