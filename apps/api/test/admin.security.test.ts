import { randomUUID } from 'node:crypto'
import { hashToken } from '@tessera/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
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
    { method: 'GET' as const, url: '/api/v1/admin/tokens', permission: 'ManageAllTokens' },
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
      expect(problem(res).message).toContain(permission)
    }
    // Nothing happened: the victim is still a member and their token still works.
    const victimMe = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(victim.token.secret),
    })
    expect(victimMe.json().user.role).toBe('member')
  })

  it("a member's token gets the same 403 on admin routes", async () => {
    const member = await userWithToken(app)
    const victim = await userWithToken(app)
    for (const { permission, ...request } of adminRequests(victim.user.id, victim.token.id)) {
      if (request.method === 'DELETE') continue // session-only: refused earlier, see tokens.security
      const res = await app.inject({ ...request, headers: bearer(member.token.secret) })
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(problem(res).code).toBe('permission_denied')
      expect(problem(res).message).toContain(permission)
    }
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
    expect(res.body).not.toMatch(/argon2|password/i)
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
