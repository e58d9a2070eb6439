import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Comment, Project, Task, TaskWithComments } from '../src/contract/index.js'
import { bearer, buildTestApp, createTestUser, userWithToken } from './helper.js'
import {
  activityOf,
  addMember,
  as,
  createProject,
  createTask,
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

describe('projects', () => {
  it('creating a project makes the creator its owner and records project.created', async () => {
    const { user, token } = await userWithToken(app, 'member', { name: 'ci bot' })
    const headers = bearer(token.secret)
    const key = uniqueKey()
    const res = await as(app, headers)('POST', '/projects', {
      key: key.toLowerCase(),
      name: '  Website  ',
      description: 'The **public** site',
    })
    const { project } = expectStatus<{ project: Project }>(res, 201)
    expect(project).toMatchObject({
      key,
      name: 'Website',
      description: 'The **public** site',
      archived: false,
      myRole: 'owner',
    })

    const list = expectStatus<{ projects: Project[] }>(
      await as(app, headers)('GET', '/projects'),
      200,
    )
    expect(list.projects.map((p) => p.key)).toEqual([key])
    // By key in any case, or by id.
    for (const ref of [key, key.toLowerCase(), project.id]) {
      const one = expectStatus<{ project: Project }>(
        await as(app, headers)('GET', `/projects/${ref}`),
        200,
      )
      expect(one.project.id).toBe(project.id)
    }
    const members = expectStatus<{ members: { user: { id: string }; role: string }[] }>(
      await as(app, headers)('GET', `/projects/${key}/members`),
      200,
    ).members
    expect(members).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: user.id }), role: 'owner' }),
    ])

    const [entry] = await activityOf(app, headers)
    expect(entry).toMatchObject({
      action: 'project.created',
      via: 'api',
      actor: { id: user.id },
      token: { id: token.id, name: 'ci bot' },
      target: { type: 'project', id: project.id, label: key },
      changes: { name: { before: null, after: 'Website' } },
    })
  })

  it('the owner renames, archives and unarchives a project; each change records before and after', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers, { name: 'Old name' })
    const call = as(app, headers)

    const renamed = expectStatus<{ project: Project }>(
      await call('PATCH', `/projects/${project.key}`, { name: 'New name', description: 'Docs' }),
      200,
    ).project
    expect(renamed).toMatchObject({ name: 'New name', description: 'Docs', archived: false })

    const archived = expectStatus<{ project: Project }>(
      await call('PATCH', `/projects/${project.key}`, { archived: true }),
      200,
    ).project
    expect(archived.archived).toBe(true)
    const visible = expectStatus<{ projects: Project[] }>(await call('GET', '/projects'), 200)
    expect(visible.projects).toEqual([])
    const all = expectStatus<{ projects: Project[] }>(
      await call('GET', '/projects?includeArchived=true'),
      200,
    )
    expect(all.projects.map((p) => [p.key, p.archived])).toEqual([[project.key, true]])

    await call('PATCH', `/projects/${project.key}`, { archived: false })
    // Saving the same values changes nothing and records nothing.
    await call('PATCH', `/projects/${project.key}`, { name: 'New name' })

    const entries = await activityOf(app, headers, 'via=api')
    expect(entries.map((e) => [e.action, e.changes])).toEqual([
      ['project.unarchived', { archived: { before: true, after: false } }],
      ['project.archived', { archived: { before: false, after: true } }],
      [
        'project.updated',
        {
          name: { before: 'Old name', after: 'New name' },
          description: { before: '', after: 'Docs' },
        },
      ],
      ['project.created', { name: { before: null, after: 'Old name' } }],
    ])
  })

  it('the owner adds members by email and by id, changes a role and removes a member', async () => {
    const { user, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const ann = await createTestUser(app)
    const bob = await createTestUser(app)

    await addMember(app, headers, project.key, { email: ann.email })
    const members = await addMember(app, headers, project.key, { userId: bob.id, role: 'owner' })
    const roles = Object.fromEntries(members.map((m) => [m.user.email, m.role]))
    expect(roles).toEqual({ [user.email]: 'owner', [ann.email]: 'member', [bob.email]: 'owner' })
    await addMember(app, headers, project.key, { userId: ann.id, role: 'owner' })
    // Adding someone with the role they already have changes nothing.
    await addMember(app, headers, project.key, { userId: ann.id, role: 'owner' })
    const removed = await as(app, headers)('DELETE', `/projects/${project.key}/members/${bob.id}`)
    expect(removed.statusCode, removed.body).toBe(204)

    const after = expectStatus<{ members: { user: { id: string } }[] }>(
      await as(app, headers)('GET', `/projects/${project.key}/members`),
      200,
    ).members
    expect(after.map((m) => m.user.id)).not.toContain(bob.id)
    expect(after.map((m) => m.user.id)).toContain(ann.id)

    const entries = await activityOf(app, headers)
    expect(entries.slice(0, 4).map((e) => [e.action, e.changes])).toEqual([
      ['project.member_removed', { [bob.email]: { before: 'owner', after: null } }],
      ['project.member_role_changed', { [ann.email]: { before: 'member', after: 'owner' } }],
      ['project.member_added', { [bob.email]: { before: null, after: 'owner' } }],
      ['project.member_added', { [ann.email]: { before: null, after: 'member' } }],
    ])
  })

  it('a co-owner may be removed while another owner remains', async () => {
    const { user, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const other = await createTestUser(app)
    await addMember(app, headers, project.key, { userId: other.id, role: 'owner' })
    const res = await as(app, headers)('DELETE', `/projects/${project.key}/members/${user.id}`)
    expect(res.statusCode, res.body).toBe(204)
    // No longer a member: the project is gone from this user's view.
    expect((await as(app, headers)('GET', `/projects/${project.key}`)).statusCode).toBe(404)
  })
})

