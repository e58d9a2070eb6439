import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import {
  buildTestApp,
  createTestUser,
  PASSWORD,
  problem,
  rows,
  type Session,
  signIn,
} from './helper.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

const me = (headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/api/v1/me', headers })

const changePassword = (session: Session, payload: Record<string, string>) =>
  app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: session.headers, payload })

async function passwordEvents(userId: string) {
  return rows(
    app,
    sql`select action from activity where target_id = ${userId} and action = 'user.password_changed'`,
  )
}

describe('account errors: changing the password', () => {
  it('a wrong current password is refused with 403 current_password_invalid, and nothing changes', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const other = await signIn(app, user)
    const res = await changePassword(here, {
      currentPassword: `${PASSWORD} nope`,
      newPassword: 'another long password',
    })
    expect(res.statusCode, res.body).toBe(403)
    expect(problem(res)).toMatchObject({ code: 'current_password_invalid', status: 403 })
    expect(problem(res).hint?.length).toBeGreaterThan(0)
    expect(res.body).not.toContain(PASSWORD)
    // The old password still signs in, the other session still works, nothing was recorded.
    expect((await me(other.headers)).statusCode).toBe(200)
    await signIn(app, user)
    expect(await passwordEvents(user.id)).toHaveLength(0)
  })

  it('a new password shorter than 12 characters is refused by the same rule as everywhere', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const res = await changePassword(session, { currentPassword: PASSWORD, newPassword: 'short' })
    expect(res.statusCode).toBe(400)
    expect(problem(res).code).toBe('validation_failed')
    expect(res.body).toContain('newPassword')
    expect(res.body).not.toContain(PASSWORD)
    await signIn(app, user)
  })

  it('a new password longer than 1024 characters is refused', async () => {
    const session = await signIn(app, await createTestUser(app))
    const res = await changePassword(session, {
      currentPassword: PASSWORD,
      newPassword: 'x'.repeat(1025),
    })
    expect(res.statusCode).toBe(400)
    expect(problem(res).code).toBe('validation_failed')
  })

  it('missing fields are refused', async () => {
    const session = await signIn(app, await createTestUser(app))
    const payloads: Record<string, string>[] = [
      {},
      { currentPassword: PASSWORD },
      { newPassword: 'long enough pass' },
    ]
    for (const payload of payloads) {
      const res = await changePassword(session, payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
    }
  })

  it('the same password again is refused with 400 password_unchanged', async () => {
    const user = await createTestUser(app)
    const here = await signIn(app, user)
    const other = await signIn(app, user)
    const res = await changePassword(here, { currentPassword: PASSWORD, newPassword: PASSWORD })
    expect(res.statusCode).toBe(400)
    expect(problem(res).code).toBe('password_unchanged')
    expect((await me(other.headers)).statusCode).toBe(200)
  })

  it('the current password must be current: after a change, the old one is wrong', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const first = await changePassword(session, {
      currentPassword: PASSWORD,
      newPassword: 'the second password',
    })
    expect(first.statusCode).toBe(200)
    const again = await changePassword(session, {
      currentPassword: PASSWORD,
      newPassword: 'the third password!!',
    })
    expect(again.statusCode).toBe(403)
    expect(problem(again).code).toBe('current_password_invalid')
  })
})

describe('account errors: sessions', () => {
  it('an unknown or malformed session id answers 404 not_found', async () => {
    const session = await signIn(app, await createTestUser(app))
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await app.inject({
        method: 'DELETE',
        url: `/api/v1/me/sessions/${id}`,
        headers: session.headers,
      })
      expect(res.statusCode, id).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
    expect((await me(session.headers)).statusCode).toBe(200)
  })
})

describe('account errors: requiring a password change', () => {
  it('an unknown or malformed user id answers 404 not_found', async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    for (const id of [randomUUID(), 'nobody']) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/admin/users/${id}/require-password-change`,
        headers: admin.headers,
      })
      expect(res.statusCode, id).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
  })
})
