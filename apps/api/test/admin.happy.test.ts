import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { apiTokens } from '../src/db/schema/index.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  createToken,
  PASSWORD,
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

const adminSession = async (on: App = app) => signIn(on, await createTestUser(on, 'admin'))

describe('admin: users', () => {
  it('an admin creates a user, who can then sign in', async () => {
    const admin = await adminSession()
    const email = `new-${randomUUID()}@example.test`
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.headers,
      payload: { email, name: 'New Person', password: PASSWORD },
    })
    expect(res.statusCode).toBe(201)
    const { user } = res.json()
    expect(user).toEqual({
      id: expect.any(String),
      email,
      name: 'New Person',
      role: 'member',
      disabled: false,
      passwordChangeRequired: false,
      createdAt: expect.any(String),
    })
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.headers,
    })
    expect(list.json().users).toContainEqual(user)
    const session = await signIn(app, { email })
    expect(session.cookie).toMatch(/^tessera_session=/)
  })

  it("an admin changes a user's role and name", async () => {
    const admin = await adminSession()
    const user = await createTestUser(app)
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.headers,
      payload: { role: 'admin', name: 'Promoted' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toMatchObject({ id: user.id, role: 'admin', name: 'Promoted' })
    const session = await signIn(app, user)
    const users = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: session.headers,
    })
    expect(users.statusCode).toBe(200)
  })

  it('an admin disables a user, who cannot sign in until enabled again', async () => {
    const admin = await adminSession()
    const user = await createTestUser(app)
    const patch = (disabled: boolean) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: admin.headers,
        payload: { disabled },
      })
    const login = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: PASSWORD },
      })

    expect((await patch(true)).json().user.disabled).toBe(true)
    expect(problem(await login()).code).toBe('user_disabled')
    expect((await patch(false)).json().user.disabled).toBe(false)
    expect((await login()).statusCode).toBe(200)
  })
})

