import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Task } from '../src/contract/index.js'
import { bearer, buildTestApp, createTestUser, userWithToken } from './helper.js'
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

/** An owner with a project, and a second user who is a plain member of it. */
async function projectWithMember() {
  const owner = await userWithToken(app)
  const member = await userWithToken(app)
  const ownerHeaders = bearer(owner.token.secret)
  const project = await createProject(app, ownerHeaders)
  await addMember(app, ownerHeaders, project.key, { userId: member.user.id })
  return { owner, member, ownerHeaders, memberHeaders: bearer(member.token.secret), project }
}

describe('project input', () => {
  it('a project key must be 2-10 letters or digits starting with a letter', async () => {
    const { token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))
    for (const key of ['W', '1AB', 'WEB-1', 'ABCDEFGHIJK', '', 'W B', 'ÄBC']) {
      const res = await call('POST', '/projects', { key, name: 'Bad' })
      expectProblem(res, 400, 'validation_failed')
      expect(res.json().detail).toContain('key')
    }
    expectProblem(await call('POST', '/projects', { key: uniqueKey() }), 400, 'validation_failed')
    expectProblem(
      await call('POST', '/projects', { key: uniqueKey(), name: '   ' }),
      400,
      'validation_failed',
    )
  })

  it('a key already taken, in any case, is refused with 409 project_key_taken', async () => {
    const { token } = await userWithToken(app)
    const other = await userWithToken(app)
    const project = await createProject(app, bearer(token.secret))
    // Taken by someone else's project too: keys are unique in the workspace.
    const res = await as(app, bearer(other.token.secret))('POST', '/projects', {
      key: project.key.toLowerCase(),
      name: 'Again',
    })
    expectProblem(res, 409, 'project_key_taken')
  })

  it('two projects created at once with the same key: one wins, the other gets 409', async () => {
    const { token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))
    const key = uniqueKey()
    const results = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', '/projects', { key, name: 'Race' })),
    )
    const statuses = results.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409])
    for (const res of results.filter((r) => r.statusCode === 409)) {
      expect(res.json().code).toBe('project_key_taken')
    }
  })

  it('an update with nothing to change is refused', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    expectProblem(
      await as(app, headers)('PATCH', `/projects/${project.key}`, {}),
      400,
      'validation_failed',
    )
    expectProblem(
      await as(app, headers)('PATCH', `/projects/${project.key}`, { archived: 'yes' }),
      400,
      'validation_failed',
    )
  })

  it('an unknown project is 404', async () => {
    const { token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))
    expectProblem(await call('GET', `/projects/${uniqueKey()}`), 404, 'not_found')
    expectProblem(await call('PATCH', `/projects/${uniqueKey()}`, { name: 'x' }), 404, 'not_found')
    expectProblem(await call('GET', `/projects/${uniqueKey()}/members`), 404, 'not_found')
  })
})

describe('project roles', () => {
  it('a plain member cannot rename, archive or manage members: 403 project_permission_denied', async () => {
    const { memberHeaders, project, owner } = await projectWithMember()
    const outsider = await createTestUser(app)
    const call = as(app, memberHeaders)
    expectProblem(
      await call('PATCH', `/projects/${project.key}`, { name: 'Mine now' }),
      403,
      'project_permission_denied',
    )
    expectProblem(
      await call('PATCH', `/projects/${project.key}`, { archived: true }),
      403,
      'project_permission_denied',
    )
    expectProblem(
      await call('POST', `/projects/${project.key}/members`, { userId: outsider.id }),
      403,
      'project_permission_denied',
    )
    expectProblem(
      await call('DELETE', `/projects/${project.key}/members/${owner.user.id}`),
      403,
      'project_permission_denied',
    )
    // A member may still read the project and its members.
    expectStatus(await call('GET', `/projects/${project.key}/members`), 200)
  })

  it('the last owner cannot be removed: 400 last_owner', async () => {
    const { owner, ownerHeaders, project } = await projectWithMember()
    expectProblem(
      await as(app, ownerHeaders)('DELETE', `/projects/${project.key}/members/${owner.user.id}`),
      400,
      'last_owner',
    )
  })

  it('the last owner cannot step down to member either: 400 last_owner', async () => {
    const { owner, ownerHeaders, project } = await projectWithMember()
    expectProblem(
      await as(app, ownerHeaders)('POST', `/projects/${project.key}/members`, {
        userId: owner.user.id,
        role: 'member',
      }),
      400,
      'last_owner',
    )
    const members = expectStatus<{ members: { user: { id: string }; role: string }[] }>(
      await as(app, ownerHeaders)('GET', `/projects/${project.key}/members`),
      200,
    ).members
    expect(members.find((m) => m.user.id === owner.user.id)?.role).toBe('owner')
  })

  it('member changes name an existing user, exactly once', async () => {
    const { ownerHeaders, project, member } = await projectWithMember()
    const call = as(app, ownerHeaders)
    const path = `/projects/${project.key}/members`
    expectProblem(await call('POST', path, { email: 'nobody-here@example.test' }), 404, 'not_found')
    expectProblem(
      await call('POST', path, { userId: '00000000-0000-4000-8000-000000000000' }),
      404,
      'not_found',
    )
    expectProblem(
      await call('POST', path, { userId: member.user.id, email: member.user.email }),
      400,
      'validation_failed',
    )
    expectProblem(await call('POST', path, {}), 400, 'validation_failed')
    expectProblem(
      await call('POST', path, { userId: member.user.id, role: 'admin' }),
      400,
      'validation_failed',
    )
    const stranger = await createTestUser(app)
    expectProblem(await call('DELETE', `${path}/${stranger.id}`), 404, 'not_found')
    expectProblem(await call('DELETE', `${path}/not-a-uuid`), 400, 'validation_failed')
  })
})

