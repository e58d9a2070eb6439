import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity } from '../src/contract/index.js'
import {
  bearer,
  buildTestApp,
  createTestUser,
  createToken,
  signIn,
  userWithToken,
} from './helper.js'
import {
  activityOf,
  addMember,
  as,
  createProject,
  createTask,
  expectProblem,
  expectStatus,
  uniqueKey,
} from './workspace.fixtures.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

type Headers = Record<string, string>

/**
 * Two projects of one owner, ALPHA shared with a member and BETA not; work in both, with the
 * owner's token and in the console; the owner's token restricted to ALPHA and a read-only one.
 */
async function workspace() {
  const owner = await userWithToken(app, 'member', { name: 'owner agent' })
  const member = await userWithToken(app, 'member', { name: 'member agent' })
  const alpha = await createProject(app, owner.session.headers, { key: uniqueKey('A') })
  const beta = await createProject(app, owner.session.headers, { key: uniqueKey('B') })
  await addMember(app, owner.session.headers, alpha.key, { userId: member.user.id })
  const ownerApi = bearer(owner.token.secret)
  const alphaTask = await createTask(app, ownerApi, { project: alpha.key })
  const betaTask = await createTask(app, ownerApi, { project: beta.key, title: 'Beta secret' })
  const memberTask = await createTask(app, bearer(member.token.secret), { project: alpha.key })
  const alphaOnly = await createToken(app, owner.session, {
    name: 'alpha only',
    scopes: ['read', `project:${alpha.key}`],
  })
  const readOnly = await createToken(app, owner.session, { name: 'reader', scopes: ['read'] })
  return { owner, member, alpha, beta, alphaTask, betaTask, memberTask, alphaOnly, readOnly }
}

const targets = (entries: Activity[]) => new Set(entries.map((e) => e.target.id))

async function expectHidden(headers: Headers, query: string) {
  const res = await as(app, headers)('GET', `/activity?${query}`)
  expectProblem(res, 404, 'not_found')
  return res.json() as Record<string, unknown>
}

