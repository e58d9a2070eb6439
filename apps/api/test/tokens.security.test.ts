import { createHash, randomUUID } from 'node:crypto'
import { hashToken } from '@tessera/core'
import { eq, sql } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { apiTokens } from '../src/db/schema/index.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  createToken,
  PASSWORD,
  problem,
  putSettings,
  rows,
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

/** The failure codes the API documents for a refused authentication (issue 2, section 6). */
const AUTH_FAILURE_CODES = [
  'token_missing',
  'token_malformed',
  'token_invalid',
  'token_expired',
  'token_revoked',
  'user_disabled',
  'invalid_scheme',
]

const me = (headers: Record<string, string | string[]>, on: App = app) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers })

/** The token with its last character changed: right shape, wrong checksum. */
const tamper = (secret: string) => `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`

/** A 401 as the contract describes it: code, detail, hint and a WWW-Authenticate challenge. */
function expectRefused(res: LightMyRequestResponse, code: string) {
  expect(res.statusCode, res.body).toBe(401)
  const body = problem(res)
  expect(body.code).toBe(code)
  expect(body.detail.length).toBeGreaterThan(0)
  expect(body.hint?.length ?? 0).toBeGreaterThan(0)
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tessera"/)
}

describe("tokens: other users' tokens", () => {
  it("another user's token id answers 404 on rotate and revoke, and that token keeps working", async () => {
    const owner = await userWithToken(app)
    const stranger = await signIn(app, await createTestUser(app))
    const rotate = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${owner.token.id}/rotate`,
      headers: stranger.headers,
    })
    expect(rotate.statusCode).toBe(404)
    expect(problem(rotate).code).toBe('not_found')
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${owner.token.id}`,
      headers: stranger.headers,
    })
    expect(revoke.statusCode).toBe(404)
    // The same answer as for a token that does not exist: nothing tells the two apart.
    const unknown = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${randomUUID()}`,
      headers: stranger.headers,
    })
    expect(revoke.json()).toEqual(unknown.json())

    expect((await me(bearer(owner.token.secret))).statusCode).toBe(200)
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: owner.session.headers,
    })
    expect(list.json().tokens).toMatchObject([{ id: owner.token.id, status: 'active' }])
  })

  it("another user's token is 404 on GET /tokens/{id}; only the admin route shows it, to admins", async () => {
    const owner = await userWithToken(app)
    const other = await userWithToken(app)
    for (const headers of [other.session.headers, bearer(other.token.secret)]) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens/${owner.token.id}`,
        headers,
      })
      expect(res.statusCode).toBe(404)
      expect(problem(res).code).toBe('not_found')
    }
    // A member on the admin route: 403; an admin's own token there: 403 too (a session is needed).
    const asMember = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens/${owner.token.id}`,
      headers: other.session.headers,
    })
    expect(asMember.statusCode).toBe(403)
    const admin = await userWithToken(app, 'admin')
    const withToken = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens/${owner.token.id}`,
      headers: bearer(admin.token.secret),
    })
    expect(withToken.statusCode).toBe(403)
    const asAdmin = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/tokens/${owner.token.id}`,
      headers: admin.session.headers,
    })
    expect(asAdmin.statusCode).toBe(200)
    // Even an admin sees only their own tokens on the user route.
    const own = await app.inject({
      method: 'GET',
      url: `/api/v1/tokens/${owner.token.id}`,
      headers: admin.session.headers,
    })
    expect(own.statusCode).toBe(404)
  })

  it("a token limited to a project sees only that project's entries in a token's activity", async () => {
    const { session, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const allowed = await createProject(app, headers)
    const hidden = await createProject(app, headers)
    const limited = await createToken(app, session, {
      name: 'one project',
      scopes: ['read', `project:${allowed.key}`],
    })
    const detail = async (asking: Record<string, string>) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/tokens/${token.id}`,
        headers: asking,
      })
      expect(res.statusCode, res.body).toBe(200)
      return (res.json().activity as { target: { id: string } }[]).map((a) => a.target.id)
    }
    expect(await detail(session.headers)).toEqual(expect.arrayContaining([allowed.id, hidden.id]))
    const seen = await detail(bearer(limited.secret))
    expect(seen).toContain(allowed.id)
    expect(seen).not.toContain(hidden.id)
  })

  it('GET /tokens lists only the caller’s own tokens', async () => {
    const alice = await userWithToken(app, 'member', { name: 'alice token' })
    const bob = await userWithToken(app, 'member', { name: 'bob token' })
    // An admin's own list is theirs only too; all tokens are under /admin/tokens.
    const admin = await userWithToken(app, 'admin', { name: 'admin token' })
    for (const [who, own] of [
      [alice, alice.token.id],
      [bob, bob.token.id],
      [admin, admin.token.id],
    ] as const) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/tokens',
        headers: who.session.headers,
      })
      expect(res.json().tokens.map((t: { id: string }) => t.id)).toEqual([own])
    }
  })
})

