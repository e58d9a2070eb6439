import { randomBytes } from 'node:crypto'
import { generateToken } from '@tessera/core'
import type { LightMyRequestResponse } from 'fastify'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App, AppOptions } from '../src/app.js'
import type { DatabaseHandle } from '../src/db/client.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  openTestDatabase,
  PASSWORD,
  problem,
  signIn,
  userWithToken,
} from './helper.js'

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const limits = {
  unknownCredentials: { max: 4, windowMs: 60_000 },
  signIn: { max: 3, windowMs: 60_000 },
} satisfies AppOptions['failureLimits']

/** An address no other test (or run sharing the Redis server) uses. */
const freshAddress = () =>
  `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`

function expectRateLimited(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(429)
  expect(problem(res).code).toBe('rate_limited')
  expect(problem(res).hint).toBeTruthy()
  const retryAfter = Number(res.headers['retry-after'])
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(retryAfter).toBeLessThanOrEqual(60)
}

const me = (app: App, authorization: string, remoteAddress: string) =>
  app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress, headers: { authorization } })

// One database for every app in this file; each app is an instance with limits of its own.
let database: DatabaseHandle
beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database.close()
})

describe('failure limits on one instance', () => {
  let app: App
  beforeAll(async () => {
    app = await buildTestApp({ database, failureLimits: limits })
  })
  afterAll(async () => {
    await app.close()
  })

  it('wrong passwords lock that account for that address only, before the password is checked', async () => {
    const user = await createTestUser(app)
    const other = await createTestUser(app)
    const address = freshAddress()
    const login = (email: string, password: string, remoteAddress = address) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { email, password },
      })
    for (let i = 0; i < limits.signIn.max; i++) {
      expect(problem(await login(user.email, 'wrong password')).code).toBe('invalid_credentials')
    }
    expectRateLimited(await login(user.email, 'wrong password'))
    // The right password does not get through from the guessing address: nothing to learn there.
    expectRateLimited(await login(user.email, PASSWORD))
    // The owner, elsewhere, signs in; another account from the guessing address does too.
    expect((await login(user.email, PASSWORD, freshAddress())).statusCode).toBe(200)
    expect((await login(other.email, PASSWORD)).statusCode).toBe(200)
  })

  it('many unknown tokens slow down unknown tokens only: valid tokens and sessions from that address keep working', async () => {
    const { user, token } = await userWithToken(app)
    const address = freshAddress()
    for (let i = 0; i < limits.unknownCredentials.max; i++) {
      const res = await me(app, `Bearer ${generateToken()}`, address)
      expect(problem(res).code).toBe('token_invalid')
    }
    expectRateLimited(await me(app, `Bearer ${generateToken()}`, address))
    expectRateLimited(await me(app, 'Basic eDp5', address))
    expect((await me(app, `Bearer ${token.secret}`, address)).statusCode).toBe(200)
    expect((await me(app, `Api-Token ${token.secret}`, address)).statusCode).toBe(200)
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: address,
      payload: { email: user.email, password: PASSWORD },
    })
    expect(login.statusCode).toBe(200)
  })

  it('a client repeating a revoked or rotated-away token is told why every time and locks no one out', async () => {
    const { session, token: revoked } = await userWithToken(app)
    const rotated = await createToken(app, session, { name: 'rotated' })
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${revoked.id}`,
      headers: session.headers,
    })
    const rotation = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${rotated.id}/rotate`,
      headers: session.headers,
    })
    const current = rotation.json().secret as string
    const address = freshAddress()
    for (let i = 0; i < limits.unknownCredentials.max * 5; i++) {
      expect(problem(await me(app, `Bearer ${revoked.secret}`, address)).code).toBe('token_revoked')
      expect(problem(await me(app, `Bearer ${rotated.secret}`, address)).code).toBe('token_invalid')
    }
    expect((await me(app, `Bearer ${current}`, address)).statusCode).toBe(200)
    // The stale token counted once: the address still has room for other mistakes.
    for (let i = 0; i < limits.unknownCredentials.max - 1; i++) {
      expect((await me(app, `Bearer ${generateToken()}`, address)).statusCode).toBe(401)
    }
    expectRateLimited(await me(app, `Bearer ${generateToken()}`, address))
  })

  it('a wrong session cookie counts as an unknown credential too', async () => {
    const address = freshAddress()
    const withCookie = (value: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/me',
        remoteAddress: address,
        headers: { cookie: `tessera_session=${value}` },
      })
    for (let i = 0; i < limits.unknownCredentials.max; i++) {
      expect((await withCookie(randomBytes(32).toString('base64url'))).statusCode).toBe(401)
    }
    expectRateLimited(await withCookie(randomBytes(32).toString('base64url')))
    const valid = await signIn(app, await createTestUser(app))
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      remoteAddress: address,
      headers: valid.headers,
    })
    expect(res.statusCode).toBe(200)
  })
})