describe('task input', () => {
  it('creating a task checks every field', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const call = as(app, headers)
    const bad: Record<string, unknown>[] = [
      { project: project.key },
      { project: project.key, title: '' },
      { project: project.key, title: '   ' },
      { project: project.key, title: 'x'.repeat(201) },
      { project: project.key, title: 'ok', status: 'blocked' },
      { project: project.key, title: 'ok', priority: 'critical' },
      { project: project.key, title: 'ok', dueDate: '31/01/2030' },
      { project: project.key, title: 'ok', dueDate: '2030-02-30' },
      // A valid ISO date that PostgreSQL refuses (there is no year 0): still a 400, never a 500.
      { project: project.key, title: 'ok', dueDate: '0000-01-01' },
      { title: 'no project' },
    ]
    for (const body of bad) {
      expectProblem(await call('POST', '/tasks', body), 400, 'validation_failed')
    }
    expectProblem(
      await call('POST', '/tasks', { project: uniqueKey(), title: 'nowhere' }),
      404,
      'not_found',
    )
    // Nothing was created, and nothing numbered.
    expect((await createTask(app, headers, { project: project.key })).number).toBe(1)
  })

  it('an assignee must be a known user who belongs to the project', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const outsider = await createTestUser(app)
    const call = as(app, headers)
    expectProblem(
      await call('POST', '/tasks', { project: project.key, title: 't', assignee: outsider.email }),
      400,
      'assignee_not_member',
    )
    expectProblem(
      await call('POST', '/tasks', {
        project: project.key,
        title: 't',
        assignee: 'ghost@example.test',
      }),
      400,
      'assignee_not_found',
    )
    const task = await createTask(app, headers, { project: project.key })
    expectProblem(
      await call('PATCH', `/tasks/${task.ref}`, { assignee: outsider.id }),
      400,
      'assignee_not_member',
    )
  })

  it('updates are validated and unknown tasks are 404', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key })
    const call = as(app, headers)
    for (const body of [
      { status: 'blocked' },
      { title: '' },
      { priority: 1 },
      { dueDate: 'soon' },
    ]) {
      expectProblem(await call('PATCH', `/tasks/${task.ref}`, body), 400, 'validation_failed')
    }
    for (const ref of [
      `${project.key}-99`,
      'nonsense',
      'WEB-',
      '00000000-0000-4000-8000-000000000000',
    ]) {
      expectProblem(await call('GET', `/tasks/${ref}`), 404, 'not_found')
      expectProblem(await call('PATCH', `/tasks/${ref}`, { title: 'x' }), 404, 'not_found')
      expectProblem(await call('POST', `/tasks/${ref}/comments`, { body: 'x' }), 404, 'not_found')
      expectProblem(await call('GET', `/tasks/${ref}/comments`), 404, 'not_found')
    }
    expectProblem(
      await call('POST', `/tasks/${task.ref}/comments`, { body: '  ' }),
      400,
      'validation_failed',
    )
    const after = expectStatus<{ task: Task }>(await call('GET', `/tasks/${task.ref}`), 200)
    expect(after.task).toEqual(task)
  })

  it('list parameters are validated; a bad cursor is 400 invalid_cursor', async () => {
    const { token } = await userWithToken(app)
    const call = as(app, bearer(token.secret))
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'status=blocked']) {
      expectProblem(await call('GET', `/tasks?${query}`), 400, 'validation_failed')
    }
    for (const cursor of [
      'garbage',
      Buffer.from('2024-01-01T00:00:00.000Z|nope').toString('base64url'),
    ]) {
      expectProblem(await call('GET', `/tasks?cursor=${cursor}`), 400, 'invalid_cursor')
    }
  })
})

describe('archived projects', () => {
  it('an archived project refuses new tasks, task changes and comments until unarchived', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key })
    const call = as(app, headers)
    expectStatus(await call('PATCH', `/projects/${project.key}`, { archived: true }), 200)
    const before = await activityOf(app, headers, 'via=api')

    expectProblem(
      await call('POST', '/tasks', { project: project.key, title: 'Late' }),
      403,
      'project_archived',
    )
    expectProblem(
      await call('PATCH', `/tasks/${task.ref}`, { status: 'done' }),
      403,
      'project_archived',
    )
    expectProblem(
      await call('POST', `/tasks/${task.ref}/comments`, { body: 'hello?' }),
      403,
      'project_archived',
    )
    // Refused changes leave no trace; reading still works.
    expect(await activityOf(app, headers, 'via=api')).toEqual(before)
    expectStatus(await call('GET', `/tasks/${task.ref}`), 200)
    expectStatus(await call('GET', `/tasks?project=${project.key}`), 200)

    expectStatus(await call('PATCH', `/projects/${project.key}`, { archived: false }), 200)
    expect(
      expectStatus<{ task: Task }>(
        await call('PATCH', `/tasks/${task.ref}`, { status: 'done' }),
        200,
      ).task.status,
    ).toBe('done')
  })
})