describe('tokens: permissions, scopes and sessions', () => {
  it('without ManageApiTokens a member gets 403 permission_denied naming the permission', async () => {
    // The setting is workspace-wide, so this test has a database of its own.
    const isolated = await buildIsolatedApp()
    try {
      const admin = await signIn(isolated, await createTestUser(isolated, 'admin'))
      const member = await userWithToken(isolated)
      await putSettings(isolated, admin, { membersCanManageTokens: false })

      const requests = [
        { method: 'GET' as const, url: '/api/v1/tokens', headers: member.session.headers },
        {
          method: 'POST' as const,
          url: '/api/v1/tokens',
          headers: member.session.headers,
          payload: { name: 'not allowed' },
        },
        {
          method: 'POST' as const,
          url: `/api/v1/tokens/${member.token.id}/rotate`,
          headers: member.session.headers,
        },
        {
          method: 'DELETE' as const,
          url: `/api/v1/tokens/${member.token.id}`,
          headers: member.session.headers,
        },
        {
          method: 'GET' as const,
          url: '/api/v1/tokens/self',
          headers: bearer(member.token.secret),
        },
      ]
      for (const request of requests) {
        const res = await isolated.inject(request)
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
        expect(problem(res).code).toBe('permission_denied')
        expect(problem(res).detail).toContain('ManageApiTokens')
      }
      const meRes = await me(member.session.headers, isolated)
      expect(meRes.json().permissions).toEqual([])

      // Admins keep it, and members get it back when the setting is turned on again.
      const adminTokens = await isolated.inject({
        method: 'GET',
        url: '/api/v1/tokens',
        headers: admin.headers,
      })
      expect(adminTokens.statusCode).toBe(200)
      await putSettings(isolated, admin, { membersCanManageTokens: true })
      const again = await isolated.inject({
        method: 'GET',
        url: '/api/v1/tokens',
        headers: member.session.headers,
      })
      expect(again.statusCode).toBe(200)
    } finally {
      await isolated.close()
    }
  })

  it('a read-only token is refused on a write with 403 insufficient_scope', async () => {
    const { session } = await userWithToken(app)
    const reader = await createToken(app, session, { name: 'reader', scopes: ['read'] })
    const writer = await createToken(app, session, { name: 'writer', scopes: ['write'] })
    const newProject = () => ({
      key: `R${randomUUID().slice(0, 6).replace(/-/g, '')}`.toUpperCase(),
      name: 'By token',
    })

    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(reader.secret),
      payload: newProject(),
    })
    expect(refused.statusCode).toBe(403)
    expect(problem(refused).code).toBe('insufficient_scope')
    expect(problem(refused).detail).toContain('write')

    // It may still read, and the same request with a write token goes through.
    const read = await app.inject({
      method: 'GET',
      url: '/api/v1/projects',
      headers: bearer(reader.secret),
    })
    expect(read.statusCode).toBe(200)
    const written = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(writer.secret),
      payload: newProject(),
    })
    expect(written.statusCode, written.body).toBe(201)
  })

  it('a token cannot create, rotate or revoke tokens by id: 403 session_required', async () => {
    const { user, session, token } = await userWithToken(app, 'admin')
    const other = await createToken(app, session, { name: 'other' })
    const requests = [
      { method: 'POST' as const, url: '/api/v1/tokens', payload: { name: 'by token' } },
      { method: 'POST' as const, url: `/api/v1/tokens/${other.id}/rotate` },
      { method: 'POST' as const, url: `/api/v1/tokens/${token.id}/rotate` },
      { method: 'DELETE' as const, url: `/api/v1/tokens/${other.id}` },
      { method: 'DELETE' as const, url: `/api/v1/admin/tokens/${other.id}` },
    ]
    for (const request of requests) {
      const res = await app.inject({ ...request, headers: bearer(token.secret) })
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(problem(res).code).toBe('session_required')
    }
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(list.json().tokens).toHaveLength(2)
    expect(list.json().tokens.every((t: { status: string }) => t.status === 'active')).toBe(true)
    expect((await me(bearer(other.secret))).json().user.id).toBe(user.id)
  })

  it('a token with write can rotate itself; a read-only one cannot renew itself', async () => {
    const { token, session } = await userWithToken(app, 'member', { name: 'ci', scopes: ['write'] })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(token.secret),
    })
    expect(res.statusCode).toBe(200)
    expect(res.json().token).toMatchObject({ id: token.id, name: 'ci' })
    expect((await me(bearer(res.json().secret))).statusCode).toBe(200)
    expectRefused(await me(bearer(token.secret)), 'token_invalid')

    const reader = await createToken(app, session, { name: 'reader', scopes: ['read'] })
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(reader.secret),
    })
    expect(refused.statusCode).toBe(403)
    expect(problem(refused).code).toBe('insufficient_scope')
    expect((await me(bearer(reader.secret))).statusCode).toBe(200)
  })

  it('a state change with a session needs the X-CSRF-Token of that very session', async () => {
    const session = await signIn(app, await createTestUser(app))
    const otherSession = await signIn(app, await createTestUser(app))
    const attempts: Record<string, string>[] = [
      { cookie: session.cookie },
      { cookie: session.cookie, 'x-csrf-token': '' },
      { cookie: session.cookie, 'x-csrf-token': 'wrong' },
      { cookie: session.cookie, 'x-csrf-token': `${session.csrf}x` },
      { cookie: session.cookie, 'x-csrf-token': otherSession.csrf },
    ]
    for (const headers of attempts) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers,
        payload: { name: 'csrf' },
      })
      expect(res.statusCode, JSON.stringify(headers)).toBe(403)
      expect(problem(res).code).toBe('csrf_invalid')
    }
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/tokens',
      headers: session.headers,
    })
    expect(list.json().tokens).toEqual([])
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: session.headers,
      payload: { name: 'csrf' },
    })
    expect(ok.statusCode).toBe(201)
  })

  it('a cookie request from a foreign Origin is refused with 403 origin_not_allowed', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, host: 'localhost:3000', origin: 'https://evil.example' },
      payload: { name: 'from elsewhere' },
    })
    expect(foreign.statusCode).toBe(403)
    expect(problem(foreign).code).toBe('origin_not_allowed')
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: 'localhost:3000', origin: 'https://evil.example' },
      payload: { email: user.email, password: PASSWORD },
    })
    expect(login.statusCode).toBe(403)
    expect(problem(login).code).toBe('origin_not_allowed')

    const sameOrigin = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...session.headers, host: 'localhost:3000', origin: 'http://localhost:3000' },
      payload: { name: 'from the console' },
    })
    expect(sameOrigin.statusCode).toBe(201)
  })
})