describe('activity filters: who sees what', () => {
  it('a member: their projects and their own tokens, 404 for a project, task or token not theirs', async () => {
    const w = await workspace()
    const headers = w.member.session.headers
    // The shared project: the owner's work in it is there, their account never is.
    const alpha = await activityOf(app, headers, `project=${w.alpha.key}&limit=200`)
    expect(targets(alpha)).toEqual(new Set([w.alpha.id, w.alphaTask.id, w.memberTask.id]))
    expect(await activityOf(app, headers, `task=${w.alphaTask.ref}`)).toHaveLength(1)
    // The project they are not in, its task and the owner's token: as if they did not exist.
    const hiddenProject = await expectHidden(headers, `project=${w.beta.key}`)
    const missingProject = await expectHidden(headers, `project=${uniqueKey('Z')}`)
    expect(hiddenProject).toEqual(missingProject)
    const hiddenTask = await expectHidden(headers, `task=${w.betaTask.ref}`)
    expect(hiddenTask).toEqual(await expectHidden(headers, `task=${uniqueKey('Z')}-1`))
    const hiddenToken = await expectHidden(headers, `token=${w.owner.token.id}`)
    expect(hiddenToken).toEqual(await expectHidden(headers, `token=${randomUUID()}`))
    // "Mine" is theirs alone; the owner's entries come only with the owner as the person asked.
    const mine = await activityOf(app, headers, 'token=mine')
    expect(mine.map((e) => e.target.id)).toEqual([w.memberTask.id])
    const owners = await activityOf(app, headers, `actor=${w.owner.user.id}&limit=200`)
    expect(targets(owners)).toEqual(new Set([w.alpha.id, w.alphaTask.id]))
  })

  it('an admin in the console: any project, task and token; with a token, their own tokens only', async () => {
    const w = await workspace()
    const admin = await createTestUser(app, 'admin')
    const session = await signIn(app, admin)
    const beta = await activityOf(app, session.headers, `project=${w.beta.key}`)
    expect(targets(beta)).toEqual(new Set([w.beta.id, w.betaTask.id]))
    expect(await activityOf(app, session.headers, `task=${w.betaTask.ref}`)).toHaveLength(1)
    const ownerToken = await activityOf(app, session.headers, `token=${w.owner.token.id}`)
    expect(targets(ownerToken)).toEqual(new Set([w.alphaTask.id, w.betaTask.id]))
    // "Mine" is still the admin's own: none of the owner's.
    expect(await activityOf(app, session.headers, 'token=mine')).toEqual([])

    // Through a token, administration is gone: projects yes (admins reach every project), other
    // people's tokens no.
    const token = await createToken(app, session, { name: 'admin script' })
    const viaToken = bearer(token.secret)
    expect(targets(await activityOf(app, viaToken, `project=${w.beta.key}`))).toEqual(
      new Set([w.beta.id, w.betaTask.id]),
    )
    await expectHidden(viaToken, `token=${w.owner.token.id}`)
  })

  it('a token restricted to one project: that project only, whatever the filter', async () => {
    const w = await workspace()
    const headers = bearer(w.alphaOnly.secret)
    await expectHidden(headers, `project=${w.beta.key}`)
    await expectHidden(headers, `task=${w.betaTask.ref}`)
    // The user's other token and "mine": only what they did in the allowed project.
    const ownerToken = await activityOf(app, headers, `token=${w.owner.token.id}`)
    expect(targets(ownerToken)).toEqual(new Set([w.alphaTask.id]))
    const mine = await activityOf(app, headers, 'token=mine')
    expect(targets(mine)).toEqual(new Set([w.alphaTask.id]))
    // Never account-level entries (the token's own creation included), with any filter.
    for (const query of ['actor=me', `token=${w.alphaOnly.id}`, 'via=web', 'limit=200']) {
      const entries = await activityOf(app, headers, query)
      for (const entry of entries) {
        expect(['project', 'task'], `${query}: ${JSON.stringify(entry)}`).toContain(
          entry.target.type,
        )
        expect(JSON.stringify(entry)).not.toContain(w.beta.key)
      }
    }
  })

  it('a read-only token reads the same filtered feed as its user', async () => {
    const w = await workspace()
    const reader = bearer(w.readOnly.secret)
    for (const query of [
      `project=${w.beta.key}`,
      `task=${w.betaTask.ref}`,
      `token=${w.owner.token.id}`,
      'token=mine',
      'actor=me&limit=200',
    ]) {
      expect(await activityOf(app, reader, query), query).toEqual(
        await activityOf(app, w.owner.session.headers, query),
      )
    }
  })

  it('another user: nothing of the workspace, whatever they name', async () => {
    const w = await workspace()
    const stranger = await userWithToken(app)
    for (const headers of [stranger.session.headers, bearer(stranger.token.secret)]) {
      await expectHidden(headers, `project=${w.alpha.key}`)
      await expectHidden(headers, `project=${w.alpha.id}`)
      await expectHidden(headers, `task=${w.alphaTask.ref}`)
      await expectHidden(headers, `task=${w.alphaTask.id}`)
      await expectHidden(headers, `token=${w.owner.token.id}`)
      await expectHidden(headers, `token=${w.alphaOnly.id}`)
      expect(await activityOf(app, headers, `actor=${w.owner.user.id}`)).toEqual([])
      const mine = await activityOf(app, headers, 'token=mine')
      expect(mine).toEqual([])
    }
    // The same over MCP: a tool error that says "not found", nothing of the project.
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mcp',
      headers: { ...bearer(stranger.token.secret), accept: 'application/json, text/event-stream' },
      payload: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'list_activity', arguments: { task: w.alphaTask.ref } },
      },
    })
    const result = expectStatus<{ result: { isError: boolean; content: { text: string }[] } }>(
      res,
      200,
    ).result
    expect(result.isError).toBe(true)
    expect(result.content[0]?.text).toMatch(/task not found/i)
    expect(res.body).not.toContain(w.alphaTask.id)
  })
})
