import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  createToken,
  problem,
  putSettings,
  type Session,
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

async function newSession(on: App = app) {
  return signIn(on, await createTestUser(on))
}

function postToken(session: Session, payload: unknown, on: App = app) {
  return on.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: session.headers,
    payload: payload as Record<string, unknown>,
  })
}

async function tokenCount(session: Session) {
  const res = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: session.headers })
  return (res.json().tokens as unknown[]).length
}

describe('tokens: invalid requests', () => {
  it('a name that is empty, blank or longer than 100 characters is refused with validation_failed', async () => {
    const session = await newSession()
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const res = await postToken(session, { name })
      expect(res.statusCode, JSON.stringify(name)).toBe(400)
      expect(problem(res)).toMatchObject({ status: 400, code: 'validation_failed' })
      expect(problem(res).detail).toContain('name')
    }
    expect(await tokenCount(session)).toBe(0)
    // The boundary itself is fine.
    expect((await postToken(session, { name: 'x'.repeat(100) })).statusCode).toBe(201)
  })

  it('expiresInDays must be a whole number of days, at least 1', async () => {
    const session = await newSession()
    for (const expiresInDays of [0, -1, 1.5, 'x', '7', true, 36_501]) {
      const res = await postToken(session, { name: 'bad lifetime', expiresInDays })
      expect(res.statusCode, JSON.stringify(expiresInDays)).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
      expect(problem(res).detail).toContain('expiresInDays')
    }
    expect(await tokenCount(session)).toBe(0)
  })

  it('an unknown scope is refused with invalid_scope, naming the scope', async () => {
    const session = await newSession()
    const res = await postToken(session, { name: 'scoped', scopes: ['read', 'admin'] })
    expect(res.statusCode).toBe(400)
    expect(problem(res)).toMatchObject({ code: 'invalid_scope', details: { invalid: ['admin'] } })
    expect(problem(res).detail).toContain('admin')

    for (const scopes of [[], ['READ'], [' read'], ['project:web']]) {
      const again = await postToken(session, { name: 'scoped', scopes })
      expect(again.statusCode, JSON.stringify(scopes)).toBe(400)
      expect(problem(again).code).toBe('invalid_scope')
    }
    expect(await tokenCount(session)).toBe(0)
  })

  it('a body that is not valid JSON is refused with invalid_json', async () => {
    const session = await newSession()
    for (const payload of ['{"name": "x"', '{name: x}', '']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...session.headers, 'content-type': 'application/json' },
        payload,
      })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).code).toBe('invalid_json')
    }
    expect(await tokenCount(session)).toBe(0)
  })

  it('a body in another content type is refused, never taken as a token request', async () => {
    const session = await newSession()
    const form = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=form',
    })
    expect(form.statusCode).toBe(415)
    expect(problem(form).code).toBe('unsupported_media_type')

    // Fastify parses text/plain as a string, which the schema then refuses.
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, 'content-type': 'text/plain' },
      payload: '{"name":"text"}',
    })
    expect(text.statusCode).toBe(400)
    expect(problem(text).code).toBe('validation_failed')
    expect(await tokenCount(session)).toBe(0)
  })

  it('a token list cursor that is not one, or a limit out of range, is refused', async () => {
    const session = await newSession()
    for (const query of ['cursor=nonsense', 'limit=0', 'limit=201', 'limit=x']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens?${query}`,
        headers: session.headers,
      })
      expect(res.statusCode, query).toBe(400)
      expect(problem(res).code, query).toMatch(/^(invalid_cursor|validation_failed)$/)
    }
    const garbled = await app.inject({
      method: 'GET',
      url: `/api/v1/tokens?cursor=${Buffer.from('2026-01-01T00:00:00.000Z|x').toString('base64url')}`,
      headers: session.headers,
    })
    expect(problem(garbled).code).toBe('invalid_cursor')
  })

  it('rotating or revoking an unknown or garbage id answers 404 not_found', async () => {
    const session = await newSession()
    for (const id of [
      randomUUID(),
      'zzz',
      'not-a-uuid-at-all',
      '00000000-0000-0000-0000-000000000000',
    ]) {
      const rotate = await app.inject({
        method: 'POST',
        url: `/api/v1/tokens/${id}/rotate`,
        headers: session.headers,
      })
      expect(rotate.statusCode, id).toBe(404)
      expect(problem(rotate).code).toBe('not_found')
      const revoke = await app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${id}`,
        headers: session.headers,
      })
      expect(revoke.statusCode, id).toBe(404)
      expect(problem(revoke).code).toBe('not_found')
    }
    const tooLong = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${'a'.repeat(65)}`,
      headers: session.headers,
    })
    expect(tooLong.statusCode).toBe(400)
    expect(problem(tooLong).code).toBe('validation_failed')
  })

  it("a token's detail for an unknown or garbage id answers 404 not_found", async () => {
    const { session } = await userWithToken(app)
    for (const id of [randomUUID(), 'not-a-uuid', '%27%20or%201%3D1']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens/${id}`,
        headers: session.headers,
      })
      expect(res.statusCode, id).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
  })

  it('an admin token list sorted or filtered in ways it cannot be is refused', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    for (const query of ['sort=name', 'unused=0', 'unused=abc', 'sort=last_used&cursor=bm9wZQ']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/admin/tokens?${query}`,
        headers: admin.headers,
      })
      expect(res.statusCode, query).toBe(400)
    }
  })

  it('the /tokens/self routes describe a token: a session gets 403 token_required', async () => {
    const session = await newSession()
    for (const [method, url] of [
      ['GET', '/api/v1/tokens/self'],
      ['POST', '/api/v1/tokens/self/rotate'],
    ] as const) {
      const res = await app.inject({ method, url, headers: session.headers })
      expect(res.statusCode, url).toBe(403)
      expect(problem(res).code).toBe('token_required')
    }
  })

  it('a revoked token cannot be rotated: 409 token_revoked, and it stays revoked', async () => {
    const { session, token } = await userWithToken(app)
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${token.id}/rotate`,
      headers: session.headers,
    })
    expect(res.statusCode).toBe(409)
    expect(problem(res).code).toBe('token_revoked')
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(list.json().tokens).toMatchObject([{ id: token.id, status: 'revoked' }])
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token.secret) })
    expect(problem(me).code).toBe('token_revoked')
  })
})

