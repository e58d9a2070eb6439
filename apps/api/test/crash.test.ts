import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Activity, Comment, Task, Token } from '../src/contract/index.js'
import { TEST_DB } from './helper.js'
import { durableDatabase, startServerProcess } from './server-process.js'

/**
 * The real server process (dist/server.js) is killed with SIGKILL in the middle of a burst of
 * concurrent writes, then started again on the same data folder or database. Every write it
 * acknowledged must be there, and nothing may be half-written: each task, comment and token comes
 * with its activity entry, and no entry points at something that does not exist.
 */
const WORKERS = 12
/** Acknowledged writes before each kill (one crash per entry); the burst goes on meanwhile. */
const KILL_AFTER = [150, 60]
const REQUEST_TIMEOUT_MS = 10_000
const PROJECT_KEYS = ['CRA', 'CRB', 'CRC']

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

// --- the server process ----------------------------------------------------------------------

// --- HTTP --------------------------------------------------------------------------------------

type Headers = Record<string, string>

interface Client {
  session: Headers
  token: Headers
}

async function send(url: string, method: string, headers: Headers, payload?: unknown) {
  const res = await fetch(url, {
    method,
    headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const text = await res.text()
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

/** A request that must succeed with `status`; its JSON body. */
async function must<T>(
  status: number,
  url: string,
  method: string,
  headers: Headers,
  payload?: unknown,
): Promise<T> {
  const res = await send(url, method, headers, payload)
  if (res.status !== status) throw new Error(`${method} ${url}: ${res.status} ${res.text}`)
  return res.json() as T
}

async function signIn(api: string, email: string, password: string): Promise<Client> {
  const res = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? ''
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  const session = { cookie, 'x-csrf-token': csrfToken }
  const { secret } = await must<{ secret: string }>(201, `${api}/tokens`, 'POST', session, {
    name: 'crash test',
  })
  return { session, token: { authorization: `Bearer ${secret}` } }
}

/** Every page of a cursor-paged list. */
async function all<T>(url: string, headers: Headers, key: string): Promise<T[]> {
  const items: T[] = []
  const page = new URL(url)
  for (;;) {
    const body = await must<Record<string, unknown>>(200, page.href, 'GET', headers)
    items.push(...(body[key] as T[]))
    if (!body.nextCursor) return items
    page.searchParams.set('cursor', body.nextCursor as string)
  }
}

// --- the burst ---------------------------------------------------------------------------------

interface Acknowledged {
  tasks: Task[]
  comments: Comment[]
  tokens: { id: string; secret: string }[]
  /** Answers that were neither a success nor the connection dying with the server. */
  refused: string[]
  /** Requests cut by the kill: they may or may not have been written, but not half. */
  cut: number
}

/**
 * Writes from `WORKERS` loops at once until the server dies: tasks in the projects (by token and
 * by session, in turn), comments on acknowledged tasks, tokens. Calls `onAck` after each
 * acknowledged write.
 */
async function burst(api: string, client: Client, onAck: (count: number) => void) {
  const acked: Acknowledged = { tasks: [], comments: [], tokens: [], refused: [], cut: 0 }
  let n = 0
  let count = 0
  let dead = false
  const ack = () => onAck(++count)

  async function write(i: number) {
    const by = i % 2 === 0 ? client.token : client.session
    const kind = i % 10
    if (kind < 5 || acked.tasks.length === 0) {
      const project = PROJECT_KEYS[i % PROJECT_KEYS.length]
      const res = await send(`${api}/tasks`, 'POST', by, { project, title: `Burst task ${i}` })
      if (res.status !== 201) return `POST /tasks: ${res.status} ${res.text}`
      acked.tasks.push(res.json().task as Task)
    } else if (kind < 8) {
      const task = acked.tasks[(i * 7919) % acked.tasks.length] as Task
      const res = await send(`${api}/tasks/${task.ref}/comments`, 'POST', by, {
        body: `Burst comment ${i}`,
      })
      if (res.status !== 201) return `POST /tasks/${task.ref}/comments: ${res.status} ${res.text}`
      acked.comments.push(res.json().comment as Comment)
    } else {
      const res = await send(`${api}/tokens`, 'POST', client.session, { name: `burst ${i}` })
      if (res.status !== 201) return `POST /tokens: ${res.status} ${res.text}`
      const body = res.json() as { token: Token; secret: string }
      acked.tokens.push({ id: body.token.id, secret: body.secret })
    }
    ack()
    return undefined
  }

  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (!dead) {
        try {
          const refused = await write(n++)
          if (refused) acked.refused.push(refused)
        } catch {
          // The connection died with the server (reset, refused, or timed out): stop here.
          acked.cut += 1
          dead = true
        }
      }
    }),
  )
  return acked
}

