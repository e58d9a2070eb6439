import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity, Comment, TaskWithComments } from '../src/contract/index.js'
import {
  bearer,
  buildIsolatedApp,
  buildTestApp,
  createToken,
  problem,
  rows,
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
} from './workspace.fixtures.js'

let app: App
beforeAll(async () => {
  app = await buildTestApp()
})
afterAll(async () => {
  await app.close()
})

/** One MCP tools/call, as a client sends it: the answer's structured content. */
async function callTool(headers: Record<string, string>, name: string, args: object) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/mcp',
    headers: { ...headers, accept: 'application/json, text/event-stream' },
    payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
  })
  expect(res.statusCode, res.body).toBe(200)
  const result = res.json().result as { isError?: boolean; structuredContent?: unknown }
  expect(result.isError, res.body).toBeFalsy()
  return result.structuredContent
}

const brief = (entries: Activity[]) =>
  entries.map((e) => ({ action: e.action, via: e.via, token: e.token?.name ?? null }))

/**
 * A member who works on a task in the console, with a REST token and with an MCP client: the
 * task's history then holds each way in.
 */
async function taskWorkedOnThreeWays() {
  const owner = await userWithToken(app, 'member', { name: 'deploy script' })
  const agent = await createToken(app, owner.session, { name: 'Cursor on laptop' })
  const project = await createProject(app, owner.session.headers)
  const task = await createTask(app, owner.session.headers, { project: project.key })
  const other = await createTask(app, owner.session.headers, { project: project.key })
  const rest = as(app, bearer(owner.token.secret))
  expectStatus(await rest('PATCH', `/tasks/${task.ref}`, { status: 'in_progress' }), 200)
  expectStatus(
    await rest('PATCH', `/tasks/${task.ref}`, {
      priority: 'high',
      assignee: 'me',
      dueDate: '2031-05-01',
    }),
    200,
  )
  await callTool(bearer(agent.secret), 'add_comment', { ref: task.ref, body: 'Looked into it' })
  expectStatus(
    await as(app, owner.session.headers)('POST', `/tasks/${task.ref}/comments`, {
      body: 'Thanks!',
    }),
    201,
  )
  expectStatus(await rest('PATCH', `/tasks/${other.ref}`, { status: 'done' }), 200)
  return { owner, agent, project, task, other }
}

