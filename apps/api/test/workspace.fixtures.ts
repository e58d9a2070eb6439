import { randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity, Project, Task } from '../src/contract/index.js'

/**
 * A project key no other test uses: a letter and 8 hex digits. Every test file shares the run's
 * database, and keys are unique across it.
 */
export const uniqueKey = (letter = 'P') =>
  `${letter}${randomBytes(4).toString('hex').toUpperCase()}`

type Headers = Record<string, string>
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** `app.inject` for one caller: `as(app, headers)('POST', '/projects', body)`. Paths are under /api/v1. */
export function as(app: App, headers: Headers) {
  return (method: Method, path: string, payload?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url: `/api/v1${path}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
}

/** The JSON body of a response that must have the given status (the body is shown when not). */
export function expectStatus<T = Record<string, unknown>>(
  res: LightMyRequestResponse,
  status: number,
): T {
  expect(res.statusCode, res.body).toBe(status)
  return (res.body ? res.json() : undefined) as T
}

/** A refusal: its status and stable code. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.json()).toMatchObject({ status, code })
}

export async function createProject(
  app: App,
  headers: Headers,
  input: { key?: string; name?: string; description?: string } = {},
): Promise<Project> {
  const res = await as(app, headers)('POST', '/projects', {
    key: input.key ?? uniqueKey(),
    name: input.name ?? 'Website',
    ...(input.description === undefined ? {} : { description: input.description }),
  })
  return expectStatus<{ project: Project }>(res, 201).project
}

export async function createTask(
  app: App,
  headers: Headers,
  input: { project: string; title?: string } & Record<string, unknown>,
): Promise<Task> {
  const res = await as(app, headers)('POST', '/tasks', { title: 'A task', ...input })
  return expectStatus<{ task: Task }>(res, 201).task
}

export async function addMember(
  app: App,
  headers: Headers,
  project: string,
  member: { userId?: string; email?: string; role?: 'owner' | 'member' },
) {
  const res = await as(app, headers)('POST', `/projects/${project}/members`, member)
  return expectStatus<{ members: { user: { id: string; email: string }; role: string }[] }>(
    res,
    200,
  ).members
}

/** The caller's activity feed, newest first. */
export async function activityOf(app: App, headers: Headers, query = ''): Promise<Activity[]> {
  const res = await as(app, headers)('GET', `/activity${query ? `?${query}` : ''}`)
  return expectStatus<{ activity: Activity[] }>(res, 200).activity
}