describe('tasks', () => {
  it('tasks are numbered per project, starting at 1', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const web = await createProject(app, headers)
    const ops = await createProject(app, headers)
    const refs = []
    for (const project of [web, web, ops, web, ops]) {
      refs.push((await createTask(app, headers, { project: project.key })).ref)
    }
    expect(refs).toEqual([
      `${web.key}-1`,
      `${web.key}-2`,
      `${ops.key}-1`,
      `${web.key}-3`,
      `${ops.key}-2`,
    ])
  })

  it('ten tasks created at once in one project get the numbers 1 to 10, each once', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        as(app, headers)('POST', '/tasks', { project: project.key, title: `Parallel ${i}` }),
      ),
    )
    const numbers = created.map((res) => expectStatus<{ task: Task }>(res, 201).task.number)
    expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect((await createTask(app, headers, { project: project.key })).number).toBe(11)
  })

  it('a task keeps every field and is found by reference in any case or by id', async () => {
    const { user, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers, { name: 'Web' })
    const task = await createTask(app, headers, {
      project: project.key.toLowerCase(),
      title: 'Write the *launch* post',
      description: '# Plan\n\n- draft\n- review',
      status: 'in_progress',
      priority: 'high',
      assignee: 'me',
      dueDate: '2030-01-31',
    })
    expect(task).toMatchObject({
      ref: `${project.key}-1`,
      number: 1,
      project: { id: project.id, key: project.key, name: 'Web' },
      title: 'Write the *launch* post',
      description: '# Plan\n\n- draft\n- review',
      status: 'in_progress',
      priority: 'high',
      assignee: { id: user.id, email: user.email },
      dueDate: '2030-01-31',
    })
    for (const ref of [task.ref, task.ref.toLowerCase(), task.id]) {
      const got = expectStatus<TaskWithComments>(
        await as(app, headers)('GET', `/tasks/${ref}`),
        200,
      )
      expect(got).toEqual({ task, comments: [] })
    }

    const [entry] = await activityOf(app, headers)
    expect(entry).toMatchObject({
      action: 'task.created',
      via: 'api',
      token: { id: token.id },
      target: { type: 'task', id: task.id, label: task.ref },
      changes: {
        title: { before: null, after: 'Write the *launch* post' },
        status: { before: null, after: 'in_progress' },
        assignee: { before: null, after: user.email },
      },
    })
  })

  it('updating a task changes only the fields given and records each before and after', async () => {
    const { user, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const colleague = await createTestUser(app)
    await addMember(app, headers, project.key, { email: colleague.email })
    const task = await createTask(app, headers, { project: project.key, title: 'Draft' })
    const call = as(app, headers)

    const updated = expectStatus<{ task: Task }>(
      await call('PATCH', `/tasks/${task.ref}`, {
        title: 'Final',
        priority: 'urgent',
        assignee: colleague.email,
        dueDate: '2031-02-03',
      }),
      200,
    ).task
    expect(updated).toMatchObject({
      title: 'Final',
      priority: 'urgent',
      status: 'todo',
      description: '',
      assignee: { id: colleague.id },
      dueDate: '2031-02-03',
    })
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt))

    await call('PATCH', `/tasks/${task.ref}`, { status: 'done' })
    await call('PATCH', `/tasks/${task.ref}`, { assignee: 'me' })
    const cleared = expectStatus<{ task: Task }>(
      await call('PATCH', `/tasks/${task.ref}`, { assignee: null, dueDate: null }),
      200,
    ).task
    expect(cleared).toMatchObject({ assignee: null, dueDate: null, status: 'done' })
    // The same values again: no change, no activity.
    await call('PATCH', `/tasks/${task.ref}`, { status: 'done', title: 'Final' })

    const entries = await activityOf(app, headers)
    expect(entries.slice(0, 4).map((e) => [e.action, e.changes])).toEqual([
      [
        'task.updated',
        {
          assignee: { before: user.email, after: null },
          dueDate: { before: '2031-02-03', after: null },
        },
      ],
      ['task.updated', { assignee: { before: colleague.email, after: user.email } }],
      ['task.status_changed', { status: { before: 'todo', after: 'done' } }],
      [
        'task.updated',
        {
          title: { before: 'Draft', after: 'Final' },
          priority: { before: 'none', after: 'urgent' },
          dueDate: { before: null, after: '2031-02-03' },
          assignee: { before: null, after: colleague.email },
        },
      ],
    ])
    expect(entries[4]?.action).toBe('task.created')
  })

  it('comments are added as the caller and listed oldest first', async () => {
    const { user, token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key })
    const call = as(app, headers)

    const first = expectStatus<{ comment: Comment }>(
      await call('POST', `/tasks/${task.ref}/comments`, { body: 'Looks **good**' }),
      201,
    ).comment
    expect(first).toMatchObject({
      taskId: task.id,
      author: { id: user.id, email: user.email },
      body: 'Looks **good**',
    })
    await call('POST', `/tasks/${task.ref.toLowerCase()}/comments`, { body: 'Second' })
    const long = 'x'.repeat(400)
    await call('POST', `/tasks/${task.id}/comments`, { body: long })

    const listed = expectStatus<{ comments: Comment[] }>(
      await call('GET', `/tasks/${task.ref}/comments`),
      200,
    ).comments
    expect(listed.map((c) => c.body)).toEqual(['Looks **good**', 'Second', long])
    const withTask = expectStatus<TaskWithComments>(await call('GET', `/tasks/${task.ref}`), 200)
    expect(withTask.comments).toEqual(listed)

    const [latest, second] = await activityOf(app, headers)
    expect(second).toMatchObject({
      action: 'comment.added',
      target: { type: 'task', id: task.id, label: task.ref },
      changes: { comment: { before: null, after: 'Second' } },
    })
    // Long comments are shortened in the feed, not in the task.
    const excerpt = (latest?.changes?.comment?.after ?? '') as string
    expect(excerpt.length).toBeLessThanOrEqual(280)
    expect(excerpt.startsWith('xxx')).toBe(true)
  })
})

