import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Project, Task } from '../src/contract/index.js'
import { bearer, buildTestApp, createToken, userWithToken } from './helper.js'
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

type TaskPage = { tasks: Task[]; nextCursor: string | null }

/** Someone else's project with a task in it. */
async function foreignProject() {
  const owner = await userWithToken(app)
  const headers = bearer(owner.token.secret)
  const project = await createProject(app, headers)
  const task = await createTask(app, headers, {
    project: project.key,
    title: 'Secret plan',
    assignee: 'me',
  })
  return { owner, headers, project, task }
}

describe('members see only their projects', () => {
  it("another member's project and its tasks are 404 for every route, never 403", async () => {
    const { project, task } = await foreignProject()
    const { user, token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))

    const list = expectStatus<{ projects: Project[] }>(
      await call('GET', '/projects?includeArchived=true'),
      200,
    )
    expect(list.projects.map((p) => p.id)).not.toContain(project.id)
    for (const ref of [project.key, project.id]) {
      expectProblem(await call('GET', `/projects/${ref}`), 404, 'not_found')
      expectProblem(await call('PATCH', `/projects/${ref}`, { name: 'x' }), 404, 'not_found')
      expectProblem(await call('GET', `/projects/${ref}/members`), 404, 'not_found')
      expectProblem(
        await call('POST', `/projects/${ref}/members`, { userId: user.id }),
        404,
        'not_found',
      )
      expectProblem(
        await call('POST', '/tasks', { project: ref, title: 'Sneaky' }),
        404,
        'not_found',
      )
      const tasks = expectStatus<TaskPage>(await call('GET', `/tasks?project=${ref}`), 200)
      expect(tasks.tasks).toEqual([])
    }
    for (const ref of [task.ref, task.id]) {
      expectProblem(await call('GET', `/tasks/${ref}`), 404, 'not_found')
      expectProblem(await call('PATCH', `/tasks/${ref}`, { status: 'done' }), 404, 'not_found')
      expectProblem(await call('GET', `/tasks/${ref}/comments`), 404, 'not_found')
      expectProblem(await call('POST', `/tasks/${ref}/comments`, { body: 'hi' }), 404, 'not_found')
    }
    const search = expectStatus<TaskPage>(await call('GET', '/tasks?q=Secret%20plan'), 200)
    expect(search.tasks).toEqual([])
  })

  it('joining a project shows it; leaving it hides it again', async () => {
    const { headers: ownerHeaders, project, task } = await foreignProject()
    const { user, token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))

    await addMember(app, ownerHeaders, project.key, { userId: user.id })
    const listed = expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200)
    expect(listed.projects).toEqual([expect.objectContaining({ id: project.id, myRole: 'member' })])
    expectStatus(await call('GET', `/tasks/${task.ref}`), 200)
    // Members may create and change tasks and comment.
    await createTask(app, bearer(token.secret), { project: project.key })
    expectStatus(await call('PATCH', `/tasks/${task.ref}`, { status: 'in_progress' }), 200)
    expectStatus(await call('POST', `/tasks/${task.ref}/comments`, { body: 'On it' }), 201)

    const removed = await as(app, ownerHeaders)(
      'DELETE',
      `/projects/${project.key}/members/${user.id}`,
    )
    expect(removed.statusCode).toBe(204)
    expectProblem(await call('GET', `/tasks/${task.ref}`), 404, 'not_found')
    expect(
      expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200).projects,
    ).toEqual([])
  })

  it("filtering by someone's email shows none of their tasks in projects not shared", async () => {
    const { owner, task } = await foreignProject()
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    await createTask(app, headers, { project: (await createProject(app, headers)).key })
    const byOwner = expectStatus<TaskPage>(
      await as(app, headers)('GET', `/tasks?assignee=${encodeURIComponent(owner.user.email)}`),
      200,
    )
    expect(byOwner.tasks).toEqual([])
    // The owner does see it.
    const own = expectStatus<TaskPage>(
      await as(app, bearer(owner.token.secret))('GET', '/tasks?assignee=me'),
      200,
    )
    expect(own.tasks.map((t) => t.id)).toEqual([task.id])
  })
})

