import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  PASSWORD,
  problem,
  signIn,
} from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

const adminSession = async (on: App = app) => signIn(on, await createTestUser(on, 'admin'))

describe('admin: invalid user changes', () => {
  it('a duplicate email is refused with 409 email_taken, whatever its case', async () => {
    const admin = await adminSession()
    const existing = await createTestUser(app)
    for (const email of [existing.email, existing.email.toUpperCase()]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        headers: admin.headers,
        payload: { email, name: 'Twin', password: PASSWORD },
      })
      expect(res.statusCode, email).toBe(409)
      expect(problem(res).code).toBe('email_taken')
    }
  })

  it('a new user with a bad email, short password, empty name or unknown role is refused', async () => {
    const admin = await adminSession()
    const good = { email: `ok-${randomUUID()}@example.test`, name: 'Ok', password: PASSWORD }
    for (const [field, payload] of [
      ['email', { ...good, email: 'not an email' }],
      ['password', { ...good, password: 'short' }],
      ['name', { ...good, name: '  ' }],
      ['role', { ...good, role: 'owner' }],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        headers: admin.headers,
        payload,
      })
      expect(res.statusCode, field).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
      expect(problem(res).detail).toContain(field)
    }
    // None of them was created.
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: admin.headers,
    })
    expect(list.json().users.some((u: { email: string }) => u.email === good.email)).toBe(false)
  })

  it('changing an unknown or garbage user id answers 404 not_found', async () => {
    const admin = await adminSession()
    for (const id of [randomUUID(), 'zzz']) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${id}`,
        headers: admin.headers,
        payload: { name: 'Nobody' },
      })
      expect(res.statusCode, id).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
  })

  it('an empty or invalid change is refused with validation_failed', async () => {
    const admin = await adminSession()
    const user = await createTestUser(app)
    for (const payload of [{}, { role: 'owner' }, { disabled: 'yes' }, { name: '' }]) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${user.id}`,
        headers: admin.headers,
        payload,
      })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
    }
  })

  it('an admin cannot disable or demote themselves: 400 cannot_demote_self', async () => {
    const me = await createTestUser(app, 'admin')
    const session = await signIn(app, me)
    for (const payload of [{ disabled: true }, { role: 'member' }]) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${me.id}`,
        headers: session.headers,
        payload,
      })
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).code).toBe('cannot_demote_self')
    }
    const still = await app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers })
    expect(still.json().user.role).toBe('admin')
  })
})

describe('admin: invalid token requests', () => {
  it('revoking an unknown or garbage token id answers 404 not_found', async () => {
    const admin = await adminSession()
    for (const id of [randomUUID(), 'zzz']) {
      const res = await app.inject({
        method: 'DELETE',
        url: `/api/v1/admin/tokens/${id}`,
        headers: admin.headers,
      })
      expect(res.statusCode, id).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
  })

  it('a token list filter that is not a user id, a status or a sane limit is refused', async () => {
    const admin = await adminSession()
    for (const query of ['userId=abc', 'status=paused', 'limit=0', 'limit=501', 'limit=x']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/admin/tokens?${query}`,
        headers: admin.headers,
      })
      expect(res.statusCode, query).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
    }
  })
})

describe('admin: invalid settings', () => {
  it('an invalid token policy is refused with validation_failed and nothing changes', async () => {
    // Were the refusal broken, the policy would change for everyone: a database of its own.
    const isolated = await buildIsolatedApp()
    try {
      const admin = await adminSession(isolated)
      const valid = {
        maxTokenLifetimeDays: null,
        tokenExpiryRequired: false,
        tokensPerUser: null,
        membersCanManageTokens: true,
      }
      for (const payload of [
        {},
        { ...valid, tokensPerUser: 0 },
        { ...valid, tokensPerUser: 1.5 },
        { ...valid, maxTokenLifetimeDays: 0 },
        { ...valid, maxTokenLifetimeDays: -30 },
        { ...valid, tokenExpiryRequired: 'yes' },
        { ...valid, membersCanManageTokens: undefined },
      ]) {
        const res = await isolated.inject({
          method: 'PUT',
          url: '/api/v1/admin/settings',
          headers: admin.headers,
          payload,
        })
        expect(res.statusCode, JSON.stringify(payload)).toBe(400)
        expect(problem(res).code).toBe('validation_failed')
      }
      const now = await isolated.inject({
        method: 'GET',
        url: '/api/v1/admin/settings',
        headers: admin.headers,
      })
      expect(now.json()).toEqual(valid)
    } finally {
      await isolated.close()
    }
  })
})
