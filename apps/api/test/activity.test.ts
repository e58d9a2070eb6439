import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity } from '../src/contract/index.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createTestUser,
  createToken,
  PASSWORD,
  problem,
  putSettings,
  type Session,
  signIn,
  userWithToken,
} from './helper.js'
import { addMember, createProject, createTask, uniqueKey } from './workspace.fixtures.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

async function feed(headers: Record<string, string>, query = '') {
  const res = await app.inject({ method: 'GET', url: `/api/v1/activity?${query}`, headers })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as { activity: Activity[]; nextCursor: string | null }
}

const post = (url: string, session: Session) =>
  app.inject({ method: 'POST', url, headers: session.headers })

describe('activity: what is recorded', () => {
  it('creating, rotating and revoking a token in the console are recorded via web', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    const token = await createToken(app, session, { name: 'deploy' })
    await post(`/api/v1/tokens/${token.id}/rotate`, session)
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })

    const { activity } = await feed(session.headers)
    const actor = { id: user.id, email: user.email, name: 'Test member' }
    const target = { type: 'token', id: token.id, label: 'deploy' }
    expect(activity.filter((e) => e.target.id === token.id)).toMatchObject([
      { action: 'token.revoked', actor, via: 'web', token: null, target },
      { action: 'token.rotated', actor, via: 'web', token: null, target },
      { action: 'token.created', actor, via: 'web', token: null, target },
    ])
    for (const entry of activity) expect(Number.isNaN(Date.parse(entry.at))).toBe(false)
  })

  it('a token rotating itself is recorded via api, with that token’s id and name', async () => {
    const { user, session, token } = await userWithToken(app, 'member', { name: 'VS Code' })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(token.secret),
    })
    expect(res.statusCode).toBe(200)
    const { activity } = await feed(session.headers)
    expect(activity[0]).toMatchObject({
      action: 'token.rotated',
      actor: { id: user.id },
      via: 'api',
      token: { id: token.id, name: 'VS Code' },
      target: { type: 'token', id: token.id, label: 'VS Code' },
    })
  })

  it('creating a user and changing a role record the admin as actor and the user as target', async () => {
    const admin = await userWithToken(app, 'admin', { name: 'admin script' })
    const email = `recorded-${randomUUID()}@example.test`
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: admin.session.headers,
      payload: { email, name: 'Recorded', password: PASSWORD },
    })
    const userId = created.json().user.id as string
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${userId}`,
      headers: admin.session.headers,
      payload: { role: 'admin' },
    })

    const { activity } = await feed(admin.session.headers, `actor=${admin.user.id}`)
    const target = { type: 'user', id: userId, label: email }
    expect(activity.filter((e) => e.target.id === userId)).toMatchObject([
      {
        action: 'user.role_changed',
        actor: { id: admin.user.id },
        via: 'web',
        token: null,
        target,
        changes: { role: { before: 'member', after: 'admin' } },
      },
      {
        action: 'user.created',
        actor: { id: admin.user.id },
        via: 'web',
        token: null,
        target,
        changes: { role: { before: null, after: 'member' } },
      },
    ])
  })
})

describe('activity: who sees what', () => {
  it("members see their projects' entries and their own account's, never other accounts'", async () => {
    const alice = await userWithToken(app)
    const bob = await userWithToken(app)
    const aliceFeed = await feed(alice.session.headers)
    expect(aliceFeed.activity.length).toBeGreaterThanOrEqual(2) // user created, token created
    expect(aliceFeed.activity.every((e) => e.actor?.id === alice.user.id)).toBe(true)
    expect(aliceFeed.activity.some((e) => e.target.id === bob.token.id)).toBe(false)
    // Asking for someone else's entries gives only what one may see: none of Bob's account.
    expect((await feed(alice.session.headers, `actor=${bob.user.id}`)).activity).toEqual([])
    expect((await feed(alice.session.headers, `actor=${alice.user.id}`)).activity).toEqual(
      aliceFeed.activity,
    )

    // Once they share a project, Alice sees Bob's work in it, and still nothing of his account.
    const project = await createProject(app, alice.session.headers)
    await addMember(app, alice.session.headers, project.key, { userId: bob.user.id })
    const task = await createTask(app, bearer(bob.token.secret), { project: project.key })
    const shared = await feed(alice.session.headers, `actor=${bob.user.id}`)
    expect(shared.activity.map((e) => [e.action, e.target.id])).toEqual([['task.created', task.id]])
  })

  it('a token restricted to one project sees only that project, over REST and MCP', async () => {
    for (const role of ['member', 'admin'] as const) {
      const owner = await userWithToken(app, role)
      const alpha = await createProject(app, owner.session.headers, { key: uniqueKey('A') })
      const beta = await createProject(app, owner.session.headers, { key: uniqueKey('B') })
      const secret = await createTask(app, owner.session.headers, {
        project: beta.key,
        title: 'Secret plan in beta',
        description: 'beta only',
      })
      const visible = await createTask(app, owner.session.headers, { project: alpha.key })
      const restricted = await createToken(app, owner.session, {
        name: 'alpha only',
        scopes: ['read', 'write', `project:${alpha.key}`],
      })

      const rest = (await feed(bearer(restricted.secret), 'limit=200')).activity
      expect(rest.some((e) => e.target.id === visible.id)).toBe(true)
      for (const entry of rest) {
        expect(entry.target.type, JSON.stringify(entry)).not.toBe('token')
        expect(entry.target.type).not.toBe('user')
        expect(JSON.stringify(entry)).not.toContain(beta.key)
      }
      expect(rest.some((e) => e.target.id === secret.id)).toBe(false)

      const mcp = await app.inject({
        method: 'POST',
        url: '/api/v1/mcp',
        headers: { ...bearer(restricted.secret), accept: 'application/json, text/event-stream' },
        payload: {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_activity', arguments: { limit: 100 } },
        },
      })
      expect(mcp.statusCode, mcp.body).toBe(200)
      expect(mcp.body).toContain(visible.id)
      expect(mcp.body).not.toContain(beta.key)
      expect(mcp.body).not.toContain(secret.id)
      expect(mcp.body).not.toContain(restricted.id)

      // The same user's unrestricted token sees both projects and its own account's entries.
      const full = (await feed(bearer(owner.token.secret), 'limit=200')).activity
      expect(full.some((e) => e.target.id === secret.id)).toBe(true)
      expect(full.some((e) => e.target.id === restricted.id)).toBe(true)
    }
  })

  it("an admin's token sees the projects, not other people's accounts and tokens", async () => {
    const admin = await userWithToken(app, 'admin')
    const member = await userWithToken(app)
    const viaToken = (await feed(bearer(admin.token.secret), 'limit=200')).activity
    expect(viaToken.some((e) => e.target.id === member.token.id)).toBe(false)
    expect(viaToken.some((e) => e.target.id === member.user.id)).toBe(false)
    // The console session of the same admin sees everything.
    const console = (await feed(admin.session.headers, `actor=${member.user.id}`)).activity
    expect(console.some((e) => e.target.id === member.token.id)).toBe(true)
  })

  it("admins see everyone's actions, and can filter by actor", async () => {
    const admin = await signIn(app, await createTestUser(app, 'admin'))
    const member = await userWithToken(app)
    const memberView = await feed(member.session.headers)
    const adminView = await feed(admin.headers, `actor=${member.user.id}`)
    expect(adminView.activity).toEqual(memberView.activity)

    // Unfiltered, the admin's feed holds other people's entries: walk it to the member's token.
    let cursor: string | null = null
    let found = false
    const actors = new Set<string | undefined>()
    do {
      const page: { activity: Activity[]; nextCursor: string | null } = await feed(
        admin.headers,
        `limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      )
      for (const entry of page.activity) actors.add(entry.actor?.id)
      found = page.activity.some((e) => e.target.id === member.token.id)
      cursor = page.nextCursor
    } while (!found && cursor)
    expect(found).toBe(true)
    expect(actors.size).toBeGreaterThan(1)
  })

  it('the feed filters by via', async () => {
    const { session, token } = await userWithToken(app)
    await app.inject({
      method: 'POST',
      url: '/api/v1/tokens/self/rotate',
      headers: bearer(token.secret),
    })
    const api = await feed(session.headers, 'via=api')
    expect(api.activity.map((e) => [e.action, e.via])).toEqual([['token.rotated', 'api']])
    const web = await feed(session.headers, 'via=web')
    expect(web.activity.map((e) => [e.action, e.via])).toEqual([['token.created', 'web']])
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/activity?via=carrier-pigeon',
      headers: session.headers,
    })
    expect(bad.statusCode).toBe(400)
    expect(problem(bad).code).toBe('validation_failed')
  })
})

