import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseHandle } from '../src/db/client.js'
import { ConfigError, loadEnv } from '../src/env.js'
import { buildTestApp, createTestUser, openTestDatabase, problem, userWithToken } from './helper.js'

describe('TRUST_PROXY', () => {
  it('accepts a hop count or proxy addresses, and refuses true', () => {
    expect(loadEnv({}).TRUST_PROXY).toBe(false)
    expect(loadEnv({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false)
    expect(loadEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1)
    expect(loadEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ])
    for (const value of ['true', 'yes', '10.0.0.0/33', '300.1.1.1', '1.2.3.4/8/9', 'loopback,']) {
      expect(() => loadEnv({ TRUST_PROXY: value }), value).toThrow(ConfigError)
      try {
        loadEnv({ TRUST_PROXY: value })
      } catch (error) {
        expect(String(error)).toContain('TRUST_PROXY')
      }
    }
  })
})

describe('behind a trusted proxy', () => {
  let database: DatabaseHandle
  beforeAll(async () => {
    database = await openTestDatabase()
  })
  afterAll(async () => {
    await database.close()
  })

  const signInLimit = { max: 3, windowMs: 60_000 }

  for (const trustProxy of [1, ['127.0.0.1']] as const) {
    it(`clients cannot choose their own address (TRUST_PROXY=${trustProxy})`, async () => {
      const app: App = await buildTestApp({
        database,
        trustProxy: typeof trustProxy === 'number' ? trustProxy : [...trustProxy],
        failureLimits: { signIn: signInLimit, unknownCredentials: { max: 1000, windowMs: 60_000 } },
      })
      try {
        const user = await createTestUser(app)
        let refused = 0
        for (let i = 0; i < 20; i++) {
          const res = await app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            // The proxy at 127.0.0.1 appends the address it saw; the client made up the rest.
            remoteAddress: '127.0.0.1',
            headers: { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.50` },
            payload: { email: user.email, password: `wrong password ${i}` },
          })
          if (res.statusCode === 429) refused++
          else expect(problem(res).code).toBe('invalid_credentials')
        }
        expect(refused).toBe(20 - signInLimit.max)
      } finally {
        await app.close()
      }
    })
  }

  it('last-used addresses are only ever valid IP addresses', async () => {
    const app = await buildTestApp({ database, trustProxy: 1 })
    try {
      const lastUsedIp = async (forwardedFor: string) => {
        const { session, token } = await userWithToken(app)
        const res = await app.inject({
          method: 'GET',
          url: '/api/v1/me',
          remoteAddress: '127.0.0.1',
          headers: { authorization: `Bearer ${token.secret}`, 'x-forwarded-for': forwardedFor },
        })
        expect(res.statusCode).toBe(200)
        await app.lastUsed.flush()
        const list = await app.inject({
          method: 'GET',
          url: '/api/v1/tokens',
          headers: session.headers,
        })
        const [listed] = list.json().tokens as {
          lastUsedAt: string | null
          lastUsedIp: string | null
        }[]
        expect(listed?.lastUsedAt).not.toBeNull()
        return listed?.lastUsedIp
      }
      expect(await lastUsedIp('6.6.6.6, 198.51.100.20')).toBe('198.51.100.20')
      expect(await lastUsedIp('<script>alert(1)</script>')).toBeNull()
      expect(await lastUsedIp('not-an-address')).toBeNull()
    } finally {
      await app.close()
    }
  })
})
