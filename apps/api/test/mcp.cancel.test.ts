import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { activity, tasks } from '../src/db/schema/index.js'
import { REQUEST_CANCELLED } from '../src/mcp/request-transport.js'
import { buildTestApp, userWithToken } from './helper.js'
import { listen, mcpPath } from './mcp.fixtures.js'
import { createProject } from './workspace.fixtures.js'

/**
 * `notifications/cancelled` inside a JSON-RPC batch, sent with plain fetch. Every POST must get
 * its answer (a deadline turns a hang into a failure), and a cancelled write is never half-done.
 */
let app: App
let url: string
beforeAll(async () => {
  app = await buildTestApp()
  url = `${await listen(app)}${mcpPath}`
})
afterAll(async () => {
  await app.close()
})

type RpcAnswer = {
  jsonrpc: '2.0'
  id: number | string | null
  result?: { structuredContent?: { task?: { id: string; title: string } }; isError?: boolean }
  error?: { code: number; message: string }
}

function post(body: unknown, secret: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${secret}`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
}

const createCall = (id: number | string, project: string, title: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'create_task', arguments: { project, title } },
})
const cancel = (requestId: number | string) => ({
  jsonrpc: '2.0',
  method: 'notifications/cancelled',
  params: { requestId, reason: 'changed my mind' },
})

/** A user with a write token and a project of their own. */
async function workspace() {
  const { token } = await userWithToken(app)
  const project = await createProject(app, { authorization: `Bearer ${token.secret}` })
  return { secret: token.secret, project }
}

/** The tasks with this title, and the activity entries recording their creation. */
async function written(projectId: string, title: string) {
  const found = await app.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.projectId, projectId), eq(tasks.title, title)))
  const entries = await app.db
    .select({ targetId: activity.targetId })
    .from(activity)
    .where(and(eq(activity.projectId, projectId), eq(activity.action, 'task.created')))
  const ids = new Set(found.map((t) => t.id))
  return { tasks: found.length, entries: entries.filter((e) => ids.has(e.targetId)).length }
}

describe('cancellation within a batch', () => {
  it('a batch cancelling its only request is answered, and the task is not created', async () => {
    const { secret, project } = await workspace()
    const res = await post([createCall(1, project.key, 'Cancelled alone'), cancel(1)], secret)
    expect(res.status).toBe(200)
    const answers = (await res.json()) as RpcAnswer[]
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: REQUEST_CANCELLED, message: expect.any(String) } },
    ])
    expect(await written(project.id, 'Cancelled alone')).toEqual({ tasks: 0, entries: 0 })
  })

  it('the other requests of the batch complete and the cancelled one gets an error in its slot', async () => {
    const { secret, project } = await workspace()
    const res = await post(
      [createCall(1, project.key, 'Kept'), createCall(2, project.key, 'Dropped'), cancel(2)],
      secret,
    )
    expect(res.status).toBe(200)
    const answers = (await res.json()) as RpcAnswer[]
    expect(answers.map((a) => a.id)).toEqual([1, 2])
    expect(answers[0]?.result?.isError).toBeFalsy()
    expect(answers[0]?.result?.structuredContent?.task?.title).toBe('Kept')
    expect(answers[1]?.error?.code).toBe(REQUEST_CANCELLED)
    // The kept task is written whole (task and its activity entry); the cancelled one not at all.
    expect(await written(project.id, 'Kept')).toEqual({ tasks: 1, entries: 1 })
    expect(await written(project.id, 'Dropped')).toEqual({ tasks: 0, entries: 0 })
  })

  it('a cancellation listed before its request cancels it too, with a string id', async () => {
    const { secret, project } = await workspace()
    const res = await post([cancel('a'), createCall('a', project.key, 'Cancelled first')], secret)
    expect(res.status).toBe(200)
    const answers = (await res.json()) as RpcAnswer[]
    expect(answers).toMatchObject([{ id: 'a', error: { code: REQUEST_CANCELLED } }])
    expect(await written(project.id, 'Cancelled first')).toEqual({ tasks: 0, entries: 0 })
  })

  it('a cancellation naming an id outside the batch changes nothing', async () => {
    const { secret, project } = await workspace()
    // 1 (a number) is not "1" (a string): JSON-RPC ids are compared with their type.
    const res = await post(
      [createCall(1, project.key, 'Not cancelled'), cancel('1'), cancel(7)],
      secret,
    )
    expect(res.status).toBe(200)
    const answers = (await res.json()) as RpcAnswer[]
    expect(answers).toHaveLength(1)
    expect(answers[0]?.result?.structuredContent?.task?.title).toBe('Not cancelled')
    expect(await written(project.id, 'Not cancelled')).toEqual({ tasks: 1, entries: 1 })
  })

  it('cancelling a request that already finished, alone or in a batch of notifications, is 202', async () => {
    const { secret, project } = await workspace()
    const first = await post(createCall(5, project.key, 'Finished'), secret)
    expect(first.status).toBe(200)
    expect((await first.json()) as RpcAnswer).toMatchObject({ id: 5, result: {} })
    const late = await post(cancel(5), secret)
    expect(late.status).toBe(202)
    expect(await late.text()).toBe('')
    const onlyNotifications = await post(
      [cancel(5), { jsonrpc: '2.0', method: 'notifications/initialized' }],
      secret,
    )
    expect(onlyNotifications.status).toBe(202)
    expect(await written(project.id, 'Finished')).toEqual({ tasks: 1, entries: 1 })
  })

  it('two requests with one id in a batch are refused whole', async () => {
    const { secret, project } = await workspace()
    const res = await post(
      [createCall(1, project.key, 'Twin'), createCall(1, project.key, 'Twin')],
      secret,
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } })
    expect(await written(project.id, 'Twin')).toEqual({ tasks: 0, entries: 0 })
  })
})
