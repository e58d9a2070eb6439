import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { expect } from 'vitest'
import type { App } from '../src/app.js'
import type { Project, Task } from '../src/contract/index.js'
import { bearer, createToken, userWithToken } from './helper.js'
import { connect } from './mcp.fixtures.js'
import { addMember, as, createProject, createTask, expectStatus } from './workspace.fixtures.js'

/**
 * What the resources, prompts and completion tests share: one user's small workspace, seen through
 * the four kinds of token the access rules tell apart.
 *
 * - `full`: the owner's read + write token; `reader`: the owner's read-only token;
 *   `restricted`: the owner's token limited to `web` (`project:KEY`);
 * - `stranger`: a token of another member, who has a private project of their own (`theirs`).
 *
 * `web` has `login` (assigned to the owner, high priority, with a description and a comment),
 * `untriaged` (no assignee, no priority) and `shipped` (done); `ops` has `deploy`.
 */
export async function ownerWorkspace(app: App) {
  const owner = await userWithToken(app, 'member', { name: 'full' })
  const full = bearer(owner.token.secret)
  const web = await createProject(app, full, { name: 'Website', description: 'The public site' })
  const ops = await createProject(app, full, { name: 'Operations' })
  const login = await createTask(app, full, {
    project: web.key,
    title: 'Fix login redirect',
    description: '## Steps\n\n1. Reproduce on Safari',
    priority: 'high',
    assignee: 'me',
    dueDate: '2030-05-01',
  })
  expectStatus(
    await as(app, full)('POST', `/tasks/${login.ref}/comments`, { body: 'Seen on **Safari** 17' }),
    201,
  )
  const untriaged = await createTask(app, full, { project: web.key, title: 'Broken footer links' })
  const shipped = await createTask(app, full, {
    project: web.key,
    title: 'Ship the new homepage',
    status: 'done',
    assignee: 'me',
  })
  const deploy = await createTask(app, full, { project: ops.key, title: 'Deploy pipeline login' })
  const reader = await createToken(app, owner.session, { name: 'reader', scopes: ['read'] })
  const restricted = await createToken(app, owner.session, {
    name: 'web only',
    scopes: ['read', 'write', `project:${web.key}`],
  })
  const other = await userWithToken(app, 'member', { name: 'stranger' })
  const theirs = await createProject(app, bearer(other.token.secret), { name: 'Their secret' })
  const theirTask = await createTask(app, bearer(other.token.secret), {
    project: theirs.key,
    title: 'Their login plans',
  })
  // The stranger also works in `web` for the prompt tests: what they do there is not "mine".
  return {
    owner: owner.user,
    ownerSession: owner.session,
    tokens: {
      full: owner.token.secret,
      reader: reader.secret,
      restricted: restricted.secret,
      stranger: other.token.secret,
    },
    stranger: other.user,
    web,
    ops,
    theirs,
    tasks: { login, untriaged, shipped, deploy, theirTask },
  }
}

export type OwnerWorkspace = Awaited<ReturnType<typeof ownerWorkspace>>

/** Adds the stranger to `web` and has them act there: a task of theirs and a comment. */
export async function strangerActsInWeb(app: App, ws: OwnerWorkspace) {
  await addMember(app, bearer(ws.tokens.full), ws.web.key, { userId: ws.stranger.id })
  const theirs = await createTask(app, bearer(ws.tokens.stranger), {
    project: ws.web.key,
    title: 'Stranger refactors the router',
    assignee: 'me',
    status: 'in_progress',
  })
  expectStatus(
    await as(app, bearer(ws.tokens.stranger))('POST', `/tasks/${ws.tasks.login.ref}/comments`, {
      body: 'Stranger was here',
    }),
    201,
  )
  return theirs
}

/**
 * Tasks in list order, newest first: by creation time, then id (tasks created in the same
 * millisecond come in id order, not in the order they were made).
 */
export const newestFirst = (tasks: Task[]) =>
  [...tasks].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  )

/** SDK clients, closed by `closeAll`. */
export function clientPool(url: () => string) {
  const clients: Client[] = []
  return {
    async client(secret: string) {
      const c = await connect(url(), `Bearer ${secret}`)
      clients.push(c)
      return c
    },
    closeAll: () => Promise.all(clients.splice(0).map((c) => c.close())),
  }
}

/** A JSON-RPC error with this code whose message matches. */
export async function expectProtocolError(call: Promise<unknown>, code: number, message: RegExp) {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, 'expected a JSON-RPC error').toBeInstanceOf(McpError)
  expect((error as McpError).code).toBe(code)
  expect((error as McpError).message).toMatch(message)
  return error as McpError
}

export type { Project, Task }