describe('activity filters: a task’s history', () => {
  it('holds its creation, every change and its comments, newest first, each with via and token', async () => {
    const { owner, agent, task } = await taskWorkedOnThreeWays()
    const history = await activityOf(app, owner.session.headers, `task=${task.ref}`)
    expect(brief(history)).toEqual([
      { action: 'comment.added', via: 'web', token: null },
      { action: 'comment.added', via: 'mcp', token: 'Cursor on laptop' },
      { action: 'task.updated', via: 'api', token: 'deploy script' },
      { action: 'task.status_changed', via: 'api', token: 'deploy script' },
      { action: 'task.created', via: 'web', token: null },
    ])
    expect(history.every((e) => e.target.type === 'task' && e.target.id === task.id)).toBe(true)
    expect(history[1]?.token?.id).toBe(agent.id)
    expect(history[2]?.changes).toMatchObject({
      priority: { before: 'none', after: 'high' },
      assignee: { before: null, after: owner.user.email },
      dueDate: { before: null, after: '2031-05-01' },
    })
    // By id and in lower case, the same history.
    expect(await activityOf(app, owner.session.headers, `task=${task.id}`)).toEqual(history)
    expect(await activityOf(app, owner.session.headers, `task=${task.ref.toLowerCase()}`)).toEqual(
      history,
    )
  })

  it('pages with the cursor like the whole feed, and combines with via and actor', async () => {
    const { owner, task } = await taskWorkedOnThreeWays()
    const all = await activityOf(app, owner.session.headers, `task=${task.ref}`)
    const walked: string[] = []
    let cursor: string | null = null
    do {
      const res = await as(app, owner.session.headers)(
        'GET',
        `/activity?task=${task.ref}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      const page: { activity: Activity[]; nextCursor: string | null } = expectStatus(res, 200)
      walked.push(...page.activity.map((e) => e.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(walked).toEqual(all.map((e) => e.id))

    const viaApi = await activityOf(app, owner.session.headers, `task=${task.ref}&via=api`)
    expect(viaApi.map((e) => e.action)).toEqual(['task.updated', 'task.status_changed'])
    const mine = await activityOf(app, owner.session.headers, `task=${task.ref}&actor=me`)
    expect(mine).toEqual(all)
  })

  it('comments say how they were written, in the task and in the answer to adding one', async () => {
    const { owner, agent, task } = await taskWorkedOnThreeWays()
    const { comments } = expectStatus<TaskWithComments>(
      await as(app, owner.session.headers)('GET', `/tasks/${task.ref}`),
      200,
    )
    expect(comments.map((c) => ({ body: c.body, via: c.via, token: c.token }))).toEqual([
      { body: 'Looked into it', via: 'mcp', token: { id: agent.id, name: 'Cursor on laptop' } },
      { body: 'Thanks!', via: 'web', token: null },
    ])
    const added = expectStatus<{ comment: Comment }>(
      await as(app, bearer(owner.token.secret))('POST', `/tasks/${task.ref}/comments`, {
        body: 'From a script',
      }),
      201,
    ).comment
    expect(added).toMatchObject({
      via: 'api',
      token: { id: owner.token.id, name: 'deploy script' },
    })
  })
})

describe('activity filters: comments written before they recorded their way in', () => {
  it('take via and token from their activity entry when the migration runs', async () => {
    // Its own database: the migration's UPDATE runs over every comment in it.
    const isolated = await buildIsolatedApp()
    try {
      const owner = await userWithToken(isolated, 'member', { name: 'Cursor on laptop' })
      const project = await createProject(isolated, owner.session.headers)
      const task = await createTask(isolated, owner.session.headers, { project: project.key })
      for (const headers of [bearer(owner.token.secret), owner.session.headers]) {
        const res = await as(isolated, headers)('POST', `/tasks/${task.ref}/comments`, {
          body: 'noted',
        })
        expectStatus(res, 201)
      }
      const before = expectStatus<TaskWithComments>(
        await as(isolated, owner.session.headers)('GET', `/tasks/${task.ref}`),
        200,
      ).comments
      await rows(isolated, sql`update comments set via = null, token_id = null, token_name = null`)
      const migration = readFileSync(
        new URL('../drizzle/0008_activity_filters.sql', import.meta.url),
        'utf8',
      )
      const backfill = migration.slice(migration.indexOf('UPDATE "comments"'))
      expect(backfill).toMatch(/^UPDATE "comments" SET/)
      await rows(isolated, sql.raw(backfill))
      const after = expectStatus<TaskWithComments>(
        await as(isolated, owner.session.headers)('GET', `/tasks/${task.ref}`),
        200,
      ).comments
      expect(after.map((c) => [c.via, c.token?.name ?? null])).toEqual([
        ['api', 'Cursor on laptop'],
        ['web', null],
      ])
      expect(after).toEqual(before)
    } finally {
      await isolated.close()
    }
  })
})

describe('activity filters: project, token, person', () => {
  it("a project's entries, and nothing from other projects or anyone's account", async () => {
    const { owner, project, task, other } = await taskWorkedOnThreeWays()
    const elsewhere = await createProject(app, owner.session.headers)
    await createTask(app, owner.session.headers, { project: elsewhere.key })
    const entries = await activityOf(app, owner.session.headers, `project=${project.key}&limit=200`)
    expect(entries.at(-1)).toMatchObject({ action: 'project.created', target: { id: project.id } })
    expect(new Set(entries.map((e) => e.target.id))).toEqual(
      new Set([project.id, task.id, other.id]),
    )
    // By id and in lower case alike.
    expect(await activityOf(app, owner.session.headers, `project=${project.id}&limit=200`)).toEqual(
      entries,
    )
    expect(
      await activityOf(
        app,
        owner.session.headers,
        `project=${project.key.toLowerCase()}&limit=200`,
      ),
    ).toEqual(entries)
    const fromMcp = await activityOf(app, owner.session.headers, `project=${project.key}&via=mcp`)
    expect(brief(fromMcp)).toEqual([
      { action: 'comment.added', via: 'mcp', token: 'Cursor on laptop' },
    ])
  })

  it('one token, or all of mine: what was done with them and nothing done in the console', async () => {
    const { owner, agent, project } = await taskWorkedOnThreeWays()
    const oneToken = await activityOf(app, owner.session.headers, `token=${agent.id}`)
    expect(brief(oneToken)).toEqual([
      { action: 'comment.added', via: 'mcp', token: 'Cursor on laptop' },
    ])
    const mine = await activityOf(app, owner.session.headers, 'token=mine')
    expect(brief(mine)).toEqual([
      { action: 'task.status_changed', via: 'api', token: 'deploy script' },
      { action: 'comment.added', via: 'mcp', token: 'Cursor on laptop' },
      { action: 'task.updated', via: 'api', token: 'deploy script' },
      { action: 'task.status_changed', via: 'api', token: 'deploy script' },
    ])
    // Someone else's token in the same project is not "mine".
    const colleague = await userWithToken(app)
    await addMember(app, owner.session.headers, project.key, { userId: colleague.user.id })
    await createTask(app, bearer(colleague.token.secret), { project: project.key })
    expect(await activityOf(app, owner.session.headers, 'token=mine')).toEqual(mine)
    // A token answers for itself too.
    expect(await activityOf(app, bearer(agent.secret), `token=${agent.id}`)).toEqual(oneToken)
  })

  it('actor=me is the caller, and a person’s id their entries in shared projects', async () => {
    const { owner, project } = await taskWorkedOnThreeWays()
    const colleague = await userWithToken(app)
    await addMember(app, owner.session.headers, project.key, { userId: colleague.user.id })
    const theirs = await createTask(app, bearer(colleague.token.secret), { project: project.key })
    const mine = await activityOf(app, owner.session.headers, 'actor=me&limit=200')
    expect(mine.length).toBeGreaterThan(5)
    expect(mine.every((e) => e.actor?.id === owner.user.id)).toBe(true)
    const byColleague = await activityOf(
      app,
      owner.session.headers,
      `actor=${colleague.user.id}&project=${project.key}`,
    )
    expect(byColleague.map((e) => [e.action, e.target.id])).toEqual([['task.created', theirs.id]])
  })
})

describe('activity filters: refusals', () => {
  it('a filter value that cannot be one is 400 validation_failed, naming the filter', async () => {
    const { session } = await userWithToken(app)
    for (const query of [
      'via=pigeon',
      'actor=someone',
      'token=all',
      'token=12345',
      'project=W',
      'project=web-1',
      'task=WEB',
      'task=WEB-x',
      `task=${'A'.repeat(70)}`,
    ]) {
      const res = await as(app, session.headers)('GET', `/activity?${query}`)
      expectProblem(res, 400, 'validation_failed')
      expect(problem(res).detail, query).toContain(query.split('=')[0])
    }
  })

  it('a project, task or token that does not exist is 404 not_found', async () => {
    const { session } = await userWithToken(app)
    for (const query of [
      'project=NOPE9',
      `project=${randomUUID()}`,
      'task=NOPE9-1',
      `task=${randomUUID()}`,
      `token=${randomUUID()}`,
    ]) {
      expectProblem(await as(app, session.headers)('GET', `/activity?${query}`), 404, 'not_found')
    }
  })

  it('a task outside the named project has no entries there', async () => {
    const { owner, task } = await taskWorkedOnThreeWays()
    const elsewhere = await createProject(app, owner.session.headers)
    expect(
      await activityOf(app, owner.session.headers, `task=${task.ref}&project=${elsewhere.key}`),
    ).toEqual([])
  })
})