describe('admins', () => {
  it('an admin sees and manages every project without being a member', async () => {
    const { project, task } = await foreignProject()
    const admin = await userWithToken(app, 'admin')
    const call = as(app, bearer(admin.token.secret))

    const listed = expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200)
    expect(listed.projects).toContainEqual(
      expect.objectContaining({ id: project.id, myRole: null }),
    )
    expectStatus(await call('GET', `/projects/${project.key}`), 200)
    expectStatus(await call('GET', `/tasks/${task.ref}`), 200)
    const tasks = expectStatus<TaskPage>(await call('GET', `/tasks?project=${project.key}`), 200)
    expect(tasks.tasks.map((t) => t.id)).toEqual([task.id])
    expectStatus(await call('PATCH', `/projects/${project.key}`, { description: 'Reviewed' }), 200)
    expectStatus(
      await call('POST', `/projects/${project.key}/members`, { userId: admin.user.id }),
      200,
    )
  })
})

describe('project-restricted tokens', () => {
  it('a token limited to one project sees only that project, even where its user sees more', async () => {
    const { user, session, token } = await userWithToken(app)
    const full = bearer(token.secret)
    const web = await createProject(app, full)
    const ops = await createProject(app, full)
    const webTask = await createTask(app, full, { project: web.key, title: 'Shared word' })
    const opsTask = await createTask(app, full, { project: ops.key, title: 'Shared word' })
    const limited = await createToken(app, session, {
      name: 'web only',
      scopes: ['read', 'write', `project:${web.key}`],
    })
    const call = as(app, bearer(limited.secret))

    const listed = expectStatus<{ projects: Project[] }>(
      await call('GET', '/projects?includeArchived=true'),
      200,
    )
    expect(listed.projects.map((p) => p.key)).toEqual([web.key])
    const tasks = expectStatus<TaskPage>(await call('GET', '/tasks?q=Shared'), 200)
    expect(tasks.tasks.map((t) => t.ref)).toEqual([webTask.ref])
    expectProblem(await call('GET', `/projects/${ops.key}`), 404, 'not_found')
    expectProblem(await call('GET', `/tasks/${opsTask.ref}`), 404, 'not_found')
    expectProblem(await call('GET', `/tasks/${opsTask.id}`), 404, 'not_found')
    expectProblem(
      await call('PATCH', `/tasks/${opsTask.ref}`, { status: 'done' }),
      404,
      'not_found',
    )
    expectProblem(
      await call('POST', '/tasks', { project: ops.key, title: 'Outside' }),
      404,
      'not_found',
    )
    expectProblem(
      await call('POST', `/tasks/${opsTask.ref}/comments`, { body: 'x' }),
      404,
      'not_found',
    )

    // Inside its project it works as usual, and the feed names the token.
    const created = await createTask(app, bearer(limited.secret), { project: web.key })
    expect(created.ref).toBe(`${web.key}-2`)
    const [entry] = await activityOf(app, full, 'via=api')
    expect(entry).toMatchObject({
      action: 'task.created',
      actor: { id: user.id },
      token: { id: limited.id, name: 'web only' },
    })
  })

  it('a project-restricted token cannot create projects: 403 insufficient_scope', async () => {
    const { session } = await userWithToken(app)
    const project = await createProject(app, session.headers)
    const limited = await createToken(app, session, {
      name: 'limited',
      scopes: ['read', 'write', `project:${project.key}`],
    })
    expectProblem(
      await as(app, bearer(limited.secret))('POST', '/projects', { key: uniqueKey(), name: 'New' }),
      403,
      'insufficient_scope',
    )
  })

  it('a restriction narrows and never widens: naming a project of someone else shows nothing', async () => {
    const { project, task } = await foreignProject()
    const { session } = await userWithToken(app)
    const limited = await createToken(app, session, {
      name: 'wishful',
      scopes: ['read', 'write', `project:${project.key}`],
    })
    const call = as(app, bearer(limited.secret))
    expect(
      expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200).projects,
    ).toEqual([])
    expectProblem(await call('GET', `/tasks/${task.ref}`), 404, 'not_found')
  })

  it("an admin's project-restricted token is limited too", async () => {
    const { project, task } = await foreignProject()
    const admin = await userWithToken(app, 'admin')
    const other = await createProject(app, bearer(admin.token.secret))
    const limited = await createToken(app, admin.session, {
      name: 'admin, one project',
      scopes: ['read', `project:${other.key}`],
    })
    const call = as(app, bearer(limited.secret))
    const listed = expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200)
    expect(listed.projects.map((p) => p.key)).toEqual([other.key])
    expectProblem(await call('GET', `/projects/${project.key}`), 404, 'not_found')
    expectProblem(await call('GET', `/tasks/${task.ref}`), 404, 'not_found')
  })
})