describe('listing tasks', () => {
  /** Two projects with tasks of different statuses and assignees, for one owner and a colleague. */
  async function board() {
    const owner = await userWithToken(app)
    const colleague = await createTestUser(app)
    const headers = bearer(owner.token.secret)
    const web = await createProject(app, headers)
    const ops = await createProject(app, headers)
    await addMember(app, headers, web.key, { email: colleague.email })
    const t = (input: Record<string, unknown> & { project: string }) =>
      createTask(app, headers, input)
    const tasks = {
      login: await t({
        project: web.key,
        title: 'Fix login',
        status: 'in_progress',
        assignee: 'me',
      }),
      docs: await t({
        project: web.key,
        title: 'Docs',
        description: 'Explain the LOGIN flow',
        assignee: colleague.email,
      }),
      done: await t({ project: web.key, title: 'Ship 100%_ready', status: 'done' }),
      backup: await t({ project: ops.key, title: 'Backups', assignee: 'me' }),
    }
    return { headers, web, ops, colleague, tasks, owner }
  }

  const refs = async (headers: Record<string, string>, query: string) =>
    expectStatus<TaskPage>(await as(app, headers)('GET', `/tasks?${query}`), 200).tasks.map(
      (t) => t.ref,
    )

  it('filters by project, status, assignee (me, email or id) and text', async () => {
    const { headers, web, ops, colleague, tasks, owner } = await board()
    const { login, docs, done, backup } = tasks
    expect(await refs(headers, '')).toEqual([backup.ref, done.ref, docs.ref, login.ref])
    expect(await refs(headers, `project=${web.key}`)).toEqual([done.ref, docs.ref, login.ref])
    expect(await refs(headers, `project=${ops.id}`)).toEqual([backup.ref])
    expect(await refs(headers, `project=${web.key.toLowerCase()}&status=todo`)).toEqual([docs.ref])
    expect(await refs(headers, 'status=in_progress')).toEqual([login.ref])
    expect(await refs(headers, 'assignee=me')).toEqual([backup.ref, login.ref])
    expect(await refs(headers, `assignee=${encodeURIComponent(colleague.email)}`)).toEqual([
      docs.ref,
    ])
    expect(await refs(headers, `assignee=${owner.user.id}&project=${ops.key}`)).toEqual([
      backup.ref,
    ])
    expect(await refs(headers, 'assignee=nobody%40example.test')).toEqual([])
    // Title or description, case-insensitive; most relevant first (see task-search.test.ts), so
    // the title match comes before the newer description match.
    expect(await refs(headers, 'q=login')).toEqual([login.ref, docs.ref])
    expect(await refs(headers, 'q=LOGIN&status=in_progress')).toEqual([login.ref])
    // % and _ are plain characters, not wildcards.
    expect(await refs(headers, `q=${encodeURIComponent('100%_')}`)).toEqual([done.ref])
    expect(await refs(headers, `q=${encodeURIComponent('%')}`)).toEqual([done.ref])
    expect(await refs(headers, `q=${encodeURIComponent('_')}`)).toEqual([done.ref])
    expect(await refs(headers, 'q=nothing-like-this')).toEqual([])
  })

  it('cursor pagination returns every task exactly once, newest first', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    // Created together, so several share a creation time: the id breaks the tie.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        as(app, headers)('POST', '/tasks', { project: project.key, title: `Task ${i}` }),
      ),
    )
    const everything = await refs(headers, `project=${project.key}&limit=100`)
    expect(everything).toHaveLength(12)

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = `project=${project.key}&limit=5${cursor ? `&cursor=${cursor}` : ''}`
      const page = expectStatus<TaskPage>(await as(app, headers)('GET', `/tasks?${query}`), 200)
      expect(page.tasks.length).toBeLessThanOrEqual(5)
      seen.push(...page.tasks.map((t) => t.ref))
      cursor = page.nextCursor
      pages++
    } while (cursor && pages < 10)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(12)
    expect(seen).toEqual(everything)
  })

  it('a page that ends exactly at the last task has no next cursor', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    for (let i = 0; i < 4; i++) await createTask(app, headers, { project: project.key })
    const first = expectStatus<TaskPage>(
      await as(app, headers)('GET', `/tasks?project=${project.key}&limit=2`),
      200,
    )
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = expectStatus<TaskPage>(
      await as(app, headers)(
        'GET',
        `/tasks?project=${project.key}&limit=2&cursor=${first.nextCursor}`,
      ),
      200,
    )
    expect(second.tasks).toHaveLength(2)
    expect(second.nextCursor).toBeNull()
  })
})

describe('sessions and tokens', () => {
  it('changes from the console are recorded via web, without a token', async () => {
    const { session, token } = await userWithToken(app)
    const key = uniqueKey()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: session.headers,
      payload: { key, name: 'From the console' },
    })
    expectStatus(res, 201)
    const [entry] = await activityOf(app, bearer(token.secret))
    expect(entry).toMatchObject({ action: 'project.created', via: 'web', token: null })
  })
})