describe('failure limits across instances', () => {
  beforeAll(async () => {
    // The shared store must be there: this is what REDIS_URL deployments rely on.
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      expect(await redis.ping()).toBe('PONG')
    } catch (error) {
      throw new Error(`Redis is required at ${REDIS_URL} (set TEST_REDIS_URL): ${String(error)}`)
    } finally {
      redis.disconnect()
    }
  })

  async function pair(redisUrl: string | undefined) {
    const first = await buildTestApp({ database, failureLimits: limits, redisUrl })
    const second = await buildTestApp({ database, failureLimits: limits, redisUrl })
    return { first, second, close: async () => Promise.all([first.close(), second.close()]) }
  }

  it('with REDIS_URL, unknown credentials sent to different instances add up', async () => {
    const { first, second, close } = await pair(REDIS_URL)
    try {
      const { token } = await userWithToken(first)
      const address = freshAddress()
      for (let i = 0; i < limits.unknownCredentials.max; i++) {
        const app = i % 2 === 0 ? first : second
        expect((await me(app, `Bearer ${generateToken()}`, address)).statusCode).toBe(401)
      }
      expectRateLimited(await me(first, `Bearer ${generateToken()}`, address))
      expectRateLimited(await me(second, `Bearer ${generateToken()}`, address))
      expect((await me(second, `Bearer ${token.secret}`, address)).statusCode).toBe(200)
    } finally {
      await close()
    }
  })

  it('with REDIS_URL, wrong passwords sent to different instances add up', async () => {
    const { first, second, close } = await pair(REDIS_URL)
    try {
      const user = await createTestUser(first)
      const address = freshAddress()
      const login = (app: App, password: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: address,
          payload: { email: user.email, password },
        })
      for (let i = 0; i < limits.signIn.max; i++) {
        expect((await login(i % 2 ? first : second, 'wrong password')).statusCode).toBe(401)
      }
      expectRateLimited(await login(first, PASSWORD))
      expectRateLimited(await login(second, PASSWORD))
    } finally {
      await close()
    }
  })

  it('without REDIS_URL each instance counts on its own', async () => {
    const { first, second, close } = await pair(undefined)
    try {
      const address = freshAddress()
      for (let i = 0; i < limits.unknownCredentials.max; i++) {
        expect((await me(first, `Bearer ${generateToken()}`, address)).statusCode).toBe(401)
      }
      expectRateLimited(await me(first, `Bearer ${generateToken()}`, address))
      expect((await me(second, `Bearer ${generateToken()}`, address)).statusCode).toBe(401)
    } finally {
      await close()
    }
  })

  it('when Redis cannot be reached, limits fall back to each instance and nothing fails', async () => {
    const app = await buildTestApp({
      database,
      failureLimits: limits,
      redisUrl: 'redis://127.0.0.1:9',
    })
    try {
      const { token } = await userWithToken(app)
      const address = freshAddress()
      for (let i = 0; i < limits.unknownCredentials.max; i++) {
        expect((await me(app, `Bearer ${generateToken()}`, address)).statusCode).toBe(401)
      }
      expectRateLimited(await me(app, `Bearer ${generateToken()}`, address))
      expect((await me(app, `Bearer ${token.secret}`, address)).statusCode).toBe(200)
      expect((await me(app, bearer(token.secret).authorization, freshAddress())).statusCode).toBe(
        200,
      )
    } finally {
      await app.close()
    }
  })
})
