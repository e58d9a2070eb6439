import { describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseConfig } from '../src/db/client.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  isolatedDatabaseConfig,
  openTestDatabase,
  problem,
  putSettings,
  signIn,
  TEST_DB,
  testDatabaseConfig,
  userWithToken,
} from './helper.js'

/**
 * Two API instances on one database. On PostgreSQL each has its own connection pool, as two
 * processes would. An in-memory PGlite cannot be opened twice, so there both share one handle:
 * that still proves neither instance keeps any state of its own.
 */
async function withTwoInstances(
  run: (a: App, b: App) => Promise<void>,
  options: { ownDatabase?: boolean } = {},
) {
  if (TEST_DB === 'postgres') {
    const database: DatabaseConfig = options.ownDatabase
      ? await isolatedDatabaseConfig()
      : testDatabaseConfig()
    const a = await buildTestApp({ database })
    const b = await buildTestApp({ database })
    try {
      await run(a, b)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
    return
  }
  const handle = await openTestDatabase()
  const a = await buildTestApp({ database: handle })
  const b = await buildTestApp({ database: handle })
  try {
    await run(a, b)
  } finally {
    await Promise.all([a.close(), b.close()])
    await handle.close()
  }
}

const me = (on: App, headers: Record<string, string>) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers })

describe('several API instances on one database', () => {
  it('a token revoked through A is refused by B on the very next request', async () => {
    await withTwoInstances(async (a, b) => {
      const { session, token } = await userWithToken(a)
      expect((await me(b, bearer(token.secret))).statusCode).toBe(200)
      const revoke = await a.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${token.id}`,
        headers: session.headers,
      })
      expect(revoke.statusCode).toBe(204)
      const res = await me(b, bearer(token.secret))
      expect(res.statusCode).toBe(401)
      expect(problem(res).code).toBe('token_revoked')
    })
  })

  it('a token rotated through A: B refuses the old secret and accepts the new one at once', async () => {
    await withTwoInstances(async (a, b) => {
      const { session, token } = await userWithToken(a)
      expect((await me(b, bearer(token.secret))).statusCode).toBe(200)
      const rotated = await a.inject({
        method: 'POST',
        url: `/api/v1/tokens/${token.id}/rotate`,
        headers: session.headers,
      })
      expect(problem(await me(b, bearer(token.secret))).code).toBe('token_invalid')
      expect((await me(b, bearer(rotated.json().secret))).statusCode).toBe(200)
    })
  })

  it('a user disabled through A is refused by B: tokens and sessions', async () => {
    await withTwoInstances(async (a, b) => {
      const admin = await signIn(a, await createTestUser(a, 'admin'))
      const { user, token } = await userWithToken(a)
      const sessionOnB = await signIn(b, user)
      expect((await me(b, bearer(token.secret))).statusCode).toBe(200)
      expect((await me(b, sessionOnB.headers)).statusCode).toBe(200)

      await a.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: admin.headers,
        payload: { disabled: true },
      })
      const byToken = await me(b, bearer(token.secret))
      expect(byToken.statusCode).toBe(401)
      expect(problem(byToken).code).toBe('user_disabled')
      expect((await me(b, sessionOnB.headers)).statusCode).toBe(401)
    })
  })

  it('a session started on A works on B, and signing out on B ends it on A', async () => {
    await withTwoInstances(async (a, b) => {
      const user = await createTestUser(a)
      const session = await signIn(a, user)
      const onB = await me(b, session.headers)
      expect(onB.json().user.id).toBe(user.id)
      // The CSRF token is derived from the session, so B accepts A's.
      const created = await b.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: session.headers,
        payload: { name: 'made on B' },
      })
      expect(created.statusCode).toBe(201)

      await b.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session.headers })
      expect(problem(await me(a, session.headers)).code).toBe('session_invalid')
    })
  })

  it('a policy change through A applies on B at once', async () => {
    // The policy is workspace-wide: these two instances get a database of their own.
    await withTwoInstances(
      async (a, b) => {
        const admin = await signIn(a, await createTestUser(a, 'admin'))
        const member = await signIn(b, await createTestUser(b))
        const list = () =>
          b.inject({ method: 'GET', url: '/api/v1/tokens', headers: member.headers })
        expect((await list()).statusCode).toBe(200)
        await putSettings(a, admin, { membersCanManageTokens: false })
        const res = await list()
        expect(res.statusCode).toBe(403)
        expect(problem(res).code).toBe('permission_denied')
      },
      { ownDatabase: true },
    )
  })
})