describe('activity: order', () => {
  it('entries written in one transaction keep the order they were written in', async () => {
    // Replacing a token (one token per user) revokes the old one and creates the new one in one
    // transaction, so both entries carry the same time. The policy is global: own database.
    const isolated = await buildIsolatedApp()
    try {
      const admin = await signIn(isolated, await createTestUser(isolated, 'admin'))
      await putSettings(isolated, admin, { tokensPerUser: 1 })
      const first = await createToken(isolated, admin, { name: 'first' })
      const second = await createToken(isolated, admin, { name: 'second' })
      for (let i = 0; i < 5; i++) {
        const res = await isolated.inject({
          method: 'GET',
          url: '/api/v1/activity?limit=3',
          headers: admin.headers,
        })
        const [newest, previous] = (res.json() as { activity: Activity[] }).activity
        expect(newest).toMatchObject({ action: 'token.created', target: { id: second.id } })
        expect(previous).toMatchObject({ action: 'token.revoked', target: { id: first.id } })
        expect(newest?.at).toBe(previous?.at)
      }
    } finally {
      await isolated.close()
    }
  })
})

describe('activity: paging', () => {
  it('cursor pagination walks every page once, newest first, without duplicates', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    for (let i = 0; i < 4; i++) {
      const token = await createToken(app, session, { name: `t${i}` })
      await post(`/api/v1/tokens/${token.id}/rotate`, session)
    }
    const all = (await feed(session.headers, 'limit=200')).activity
    expect(all).toHaveLength(9) // user created + 4 × (created, rotated)
    expect(all.at(-1)?.action).toBe('user.created')

    const walked: string[] = []
    const pageSizes: number[] = []
    let cursor: string | null = null
    do {
      const page: { activity: Activity[]; nextCursor: string | null } = await feed(
        session.headers,
        `limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      walked.push(...page.activity.map((e) => e.id))
      pageSizes.push(page.activity.length)
      cursor = page.nextCursor
    } while (cursor)
    expect(pageSizes).toEqual([4, 4, 1])
    expect(new Set(walked).size).toBe(walked.length)
    expect(walked).toEqual(all.map((e) => e.id))
  })

  it('a last page that is exactly full has no next cursor', async () => {
    const user = await createTestUser(app)
    const session = await signIn(app, user)
    await createToken(app, session, { name: 'one' })
    const page = await feed(session.headers, 'limit=2')
    expect(page.activity).toHaveLength(2)
    expect(page.nextCursor).toBeNull()
  })

  it('a cursor that is not one of ours is refused with 400 invalid_cursor', async () => {
    const session = await signIn(app, await createTestUser(app))
    const b64 = (s: string) => Buffer.from(s).toString('base64url')
    for (const cursor of [
      'abc',
      b64('garbage'),
      b64(`not-a-date|${randomUUID()}`),
      b64(`${new Date().toISOString()}|not-an-id`),
      b64(`${new Date().toISOString()}|'; drop table activity; --`),
    ]) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/activity?cursor=${encodeURIComponent(cursor)}`,
        headers: session.headers,
      })
      expect(res.statusCode, cursor).toBe(400)
      expect(problem(res).code).toBe('invalid_cursor')
    }
    for (const limit of ['0', '201', 'x']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/activity?limit=${limit}`,
        headers: session.headers,
      })
      expect(res.statusCode, limit).toBe(400)
      expect(problem(res).code).toBe('validation_failed')
    }
  })
})