// The policy is one row for the whole workspace: each test gets a database of its own.
describe('tokens: the token policy', () => {
  async function policyApp() {
    const isolated = await buildIsolatedApp()
    const admin = await signIn(isolated, await createTestUser(isolated, 'admin'))
    return { isolated, admin }
  }

  it('a lifetime beyond the maximum is refused with token_lifetime_exceeded', async () => {
    const { isolated, admin } = await policyApp()
    try {
      await putSettings(isolated, admin, { maxTokenLifetimeDays: 30 })
      const session = await newSession(isolated)
      for (const expiresInDays of [31, 365, null]) {
        const res = await postToken(session, { name: 'long', expiresInDays }, isolated)
        expect(res.statusCode, String(expiresInDays)).toBe(400)
        expect(problem(res)).toMatchObject({
          code: 'token_lifetime_exceeded',
          details: { maxTokenLifetimeDays: 30 },
        })
        expect(problem(res).detail).toContain('30 days')
      }
      expect(
        (await postToken(session, { name: 'ok', expiresInDays: 30 }, isolated)).statusCode,
      ).toBe(201)
      // Without a lifetime the token gets the maximum rather than none.
      const defaulted = await postToken(session, { name: 'default' }, isolated)
      expect(defaulted.statusCode).toBe(201)
      const { token } = defaulted.json()
      const days = (Date.parse(token.expiresAt) - Date.parse(token.createdAt)) / 86_400_000
      expect(days).toBeCloseTo(30, 5)
    } finally {
      await isolated.close()
    }
  })

  it('rotation obeys the policy in force at rotation time, in the console and by the token itself', async () => {
    const { isolated, admin } = await policyApp()
    try {
      const session = await newSession(isolated)
      const forever = (
        await postToken(session, { name: 'forever', expiresInDays: null }, isolated)
      ).json()
      const yearly = (
        await postToken(session, { name: 'yearly', expiresInDays: 365 }, isolated)
      ).json()
      await putSettings(isolated, admin, { tokenExpiryRequired: true, maxTokenLifetimeDays: 30 })

      const byConsole = await isolated.inject({
        method: 'POST',
        url: `/api/v1/tokens/${forever.token.id}/rotate`,
        headers: session.headers,
      })
      expect(byConsole.statusCode, byConsole.body).toBe(200)
      const rotated = byConsole.json().token
      expect(rotated.expiresAt).not.toBeNull()
      const days = (Date.parse(rotated.expiresAt) - Date.parse(rotated.createdAt)) / 86_400_000
      expect(days).toBeCloseTo(30, 5)

      const bySelf = await isolated.inject({
        method: 'POST',
        url: '/api/v1/tokens/self/rotate',
        headers: bearer(yearly.secret),
      })
      expect(bySelf.statusCode, bySelf.body).toBe(200)
      const self = bySelf.json().token
      expect((Date.parse(self.expiresAt) - Date.parse(self.createdAt)) / 86_400_000).toBeCloseTo(
        30,
        5,
      )

      // Expiry required with no maximum: a token without expiry cannot be renewed as it is.
      const legacy = (
        await postToken(session, { name: 'legacy', expiresInDays: 7 }, isolated)
      ).json()
      await putSettings(isolated, admin, {})
      const noExpiry = (
        await postToken(session, { name: 'none', expiresInDays: null }, isolated)
      ).json()
      await putSettings(isolated, admin, { tokenExpiryRequired: true })
      const refused = await isolated.inject({
        method: 'POST',
        url: `/api/v1/tokens/${noExpiry.token.id}/rotate`,
        headers: session.headers,
      })
      expect(refused.statusCode).toBe(400)
      expect(problem(refused).code).toBe('token_expiry_required')
      expect(problem(refused).hint).toBeTruthy()
      const kept = await isolated.inject({
        method: 'POST',
        url: `/api/v1/tokens/${legacy.token.id}/rotate`,
        headers: session.headers,
      })
      expect(kept.statusCode).toBe(200)
    } finally {
      await isolated.close()
    }
  })

  it('when an expiry is required, a token without one is refused with token_expiry_required', async () => {
    const { isolated, admin } = await policyApp()
    try {
      await putSettings(isolated, admin, { tokenExpiryRequired: true })
      const session = await newSession(isolated)
      for (const payload of [{ name: 'forever', expiresInDays: null }, { name: 'unspecified' }]) {
        const res = await postToken(session, payload, isolated)
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        expect(problem(res).code).toBe('token_expiry_required')
      }
      const ok = await postToken(session, { name: 'weekly', expiresInDays: 7 }, isolated)
      expect(ok.statusCode).toBe(201)
    } finally {
      await isolated.close()
    }
  })

  it('with one token per user, creating a token revokes the previous one at once', async () => {
    const { isolated, admin } = await policyApp()
    try {
      await putSettings(isolated, admin, { tokensPerUser: 1 })
      const user = await createTestUser(isolated)
      const session = await signIn(isolated, user)
      const first = await createToken(isolated, session, { name: 'laptop' })
      const use = (secret: string) =>
        isolated.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(secret) })
      expect((await use(first.secret)).statusCode).toBe(200)

      const second = await createToken(isolated, session, { name: 'desktop' })
      const old = await use(first.secret)
      expect(old.statusCode).toBe(401)
      expect(problem(old).code).toBe('token_revoked')
      expect((await use(second.secret)).statusCode).toBe(200)

      const feed = await isolated.inject({
        method: 'GET',
        url: '/api/v1/activity',
        headers: session.headers,
      })
      const entries = feed.json().activity as {
        action: string
        target: { id: string; label: string }
        actor: { id: string }
        changes: unknown
      }[]
      const revoked = entries.filter((e) => e.action === 'token.revoked')
      expect(revoked).toHaveLength(1)
      expect(revoked[0]).toMatchObject({
        actor: { id: user.id },
        target: { id: first.id, label: 'laptop' },
        changes: { reason: { after: 'replaced by a new token' } },
      })
    } finally {
      await isolated.close()
    }
  })

  it('with N tokens per user, one more is refused with token_limit_reached until one is revoked', async () => {
    const { isolated, admin } = await policyApp()
    try {
      await putSettings(isolated, admin, { tokensPerUser: 2 })
      const session = await newSession(isolated)
      const first = await createToken(isolated, session, { name: 'one' })
      await createToken(isolated, session, { name: 'two' })
      const third = await postToken(session, { name: 'three' }, isolated)
      expect(third.statusCode).toBe(409)
      expect(problem(third).code).toBe('token_limit_reached')
      expect(problem(third).detail).toContain('2')

      // The limit is per user: someone else still may.
      const other = await newSession(isolated)
      expect((await postToken(other, { name: 'theirs' }, isolated)).statusCode).toBe(201)

      // Revoked tokens do not count.
      await isolated.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${first.id}`,
        headers: session.headers,
      })
      expect((await postToken(session, { name: 'three' }, isolated)).statusCode).toBe(201)
    } finally {
      await isolated.close()
    }
  })
})