// --- the checks --------------------------------------------------------------------------------

/**
 * Every acknowledged write is there as it was acknowledged, and nothing is half-written: each
 * task, comment and token has its one activity entry, and each entry points at something that
 * exists. Returns the tasks found.
 */
async function expectIntact(api: string, client: Client, acked: Acknowledged): Promise<Task[]> {
  const { session, token } = client
  // The session and token from before the crash still work: they were acknowledged too.
  await must(200, `${api}/me`, 'GET', session)
  await must(200, `${api}/me`, 'GET', token)

  const tasks: Task[] = []
  for (const key of PROJECT_KEYS) {
    tasks.push(...(await all<Task>(`${api}/tasks?project=${key}&limit=100`, session, 'tasks')))
  }
  const taskById = new Map(tasks.map((t) => [t.id, t]))
  for (const task of acked.tasks) {
    expect(taskById.get(task.id), `task ${task.ref}`).toMatchObject({
      ref: task.ref,
      number: task.number,
      title: task.title,
    })
  }
  for (const task of acked.tasks.slice(-5)) {
    const byRef = await must<{ task: Task }>(200, `${api}/tasks/${task.ref}`, 'GET', token)
    expect(byRef.task.id).toBe(task.id)
  }
  // No task number given twice within a project (nor a reference).
  expect(new Set(tasks.map((t) => t.ref)).size).toBe(tasks.length)
  for (const key of PROJECT_KEYS) {
    const numbers = tasks.filter((t) => t.project.key === key).map((t) => t.number)
    expect(new Set(numbers).size, `numbers in ${key}`).toBe(numbers.length)
  }

  const comments: Comment[] = []
  for (const task of tasks) {
    const url = `${api}/tasks/${task.id}/comments`
    comments.push(...(await must<{ comments: Comment[] }>(200, url, 'GET', session)).comments)
  }
  const commentIds = new Set(comments.map((c) => c.id))
  for (const comment of acked.comments) {
    expect(commentIds.has(comment.id), `comment ${comment.id}`).toBe(true)
  }

  const tokens = (await must<{ tokens: Token[] }>(200, `${api}/tokens`, 'GET', session)).tokens
  const tokenIds = new Set(tokens.map((t) => t.id))
  for (const created of acked.tokens) {
    expect(tokenIds.has(created.id), `token ${created.id}`).toBe(true)
  }
  for (const created of acked.tokens.slice(-5)) {
    await must(200, `${api}/me`, 'GET', { authorization: `Bearer ${created.secret}` })
  }

  const activity = await all<Activity>(`${api}/activity?limit=200`, session, 'activity')
  const entries = (action: string) => activity.filter((a) => a.action === action)
  const targets = (action: string) =>
    entries(action)
      .map((a) => a.target.id)
      .sort()
  expect(targets('task.created')).toEqual(tasks.map((t) => t.id).sort())
  expect(targets('token.created')).toEqual(tokens.map((t) => t.id).sort())
  // One comment.added entry per comment: the same count for each task.
  expect(targets('comment.added')).toEqual(comments.map((c) => c.taskId).sort())
  expect(entries('project.created').map((a) => a.target.label)).toEqual(
    expect.arrayContaining(PROJECT_KEYS),
  )
  for (const entry of activity.filter((a) => a.target.type === 'task')) {
    expect(taskById.has(entry.target.id), `${entry.action} of ${entry.target.label}`).toBe(true)
  }
  return tasks
}

