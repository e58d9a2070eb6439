import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DatabaseConfig } from '../src/db/client.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  PASSWORD,
  signIn,
  TEST_DB,
  testDatabaseConfig,
} from './helper.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** Where data must outlive the process: a PGlite data folder, or the PostgreSQL database. */
async function durableDatabase(): Promise<DatabaseConfig> {
  if (TEST_DB === 'postgres') return testDatabaseConfig()
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-persist-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  return { driver: 'pglite', dataDir }
}

describe('persistence', () => {
  it('users, sessions and tokens survive a restart; last use is written on shutdown', async () => {
    const database = await durableDatabase()

    const first = await buildTestApp({ database })
    const user = await createTestUser(first)
    const session = await signIn(first, user)
    const kept = await createToken(first, session, { name: 'kept' })
    const revoked = await createToken(first, session, { name: 'revoked' })
    await first.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${revoked.id}`,
      headers: session.headers,
    })
    // Used once, then the server stops: the queued last-use record must not be lost.
    await first.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(kept.secret) })
    await first.close()

    const second = await buildTestApp({ database })
    try {
      const byToken = await second.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(kept.secret),
      })
      expect(byToken.statusCode).toBe(200)
      expect(byToken.json().user.id).toBe(user.id)
      const byRevoked = await second.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: bearer(revoked.secret),
      })
      expect(byRevoked.json().code).toBe('token_revoked')

      const list = await second.inject({
        method: 'GET',
        url: '/api/v1/tokens',
        headers: session.headers,
      })
      expect(list.statusCode).toBe(200)
      const tokens = list.json().tokens as { id: string; lastUsedAt: string | null }[]
      expect(tokens.map((t) => t.id)).toEqual([revoked.id, kept.id])
      expect(tokens[1]?.lastUsedAt).not.toBeNull()

      const login = await second.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: PASSWORD },
      })
      expect(login.statusCode).toBe(200)
    } finally {
      await second.close()
    }
  })
})