describe('admin: tokens', () => {
  it("an admin lists every user's tokens, filtered by user and by status", async () => {
    const admin = await adminSession()
    const owner = await createTestUser(app)
    const session = await signIn(app, owner)
    const active = await createToken(app, session, { name: 'active' })
    const revoked = await createToken(app, session, { name: 'revoked' })
    const expired = await createToken(app, session, { name: 'expired', expiresInDays: 1 })
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${revoked.id}`,
      headers: session.headers,
    })
    await app.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(apiTokens.id, expired.id))
    const someoneElse = await userWithToken(app)

    const list = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/admin/tokens?${query}`,
        headers: admin.headers,
      })
      expect(res.statusCode, query).toBe(200)
      return res.json().tokens as { id: string; status: string; user: { id: string } }[]
    }

    const mine = await list(`userId=${owner.id}`)
    expect(mine.map((t) => t.id)).toEqual([expired.id, revoked.id, active.id])
    expect(mine[0]?.user).toEqual({ id: owner.id, email: owner.email, name: 'Test member' })
    for (const [status, token] of [
      ['active', active],
      ['revoked', revoked],
      ['expired', expired],
    ] as const) {
      const filtered = await list(`userId=${owner.id}&status=${status}`)
      expect(filtered.map((t) => [t.id, t.status])).toEqual([[token.id, status]])
    }
    expect((await list(`userId=${someoneElse.user.id}`)).map((t) => t.id)).toEqual([
      someoneElse.token.id,
    ])
    const everyone = await list('status=active')
    expect(new Set(everyone.map((t) => t.user.id)).size).toBeGreaterThan(1)
  })

  it('the admin list comes a page at a time, newest first, each token exactly once', async () => {
    const admin = await adminSession()
    const owner = await createTestUser(app)
    const session = await signIn(app, owner)
    const created: string[] = []
    for (let i = 0; i < 5; i++)
      created.push((await createToken(app, session, { name: `t${i}` })).id)
    const page = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/admin/tokens?userId=${owner.id}&${query}`,
        headers: admin.headers,
      })
      expect(res.statusCode, res.body).toBe(200)
      return res.json() as { tokens: { id: string }[]; nextCursor: string | null }
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const next = await page(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...next.tokens.map((t) => t.id))
      cursor = next.nextCursor
    } while (cursor && seen.length < 10)
    expect(seen).toEqual([...created].reverse())

    // Across all users too: the first page's cursor leads on to older tokens, never repeating one.
    const first = await page('')
    expect(first.nextCursor).toBeNull()
    const all = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/tokens?limit=1',
      headers: admin.headers,
    })
    const { tokens, nextCursor } = all.json() as { tokens: { id: string }[]; nextCursor: string }
    const after = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens?limit=1&cursor=${nextCursor}`,
      headers: admin.headers,
    })
    expect(after.json().tokens[0].id).not.toBe(tokens[0]?.id)
  })

  it('an admin lists tokens by last use, a page at a time, never used ones last', async () => {
    const admin = await adminSession()
    const owner = await createTestUser(app)
    const session = await signIn(app, owner)
    const day = 86_400_000
    const now = Date.now()
    // name -> last used (days ago), null: never; created 200 days ago unless said otherwise.
    const plan: [string, number | null, number?][] = [
      ['used today', 0],
      ['used 10 days ago', 10],
      ['used 100 days ago', 100],
      ['used 200 days ago', 200],
      ['never used, old', null],
      ['never used, new', null, 1],
    ]
    const ids = new Map<string, string>()
    for (const [name, usedDaysAgo, createdDaysAgo = 200] of plan) {
      const { id } = await createToken(app, session, { name })
      ids.set(name, id)
      await app.db
        .update(apiTokens)
        .set({
          createdAt: new Date(now - createdDaysAgo * day),
          lastUsedAt: usedDaysAgo === null ? null : new Date(now - usedDaysAgo * day),
        })
        .where(eq(apiTokens.id, id))
    }
    const pages = async (query: string) => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/admin/tokens?userId=${owner.id}&limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`,
          headers: admin.headers,
        })
        expect(res.statusCode, res.body).toBe(200)
        const body = res.json() as { tokens: { id: string }[]; nextCursor: string | null }
        seen.push(...body.tokens.map((t) => t.id))
        cursor = body.nextCursor
      } while (cursor && seen.length < 20)
      return seen
    }
    const never = [ids.get('never used, old'), ids.get('never used, new')].sort().reverse()
    expect(await pages('sort=last_used')).toEqual([
      ids.get('used today'),
      ids.get('used 10 days ago'),
      ids.get('used 100 days ago'),
      ids.get('used 200 days ago'),
      ...never,
    ])
    // Unused for 90 days: a token made yesterday and not used yet is not among them.
    expect(await pages('unused=90')).toEqual([
      ids.get('used 100 days ago'),
      ids.get('used 200 days ago'),
      ids.get('never used, old'),
    ])
    expect(await pages('sort=last_used&unused=150')).toEqual([
      ids.get('used 200 days ago'),
      ids.get('never used, old'),
    ])
  })

  it("an admin sees any user's token with its usage and activity", async () => {
    const admin = await adminSession()
    const { user, token } = await userWithToken(app)
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens/${token.id}`,
      headers: admin.headers,
    })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.token).toMatchObject({ id: token.id, user: { id: user.id, email: user.email } })
    expect(body.usage.days).toHaveLength(30)
    expect(body.activity).toEqual([])
  })

  it("an admin revokes another user's token; it is refused with token_revoked on the next request", async () => {
    const admin = await adminSession()
    const { session, token } = await userWithToken(app)
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token.secret) }))
        .statusCode,
    ).toBe(200)
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/tokens/${token.id}`,
      headers: admin.headers,
    })
    expect(res.statusCode).toBe(204)
    const refused = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(token.secret),
    })
    expect(refused.statusCode).toBe(401)
    expect(problem(refused).code).toBe('token_revoked')
    const own = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: session.headers })
    expect(own.json().tokens).toMatchObject([{ id: token.id, status: 'revoked' }])
  })
})

describe('admin: settings', () => {
  it('an admin reads and saves the token policy, and every user can read it', async () => {
    // The policy is workspace-wide, so this test has a database of its own.
    const isolated = await buildIsolatedApp()
    try {
      const admin = await adminSession(isolated)
      const get = async (url: string, headers: Record<string, string>) => {
        const res = await isolated.inject({ method: 'GET', url, headers })
        expect(res.statusCode, url).toBe(200)
        return res.json()
      }
      expect(await get('/api/v1/admin/settings', admin.headers)).toEqual({
        maxTokenLifetimeDays: null,
        tokenExpiryRequired: false,
        tokensPerUser: null,
        membersCanManageTokens: true,
      })
      const policy = {
        maxTokenLifetimeDays: 90,
        tokenExpiryRequired: true,
        tokensPerUser: 3,
        membersCanManageTokens: false,
      }
      const saved = await isolated.inject({
        method: 'PUT',
        url: '/api/v1/admin/settings',
        headers: admin.headers,
        payload: policy,
      })
      expect(saved.statusCode).toBe(200)
      expect(saved.json()).toEqual(policy)
      expect(await get('/api/v1/admin/settings', admin.headers)).toEqual(policy)

      const member = await signIn(isolated, await createTestUser(isolated))
      expect(await get('/api/v1/settings/token-policy', member.headers)).toEqual(policy)

      await putSettings(isolated, admin, {})
      expect((await get('/api/v1/settings/token-policy', member.headers)).tokensPerUser).toBeNull()
    } finally {
      await isolated.close()
    }
  })
})