/** Error and fatal log entries. */
const loggedErrors = (output: string) =>
  output.split('\n').filter((entry) => /^\{"level":(50|60)/.test(entry))

// --- the test ----------------------------------------------------------------------------------

describe('crash: SIGKILL in the middle of a burst of writes', { timeout: 180_000 }, () => {
  it('keeps every acknowledged write whole, takes the stale lock over and writes again', async () => {
    const email = `crash-${randomBytes(4).toString('hex')}@example.test`
    const password = `crash-password-${randomBytes(8).toString('hex')}`
    const { env, dataDir } = await durableDatabase(cleanups)
    const serverEnv = {
      ...env,
      LOG_LEVEL: 'trace',
      TESSERA_ADMIN_EMAIL: email,
      TESSERA_ADMIN_PASSWORD: password,
    }
    const lockHolder = () =>
      dataDir && readFileSync(join(dataDir, 'tessera.pid'), 'utf8').split('\n')[0]

    let server = await startServerProcess(serverEnv, cleanups)
    const client = await signIn(`${server.url}/api/v1`, email, password)
    for (const key of PROJECT_KEYS) {
      const payload = { key, name: `Crash ${key}` }
      await must(201, `${server.url}/api/v1/projects`, 'POST', client.token, payload)
    }

    // Acknowledged writes of every round so far: each must survive every later crash too.
    const acked: Acknowledged = { tasks: [], comments: [], tokens: [], refused: [], cut: 0 }
    for (const killAfter of KILL_AFTER) {
      const dying = server
      let killed: Promise<void> | undefined
      const round = await burst(`${dying.url}/api/v1`, client, (count) => {
        if (count === killAfter) killed = dying.crash()
      })
      await killed
      console.info(
        `crash (${TEST_DB}): killed after ${killAfter} acknowledged writes; acknowledged ` +
          `${round.tasks.length} tasks, ${round.comments.length} comments, ` +
          `${round.tokens.length} tokens; ${round.cut} requests cut`,
      )
      expect(killed, 'the burst ended before the kill').toBeDefined()
      expect(round.refused).toEqual([])
      expect(round.cut).toBeGreaterThan(0)
      acked.tasks.push(...round.tasks)
      acked.comments.push(...round.comments)
      acked.tokens.push(...round.tokens)

      // The dead process's lock is still there: the restart has to take it over.
      if (dataDir) expect(lockHolder()).toBe(String(dying.pid))
      server = await startServerProcess(serverEnv, cleanups)
      if (dataDir) expect(lockHolder()).toBe(String(server.pid))
      await expectIntact(`${server.url}/api/v1`, client, acked)
    }

    // The restarted server takes writes again, numbering on from the highest number there is.
    const api = `${server.url}/api/v1`
    const tasks = await expectIntact(api, client, acked)
    for (const key of PROJECT_KEYS) {
      const { task } = await must<{ task: Task }>(201, `${api}/tasks`, 'POST', client.token, {
        project: key,
        title: 'After the crash',
      })
      const numbers = tasks.filter((t) => t.project.key === key).map((t) => t.number)
      expect(task.number).toBeGreaterThan(Math.max(0, ...numbers))
      const comment = { body: 'Still here' }
      await must(201, `${api}/tasks/${task.ref}/comments`, 'POST', client.session, comment)
    }
    await must(201, `${api}/tokens`, 'POST', client.session, { name: 'after the crash' })

    expect(await server.stop()).toBe(0)
    if (dataDir) expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(false)
    // Recovering from the crash was not an error either.
    expect(loggedErrors(server.output())).toEqual([])
  })
})
