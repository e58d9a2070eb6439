import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { sha256Hex } from '../src/lib/secrets.js'
import { writeUsage } from '../src/services/tokens/last-used.js'
import { TokenLookup } from '../src/services/tokens/lookup.js'
import { buildTestApp, isolatedDatabaseConfig, rows, userWithToken } from './helper.js'

// Token rows are reused between requests only while auth_version has not moved, and every change
// authentication reads moves it (migration 0009). The changes here are made in SQL, not through
// the services, so they prove the triggers, whatever code path makes a change. A database of its
// own: the version counts every change, and the policy is workspace-wide.

describe('token lookup', () => {
  let app: App
  beforeAll(async () => {
    app = await buildTestApp({ database: await isolatedDatabaseConfig() })
  })
  afterEach(async () => {
    await app.db.execute(sql`update settings set members_can_manage_tokens = true`)
  })
  afterAll(async () => {
    await app.close()
  })

  const version = async () => {
    const [row] = await rows<{ version: string }>(
      app,
      sql`select version::text as version from auth_version`,
    )
    return BigInt(row?.version ?? '')
  }
  const run = (statement: ReturnType<typeof sql>) => app.db.execute(statement)

  async function remembered() {
    const { user, token } = await userWithToken(app)
    const hash = sha256Hex(token.secret)
    const lookup = new TokenLookup(app.database)
    const first = (await lookup.find([hash])).get(hash)
    if (!first) throw new Error('token not found')
    return { user, token, hash, lookup, first }
  }

  it('a row read once is reused while nothing authentication reads has changed', async () => {
    const { hash, lookup, first } = await remembered()
    expect((await lookup.find([hash])).get(hash)).toBe(first)
    expect(lookup.size).toBe(1)
  })

  it('recording a use changes nothing authentication reads: the row stays', async () => {
    const { token, hash, lookup, first } = await remembered()
    const before = await version()
    await writeUsage(app.db, {
      lastUses: [{ tokenId: token.id, at: new Date(), ip: '10.0.0.5', client: 'curl' }],
      counts: [],
      pruneBefore: null,
    })
    await run(sql`update api_tokens set lifetime_days = 7 where id = ${token.id}`)
    // Setting a column to what it holds is no change either.
    await run(sql`update users set role = role, disabled = disabled`)
    expect(await version()).toBe(before)
    expect((await lookup.find([hash])).get(hash)).toBe(first)
  })

  const changes: [string, (ids: { user: string; token: string }) => ReturnType<typeof sql>][] = [
    [
      'revoking the token',
      ({ token }) => sql`update api_tokens set revoked_at = now() where id = ${token}`,
    ],
    [
      'changing its expiry',
      ({ token }) =>
        sql`update api_tokens set expires_at = now() + interval '1 day' where id = ${token}`,
    ],
    [
      'changing its scopes',
      ({ token }) => sql`update api_tokens set scopes = '{read}' where id = ${token}`,
    ],
    ['renaming it', ({ token }) => sql`update api_tokens set name = 'renamed' where id = ${token}`],
    ['disabling its user', ({ user }) => sql`update users set disabled = true where id = ${user}`],
    [
      'changing its user\u2019s role',
      ({ user }) => sql`update users set role = 'admin' where id = ${user}`,
    ],
    [
      'changing its user\u2019s email',
      ({ user }) => sql`update users set email = email || '.changed' where id = ${user}`,
    ],
    [
      'changing the token policy',
      () =>
        sql`insert into settings (id, members_can_manage_tokens) values (1, false) on conflict (id) do update set members_can_manage_tokens = not settings.members_can_manage_tokens`,
    ],
  ]

  it.each(changes)(
    '%s moves the version, and the next lookup reads the row again',
    async (_, change) => {
      const { user, token, hash, lookup, first } = await remembered()
      const before = await version()
      await run(change({ user: user.id, token: token.id }))
      expect(await version()).toBe(before + 1n)
      const next = (await lookup.find([hash])).get(hash)
      expect(next).not.toBe(first)
      const fresh = (await new TokenLookup(app.database).find([hash])).get(hash)
      expect(next).toEqual(fresh)
    },
  )

  it('a deleted token, or one whose user is deleted, is not found by the next lookup', async () => {
    for (const remove of [
      (ids: { user: string; token: string }) => sql`delete from api_tokens where id = ${ids.token}`,
      (ids: { user: string; token: string }) => sql`delete from users where id = ${ids.user}`,
    ]) {
      const { user, token, hash, lookup } = await remembered()
      await run(remove({ user: user.id, token: token.id }))
      expect((await lookup.find([hash])).has(hash)).toBe(false)
      expect(lookup.size).toBe(0)
    }
  })

  it('several changes in one transaction move the version once', async () => {
    const { user, token } = await remembered()
    const before = await version()
    await app.db.transaction(async (tx) => {
      await tx.execute(sql`update api_tokens set name = 'one' where id = ${token.id}`)
      await tx.execute(sql`update users set name = 'two' where id = ${user.id}`)
      await tx.execute(sql`update api_tokens set revoked_at = now() where id = ${token.id}`)
    })
    expect(await version()).toBe(before + 1n)
  })

  it('a token not found is not remembered: created a moment later, it is found', async () => {
    const { hash, lookup } = await remembered()
    const other = await userWithToken(app)
    const otherHash = sha256Hex(other.token.secret)
    await run(sql`update api_tokens set secret_hash = 'pending' where id = ${other.token.id}`)
    expect((await lookup.find([hash, otherHash])).has(otherHash)).toBe(false)
    // Created now (a hash appearing is a change like any other, but a new token need not be one).
    await run(sql`update api_tokens set secret_hash = ${otherHash} where id = ${other.token.id}`)
    expect((await lookup.find([hash, otherHash])).get(otherHash)?.token.id).toBe(other.token.id)
  })

  it('a row is read again after a minute even if nothing changed, and at most so many are kept', async () => {
    const clock = { now: Date.now() }
    const tokens = await Promise.all([1, 2, 3].map(() => userWithToken(app)))
    const hashes = tokens.map(({ token }) => sha256Hex(token.secret))
    const lookup = new TokenLookup(app.database, { clock: () => clock.now, maxRemembered: 2 })
    const first = await lookup.find(hashes)
    expect(first.size).toBe(3)
    expect(lookup.size).toBe(2)
    const [a] = hashes as [string]
    const again = await lookup.find([a])
    clock.now += 60_000
    const later = await lookup.find([a])
    expect(later.get(a)).not.toBe(again.get(a))
    expect(later.get(a)).toEqual(again.get(a))
  })
})
