import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { buildTestApp, isolatedDatabaseConfig, userWithToken } from './helper.js'

// auth_version is one row every change to tokens, users and the token policy updates. Were it
// updated as each change is made, two transactions changing a user and a token in opposite orders
// would deadlock on it; updated at commit, it is the last lock either takes.
describe('auth_version under concurrent changes (PostgreSQL)', () => {
  let app: App
  let url: string
  beforeAll(async () => {
    const database = await isolatedDatabaseConfig()
    if (database.driver !== 'postgres') throw new Error('PostgreSQL only')
    url = database.url
    app = await buildTestApp({ database })
  })
  afterAll(async () => {
    await app.close()
  })

  it('two transactions changing a user and a token in opposite orders both commit, once each', async () => {
    const first = await userWithToken(app)
    const second = await userWithToken(app)
    const sql = postgres(url, { max: 2, onnotice: () => {} })
    try {
      const [{ version: before } = { version: '' }] =
        await sql`select version::text from auth_version`
      const [one, two] = [await sql.reserve(), await sql.reserve()]
      try {
        await one`begin`
        await two`begin`
        await one`update users set name = 'one' where id = ${first.user.id}`
        await two`update api_tokens set name = 'two' where id = ${second.token.id}`
        // Waits for two's lock on that token row, which two keeps until it commits.
        const blocked = one`update api_tokens set revoked_at = now() where id = ${second.token.id}`
        await new Promise((resolve) => setTimeout(resolve, 200))
        await two`update users set name = 'two' where id = ${second.user.id}`
        await two`commit`
        await blocked
        await one`commit`
      } finally {
        one.release()
        two.release()
      }
      const [{ version: after } = { version: '' }] =
        await sql`select version::text from auth_version`
      expect(BigInt(after) - BigInt(before)).toBe(2n)
      const [row] = await sql`select revoked_at from api_tokens where id = ${second.token.id}`
      expect(row?.revoked_at).toBeInstanceOf(Date)
    } finally {
      await sql.end()
    }
  })
})