describe('tokens: refused tokens', () => {
  it('a revoked token is refused on the next request with token_revoked', async () => {
    const { session, token } = await userWithToken(app)
    expect((await me(bearer(token.secret))).statusCode).toBe(200)
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })
    const res = await me(bearer(token.secret))
    expectRefused(res, 'token_revoked')
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('the old secret of a rotated token is refused with token_invalid', async () => {
    const { session, token } = await userWithToken(app)
    await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${token.id}/rotate`,
      headers: session.headers,
    })
    expectRefused(await me(bearer(token.secret)), 'token_invalid')
  })

  it('an expired token is refused with token_expired', async () => {
    const { token } = await userWithToken(app, 'member', { name: 'short', expiresInDays: 1 })
    expect((await me(bearer(token.secret))).statusCode).toBe(200)
    await app.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(apiTokens.id, token.id))
    expectRefused(await me(bearer(token.secret)), 'token_expired')
  })

  it('a token nobody issued, with a valid checksum, is refused with token_invalid', async () => {
    const { generateToken } = await import('@tessera/core')
    expectRefused(await me(bearer(generateToken())), 'token_invalid')
  })

  it("a disabled user's tokens are refused at once with user_disabled and their sessions end", async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const { user, session, token } = await userWithToken(app)
    const disable = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      headers: admin.headers,
      payload: { disabled: true },
    })
    expect(disable.statusCode).toBe(200)
    expectRefused(await me(bearer(token.secret)), 'user_disabled')
    const sessionRes = await me(session.headers)
    expect(sessionRes.statusCode).toBe(401)
    expect(problem(sessionRes).code).toBe('session_invalid')
    const [left] = await rows<{ n: number }>(
      app,
      sql`select count(*)::int as n from sessions where user_id = ${user.id}`,
    )
    expect(left?.n).toBe(0)
  })
})

describe('tokens: secrets at rest', () => {
  /** Every row of every table, as text. */
  async function dumpDatabase() {
    const tables = await rows<{ schema: string; name: string }>(
      app,
      sql`select table_schema as schema, table_name as name from information_schema.tables
          where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    )
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['users', 'api_tokens', 'sessions', 'activity', 'settings']),
    )
    const parts: string[] = []
    for (const table of tables) {
      const found = await rows<{ row: string }>(
        app,
        sql.raw(`select t::text as row from "${table.schema}"."${table.name}" t`),
      )
      parts.push(...found.map((r) => r.row))
    }
    return parts.join('\n')
  }

  it('the plaintext secret, the session cookie and the password are found nowhere in the database', async () => {
    const password = `pw-${randomUUID()}`
    const user = await createTestUser(app)
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.headers,
      payload: { email: `dump-${randomUUID()}@example.test`, name: 'Dump', password },
    })
    expect(created.statusCode).toBe(201)
    const session = await signIn(app, user)
    const token = await createToken(app, session, { name: 'needle' })
    // Use it and flush its last-use record, so every write a token causes has happened.
    expect((await me(bearer(token.secret))).statusCode).toBe(200)
    await app.lastUsed.flush()
    const rotated = await app.inject({
      method: 'POST',
      url: `/api/v1/tokens/${token.id}/rotate`,
      headers: session.headers,
    })
    const newSecret = rotated.json().secret as string

    const dump = await dumpDatabase()
    // The dump does hold the token's row: its hash is there.
    expect(dump).toContain(await hashToken(newSecret))
    for (const secret of [token.secret, newSecret]) {
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(secret.slice(4)) // the random part without the tsr_ prefix
    }
    const cookieValue = session.cookie.split('=')[1] ?? ''
    expect(cookieValue.length).toBeGreaterThan(20)
    expect(dump).toContain(createHash('sha256').update(cookieValue).digest('hex'))
    expect(dump).not.toContain(cookieValue)
    expect(dump).not.toContain(password)
  })
})

