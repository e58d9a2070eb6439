import { TOKEN_PATTERN } from '@tessera/core'
import { inArray } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { apiTokens } from '../src/db/schema/index.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  signIn,
  userWithToken,
} from './helper.js'
import { createProject } from './workspace.fixtures.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

describe('tokens: happy paths', () => {
  it('creating a token returns its secret once, in the documented format', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: session.headers,
      payload: { name: 'Cursor MCP', expiresInDays: 30 },
    })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.secret).toMatch(TOKEN_PATTERN)
    expect(body.token).toMatchObject({
      name: 'Cursor MCP',
      scopes: ['read', 'write'],
      status: 'active',
      lastUsedAt: null,
      revokedAt: null,
    })
    expect(body.token.prefix).toBe(body.secret.slice(0, 10))
    const days = (Date.parse(body.token.expiresAt) - Date.parse(body.token.createdAt)) / 86_400_000
    expect(days).toBeCloseTo(30, 5)

    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(body.secret)
    expect(list.json().tokens).toEqual([body.token])
  })

  it('a token works with both header forms and acts as its user', async () => {
    const { user, token } = await userWithToken(app)
    for (const authorization of [
      `Bearer ${token.secret}`,
      `Api-Token ${token.secret}`,
      `api-token ${token.secret}`,
    ]) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({
        user: { id: user.id, email: user.email, role: 'member' },
        permissions: ['ManageApiTokens'],
        auth: {
          method: 'token',
          token: { id: token.id, name: 'test token', scopes: ['read', 'write'] },
        },
      })
    }
  })

  it('a token with no expiry is created with expiresInDays null', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const { body } = await createToken(app, session, { name: 'forever', expiresInDays: null })
    expect(body.token).toMatchObject({ expiresAt: null, status: 'active' })
  })

  it('tokens are listed newest first, revoked ones included with their status', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const first = await createToken(app, session, { name: 'first' })
    const second = await createToken(app, session, { name: 'second' })
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${first.id}`,
      headers: session.headers,
    })
    const res = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: session.headers })
    const tokens = res.json().tokens as { id: string; status: string; revokedAt: string | null }[]
    expect(tokens.map((t) => t.id)).toEqual([second.id, first.id])
    expect(tokens[1]).toMatchObject({ status: 'revoked' })
    expect(tokens[1]?.revokedAt).not.toBeNull()
  })

  it('the list comes a page at a time, newest first, each token exactly once', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const created: string[] = []
    for (let i = 0; i < 5; i++)
      created.push((await createToken(app, session, { name: `t${i}` })).id)
    // Three created in the same millisecond: the id orders them, and the cursor keeps that order.
    const tie = new Date()
    await app.db
      .update(apiTokens)
      .set({ createdAt: tie })
      .where(inArray(apiTokens.id, created.slice(1, 4)))
    const page = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens?${query}`,
        headers: session.headers,
      })
      expect(res.statusCode, res.body).toBe(200)
      return res.json() as { tokens: { id: string }[]; nextCursor: string | null }
    }
    const everything = (await page('')).tokens.map((t) => t.id)
    expect(everything).toHaveLength(5)
    expect(new Set(everything)).toEqual(new Set(created))
    expect((await page('')).nextCursor).toBeNull()

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const next = await page(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(next.tokens.length).toBeLessThanOrEqual(2)
      seen.push(...next.tokens.map((t) => t.id))
      cursor = next.nextCursor
      pages++
    } while (cursor && pages < 10)
    expect(pages).toBe(3)
    expect(seen).toEqual(everything)
  })

  it('rotating gives a new secret with the same name, scopes and lifetime; the old one stops at once', async () => {
    const { session, token } = await userWithToken(app, 'member', {
      name: 'rotating',
      expiresInDays: 7,
      scopes: ['read'],
    })
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${token.id}/rotate`,
      headers: session.headers,
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.secret).not.toBe(token.secret)
    expect(body.token).toMatchObject({
      id: token.id,
      name: 'rotating',
      scopes: ['read'],
      status: 'active',
    })
    const days = (Date.parse(body.token.expiresAt) - Date.parse(body.token.createdAt)) / 86_400_000
    expect(days).toBeCloseTo(7, 5)

    const old = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(token.secret),
    })
    expect(old.statusCode).toBe(401)
    expect(old.json().code).toBe('token_invalid')
    const fresh = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(body.secret),
    })
    expect(fresh.statusCode).toBe(200)
  })

  it('GET /tokens/self describes the token of the request and POST /tokens/self/rotate replaces it', async () => {
    const { token } = await userWithToken(app, 'member', { name: 'VS Code' })
    const self = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens/self',
      headers: bearer(token.secret),
    })
    expect(self.statusCode).toBe(200)
    expect(self.json().token).toMatchObject({ id: token.id, name: 'VS Code', status: 'active' })

    const rotated = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(token.secret),
    })
    expect(rotated.statusCode).toBe(200)
    const { secret } = rotated.json()
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token.secret) }))
        .statusCode,
    ).toBe(401)
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(secret) })).statusCode,
    ).toBe(200)
  })

  it('revoking answers 204 and is idempotent', async () => {
    const { session, token } = await userWithToken(app)
    for (let i = 0; i < 2; i++) {
      const res = await app.inject({
        method: 'DELETE',
        url: `/api/v1/tokens/${token.id}`,
        headers: session.headers,
      })
      expect(res.statusCode).toBe(204)
    }
  })

  it('records when a token was last used, without a write per request', async () => {
    const { session, token } = await userWithToken(app)
    await app.lastUsed.flushAll() // what earlier tests counted
    for (let i = 0; i < 5; i++) {
      await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token.secret) })
    }
    const before = app.lastUsed.rowsWritten
    await app.lastUsed.flush()
    expect(app.lastUsed.rowsWritten - before).toBe(1)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    const listed = list.json().tokens[0]
    expect(listed.lastUsedAt).not.toBeNull()
    expect(listed.lastUsedIp).toBe('127.0.0.1')

    // Used again within the minute: nothing more to write.
    await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token.secret) })
    const again = app.lastUsed.rowsWritten
    await app.lastUsed.flush()
    expect(app.lastUsed.rowsWritten).toBe(again)
  })

  it("a token's detail shows its daily use, its clients and addresses, and what was done with it", async () => {
    const { session, token } = await userWithToken(app)
    const headers = { ...bearer(token.secret), 'user-agent': 'python-requests/2.32.3' }
    const project = await createProject(app, headers)
    await app.lastUsed.flushAll()

    // The owner, in the console or with the token itself.
    for (const asking of [session.headers, headers]) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens/${token.id}`,
        headers: asking,
      })
      expect(res.statusCode, res.body).toBe(200)
      const body = res.json()
      expect(body.token).toMatchObject({
        id: token.id,
        lastUsedClient: 'python-requests',
        lastUsedIp: '127.0.0.1',
      })
      expect(body.token.user).toBeUndefined()
      expect(body.usage.days.at(-1).requests).toBeGreaterThanOrEqual(1)
      expect(body.usage.clients[0]).toMatchObject({ client: 'python-requests' })
      expect(body.usage.addresses[0]).toMatchObject({ address: '127.0.0.1' })
      expect(body.activity[0]).toMatchObject({
        action: 'project.created',
        via: 'api',
        token: { id: token.id },
        target: { id: project.id },
      })
    }
  })
})