describe('read-only tokens', () => {
  it('a read token reads everything its user sees and gets 403 insufficient_scope on every change', async () => {
    const { user, session, token } = await userWithToken(app)
    const full = bearer(token.secret)
    const project = await createProject(app, full)
    const task = await createTask(app, full, { project: project.key })
    const reader = await createToken(app, session, { name: 'reader', scopes: ['read'] })
    const call = as(app, bearer(reader.secret))

    expectStatus(await call('GET', '/projects'), 200)
    expectStatus(await call('GET', `/projects/${project.key}`), 200)
    expectStatus(await call('GET', `/projects/${project.key}/members`), 200)
    expectStatus(await call('GET', `/tasks?project=${project.key}`), 200)
    expectStatus(await call('GET', `/tasks/${task.ref}`), 200)
    expectStatus(await call('GET', `/tasks/${task.ref}/comments`), 200)

    const before = await activityOf(app, full)
    const writes: [Parameters<typeof call>[0], string, unknown][] = [
      ['POST', '/projects', { key: uniqueKey(), name: 'No' }],
      ['PATCH', `/projects/${project.key}`, { name: 'No' }],
      ['POST', `/projects/${project.key}/members`, { userId: user.id, role: 'member' }],
      ['DELETE', `/projects/${project.key}/members/${user.id}`, undefined],
      ['POST', '/tasks', { project: project.key, title: 'No' }],
      ['PATCH', `/tasks/${task.ref}`, { status: 'done' }],
      ['POST', `/tasks/${task.ref}/comments`, { body: 'No' }],
    ]
    for (const [method, path, body] of writes) {
      const res = await call(method, path, body)
      expectProblem(res, 403, 'insufficient_scope')
    }
    expect(await activityOf(app, full)).toEqual(before)
  })
})

describe('activity', () => {
  it('every change through a token is in the feed with via api, the token and before/after', async () => {
    const { user, token } = await userWithToken(app, 'member', { name: 'release script' })
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key, title: 'One' })
    await as(app, headers)('PATCH', `/tasks/${task.ref}`, { title: 'Two' })
    await as(app, headers)('POST', `/tasks/${task.ref}/comments`, { body: 'Three' })
    await as(app, headers)('PATCH', `/projects/${project.key}`, { name: 'Four' })

    const entries = await activityOf(app, headers, 'via=api')
    expect(entries.map((e) => e.action)).toEqual([
      'project.updated',
      'comment.added',
      'task.updated',
      'task.created',
      'project.created',
    ])
    for (const entry of entries) {
      expect(entry).toMatchObject({
        via: 'api',
        actor: { id: user.id },
        token: { id: token.id, name: 'release script' },
      })
      expect(Object.values(entry.changes ?? {}).length).toBeGreaterThan(0)
      for (const change of Object.values(entry.changes ?? {})) {
        expect(change).toHaveProperty('before')
        expect(change).toHaveProperty('after')
      }
    }
    expect(entries[2]?.changes).toEqual({ title: { before: 'One', after: 'Two' } })
    expect(entries[0]?.changes).toEqual({ name: { before: 'Website', after: 'Four' } })
  })

  it("a member's feed holds nothing of projects they are not in; an admin's token sees every project", async () => {
    const { owner, project } = await foreignProject()
    const { token } = await userWithToken(app)
    const member = as(app, bearer(token.secret))
    const entries = await activityOf(app, bearer(token.secret))
    expect(entries.map((e) => e.target.id)).not.toContain(project.id)
    const filtered = expectStatus<{ activity: unknown[] }>(
      await member('GET', `/activity?actor=${owner.user.id}`),
      200,
    )
    expect(filtered.activity).toEqual([])
    const admin = await userWithToken(app, 'admin')
    const theirs = await activityOf(app, bearer(admin.token.secret), `actor=${owner.user.id}`)
    expect(theirs.map((e) => e.target.id)).toContain(project.id)
  })
})