describe('tokens: malformed Authorization headers', () => {
  it('no header value, however long or strange, gives a 5xx: each gets its documented 401', async () => {
    const { token } = await userWithToken(app)
    const badChecksum = tamper(token.secret)
    const corpus: [string, string | string[], string][] = [
      ['empty', '', 'token_missing'],
      ['only spaces', '   ', 'token_missing'],
      ['scheme only', 'Bearer', 'token_missing'],
      ['scheme and spaces', 'Bearer    ', 'token_missing'],
      ['Api-Token only', 'Api-Token', 'token_missing'],
      ['basic auth', 'Basic dXNlcjpwYXNz', 'invalid_scheme'],
      ['basic x', 'Basic x', 'invalid_scheme'],
      ['token without scheme', token.secret, 'invalid_scheme'],
      ['other scheme', `Token ${token.secret}`, 'invalid_scheme'],
      ['Bearer without space', `Bearer${token.secret}`, 'invalid_scheme'],
      ['prefix only', 'Bearer tsr_', 'token_malformed'],
      ['bad checksum', `Bearer ${badChecksum}`, 'token_invalid'],
      ['truncated', `Bearer ${token.secret.slice(0, -1)}`, 'token_malformed'],
      ['two tokens', `Bearer ${token.secret} ${token.secret}`, 'token_malformed'],
      ['quoted', `Bearer "${token.secret}"`, 'token_malformed'],
      ['10 KB', `Bearer ${'a'.repeat(10_240)}`, 'token_malformed'],
      ['10 KB of token', `Bearer tsr_${'A'.repeat(10_240)}`, 'token_malformed'],
      ['1 MB', `Bearer ${'x'.repeat(1_000_000)}`, 'token_malformed'],
      ['1 MB without scheme', 'y'.repeat(1_000_000), 'token_malformed'],
      ['unicode', 'Bearer tsr_ñandú😀', 'token_malformed'],
      ['unicode scheme', `Beárer ${token.secret}`, 'invalid_scheme'],
      ['kelvin sign', `Api-To\u212Aen ${token.secret}`, 'invalid_scheme'],
      ['NUL', `Bearer tsr_\u0000${token.secret.slice(5)}`, 'token_malformed'],
      ['control chars', `Bearer \u0001\u0002\u001b[31m`, 'token_malformed'],
      ['CR LF', `Bearer ${token.secret}\r\nX-Evil: 1`, 'token_malformed'],
      ['DEL', `Bearer ${token.secret.slice(0, -1)}\u007f`, 'token_malformed'],
      ['latin-1', 'Bearer tsr_\u00ff\u00fe', 'token_malformed'],
      ['sql', "Bearer tsr_' or 1=1 --", 'token_malformed'],
      ['duplicated garbage', ['Bearer a', 'Bearer b'], 'invalid_scheme'],
      ['duplicated token', [`Bearer ${token.secret}`, `Bearer ${token.secret}`], 'invalid_scheme'],
      ['garbage then token', ['Basic x', `Bearer ${token.secret}`], 'invalid_scheme'],
      ['token then garbage', [`Bearer ${token.secret}`, 'Basic x'], 'invalid_scheme'],
    ]
    for (const [label, authorization, code] of corpus) {
      const res = await me({ authorization })
      expect(res.statusCode, label).toBeLessThan(500)
      expect(AUTH_FAILURE_CODES, label).toContain(problem(res).code)
      expect(problem(res).code, label).toBe(code)
      expectRefused(res, code)
    }
  })

  it('a valid token is accepted whatever the scheme’s case and the whitespace around it', async () => {
    const { token } = await userWithToken(app)
    for (const authorization of [
      `bearer ${token.secret}`,
      `BEARER ${token.secret}`,
      `API-TOKEN ${token.secret}`,
      `Bearer\t${token.secret}`,
      `Bearer   ${token.secret}   `,
    ]) {
      expect((await me({ authorization })).statusCode, JSON.stringify(authorization)).toBe(200)
    }
  })

  it('a session cookie that is not a session is refused with session_invalid', async () => {
    for (const value of ['x', 'a'.repeat(10_240), 'ñandú', randomUUID(), '%00%ff']) {
      const res = await me({ cookie: `tessera_session=${value}` })
      expect(res.statusCode, value.slice(0, 20)).toBe(401)
      expect(problem(res).code).toBe('session_invalid')
      expect(res.headers['www-authenticate']).toBeDefined()
    }
  })

  it('a request with no credentials at all is refused with token_missing', async () => {
    const res = await me({})
    expectRefused(res, 'token_missing')
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tessera"')
  })
})
