import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity, Comment, Project, Task, TaskWithComments } from '../src/contract/index.js'
import { VERSION } from '../src/version.js'
import { bearer, buildTestApp, createToken, userWithToken } from './helper.js'
import { connect, listen, mcpPath, structured, textOf } from './mcp.fixtures.js'
import { activityOf, as, createProject, createTask } from './workspace.fixtures.js'

let app: App
let url: string
const clients: Client[] = []
beforeAll(async () => {
  app = await buildTestApp()
  url = `${await listen(app)}${mcpPath}`
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await app.close()
})

/** An SDK client for this token; tools are listed first, as hosts do (it caches output schemas). */
async function client(secret: string, scheme: 'Bearer' | 'Api-Token' = 'Bearer') {
  const c = await connect(url, `${scheme} ${secret}`)
  clients.push(c)
  await c.listTools()
  return c
}

const READ_TOOLS = [
  'whoami',
  'list_projects',
  'list_tasks',
  'search_tasks',
  'get_task',
  'list_activity',
]
const WRITE_TOOLS = ['create_task', 'update_task', 'add_comment']

type TaskPage = { tasks: Task[]; nextCursor: string | null }
type Whoami = {
  user: { id: string; email: string }
  token: { id: string; name: string; scopes: string[]; expiresAt: string | null }
  canWrite: boolean
  projectRestriction: string[] | null
}

describe('the MCP server, through the SDK client over Streamable HTTP', () => {
  it('announces its name, version and instructions', async () => {
    const { token } = await userWithToken(app)
    const c = await client(token.secret)
    expect(c.getServerVersion()).toMatchObject({ name: 'tessera', version: VERSION })
    expect(c.getServerCapabilities()?.tools).toBeDefined()
    const instructions = c.getInstructions() ?? ''
    expect(instructions).toContain('Tessera')
    for (const tool of ['whoami', 'list_projects', 'list_tasks', 'create_task']) {
      expect(instructions).toContain(tool)
    }
  })

  it('lists every tool with a title, a description, truthful annotations and both schemas', async () => {
    const { token } = await userWithToken(app)
    const c = await client(token.secret)
    const { tools } = await c.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort())
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-z]+(_[a-z]+)*$/)
      expect(tool.title, tool.name).toBeTruthy()
      expect(tool.description?.length, tool.name).toBeGreaterThan(20)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.outputSchema?.type, tool.name).toBe('object')
      expect(Object.keys(tool.outputSchema?.properties ?? {}).length, tool.name).toBeGreaterThan(0)
      const hints = tool.annotations ?? {}
      expect(typeof hints.readOnlyHint, tool.name).toBe('boolean')
      expect(typeof hints.destructiveHint, tool.name).toBe('boolean')
      expect(typeof hints.idempotentHint, tool.name).toBe('boolean')
      expect(hints.readOnlyHint, tool.name).toBe(READ_TOOLS.includes(tool.name))
      if (hints.readOnlyHint) expect(hints.destructiveHint, tool.name).toBe(false)
    }
    const byName = new Map(tools.map((t) => [t.name, t]))
    // Creating adds without overwriting, and twice makes two tasks.
    expect(byName.get('create_task')?.annotations).toMatchObject({
      destructiveHint: false,
      idempotentHint: false,
    })
    // Updating overwrites fields; the same update twice leaves the same task.
    expect(byName.get('update_task')?.annotations).toMatchObject({
      destructiveHint: true,
      idempotentHint: true,
    })
    expect(byName.get('add_comment')?.annotations).toMatchObject({ idempotentHint: false })
    expect(byName.get('create_task')?.inputSchema.required).toEqual(
      expect.arrayContaining(['project', 'title']),
    )
    expect(byName.get('update_task')?.inputSchema.properties).toHaveProperty('status')
    expect(byName.get('list_tasks')?.inputSchema.properties).toHaveProperty('cursor')
  })

  it('every tool works, with structured content that matches its output schema and a text form', async () => {
    const { user, token } = await userWithToken(app, 'member', { name: 'my agent' })
    const headers = bearer(token.secret)
    const project = await createProject(app, headers, { name: 'Website' })
    await createTask(app, headers, { project: project.key, title: 'Existing task' })
    // The SDK client checks each structuredContent against the tool's outputSchema.
    const c = await client(token.secret)

    const who = await c.callTool({ name: 'whoami', arguments: {} })
    expect(structured<Whoami>(who)).toMatchObject({
      user: { id: user.id, email: user.email },
      token: { id: token.id, name: 'my agent', scopes: ['read', 'write'], expiresAt: null },
      canWrite: true,
      projectRestriction: null,
    })
    expect(textOf(who)).toContain(user.email)
    expect(textOf(who)).toContain('my agent')

    const projects = await c.callTool({ name: 'list_projects', arguments: {} })
    expect(structured<{ projects: Project[] }>(projects).projects.map((p) => p.key)).toEqual([
      project.key,
    ])
    expect(textOf(projects)).toContain(`${project.key}: Website`)

    const created = await c.callTool({
      name: 'create_task',
      arguments: {
        project: project.key,
        title: 'Ship the MCP server',
        description: '## Steps\n\n1. test',
        priority: 'high',
        assignee: 'me',
        dueDate: '2030-05-01',
      },
    })
    const task = structured<{ task: Task }>(created).task
    expect(task).toMatchObject({
      ref: `${project.key}-2`,
      title: 'Ship the MCP server',
      description: '## Steps\n\n1. test',
      status: 'todo',
      priority: 'high',
      assignee: { id: user.id },
      dueDate: '2030-05-01',
    })
    expect(textOf(created)).toContain(`${project.key}-2`)

    const listed = await c.callTool({ name: 'list_tasks', arguments: { project: project.key } })
    expect(structured<TaskPage>(listed).tasks.map((t) => t.ref)).toEqual([
      `${project.key}-2`,
      `${project.key}-1`,
    ])
    expect(textOf(listed)).toContain('Existing task')

    const page = await c.callTool({
      name: 'list_tasks',
      arguments: { project: project.key, limit: 1 },
    })
    const first = structured<TaskPage>(page)
    expect(first.tasks).toHaveLength(1)
    expect(textOf(page)).toContain(first.nextCursor ?? 'no cursor')
    const next = structured<TaskPage>(
      await c.callTool({
        name: 'list_tasks',
        arguments: { project: project.key, limit: 1, cursor: first.nextCursor },
      }),
    )
    expect(next.tasks.map((t) => t.ref)).toEqual([`${project.key}-1`])
    expect(next.nextCursor).toBeNull()

    const mine = structured<TaskPage>(
      await c.callTool({ name: 'list_tasks', arguments: { assignee: 'me', status: 'todo' } }),
    )
    expect(mine.tasks.map((t) => t.id)).toEqual([task.id])

    const found = await c.callTool({ name: 'search_tasks', arguments: { query: 'mcp SERVER' } })
    expect(structured<TaskPage>(found).tasks.map((t) => t.id)).toEqual([task.id])
    const none = await c.callTool({ name: 'search_tasks', arguments: { query: 'nothing like it' } })
    expect(structured<TaskPage>(none).tasks).toEqual([])
    expect(textOf(none)).toMatch(/no tasks/i)

    const updated = await c.callTool({
      name: 'update_task',
      arguments: { ref: task.ref.toLowerCase(), status: 'in_progress', assignee: null },
    })
    expect(structured<{ task: Task }>(updated).task).toMatchObject({
      status: 'in_progress',
      assignee: null,
    })
    expect(textOf(updated)).toContain('in_progress')

    const commented = await c.callTool({
      name: 'add_comment',
      arguments: { ref: task.ref, body: 'Started **now**' },
    })
    expect(structured<{ comment: Comment }>(commented).comment).toMatchObject({
      taskId: task.id,
      author: { id: user.id },
      body: 'Started **now**',
    })

    const got = await c.callTool({ name: 'get_task', arguments: { ref: task.ref } })
    const full = structured<TaskWithComments>(got)
    expect(full.task).toMatchObject({ id: task.id, status: 'in_progress' })
    expect(full.comments.map((x) => x.body)).toEqual(['Started **now**'])
    expect(textOf(got)).toContain('## Steps')
    expect(textOf(got)).toContain('Started **now**')

    const feed = await c.callTool({ name: 'list_activity', arguments: { via: 'mcp' } })
    const entries = structured<{ activity: Activity[]; nextCursor: string | null }>(feed).activity
    expect(entries.map((e) => e.action)).toEqual(['comment.added', 'task.updated', 'task.created'])
    expect(textOf(feed)).toContain('via mcp')
    expect(textOf(feed)).toContain('my agent')
  })

  it('a change made through MCP is in the activity feed with via mcp and the token name', async () => {
    const { user, token } = await userWithToken(app, 'member', { name: 'Claude on laptop' })
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const c = await client(token.secret, 'Api-Token')
    const created = structured<{ task: Task }>(
      await c.callTool({
        name: 'create_task',
        arguments: { project: project.key, title: 'From MCP' },
      }),
    ).task

    const [entry] = await activityOf(app, headers, 'via=mcp')
    expect(entry).toMatchObject({
      action: 'task.created',
      via: 'mcp',
      actor: { id: user.id },
      token: { id: token.id, name: 'Claude on laptop' },
      target: { type: 'task', id: created.id, label: created.ref },
      changes: { title: { before: null, after: 'From MCP' } },
    })
    // REST changes by the same token stay `api`.
    const [rest] = await activityOf(app, headers, 'via=api')
    expect(rest).toMatchObject({ action: 'project.created', via: 'api' })
  })

  it('whoami reports when the token expires', async () => {
    const { session } = await userWithToken(app)
    const expiring = await createToken(app, session, { name: 'week', expiresInDays: 7 })
    const c = await client(expiring.secret)
    const who = structured<Whoami>(await c.callTool({ name: 'whoami', arguments: {} }))
    const expected = (expiring.body.token as { expiresAt: string }).expiresAt
    expect(who.token.expiresAt).not.toBeNull()
    expect(Date.parse(who.token.expiresAt ?? '')).toBe(Date.parse(expected))
  })
})

describe('errors a model can recover from', () => {
  it('an unknown task, an invalid status or a bad argument is a tool result with isError and a helpful message', async () => {
    const { token } = await userWithToken(app)
    const project = await createProject(app, bearer(token.secret))
    const task = await createTask(app, bearer(token.secret), { project: project.key })
    const c = await client(token.secret)

    const missing = await c.callTool({ name: 'get_task', arguments: { ref: `${project.key}-999` } })
    expect(missing.isError).toBe(true)
    expect(textOf(missing)).toMatch(/task not found/i)

    const badStatus = await c.callTool({
      name: 'update_task',
      arguments: { ref: task.ref, status: 'blocked' },
    })
    expect(badStatus.isError).toBe(true)
    expect(textOf(badStatus)).toContain('status')
    for (const allowed of ['todo', 'in_progress', 'done']) {
      expect(textOf(badStatus)).toContain(allowed)
    }

    const noTitle = await c.callTool({ name: 'create_task', arguments: { project: project.key } })
    expect(noTitle.isError).toBe(true)
    expect(textOf(noTitle)).toContain('title')

    const noProject = await c.callTool({
      name: 'create_task',
      arguments: { project: 'NOPE42', title: 'x' },
    })
    expect(noProject.isError).toBe(true)
    expect(textOf(noProject)).toMatch(/project not found/i)

    const stranger = await c.callTool({
      name: 'update_task',
      arguments: { ref: task.ref, assignee: 'ghost@example.test' },
    })
    expect(stranger.isError).toBe(true)
    expect(textOf(stranger)).toContain('ghost@example.test')

    const badCursor = await c.callTool({ name: 'list_tasks', arguments: { cursor: 'garbage' } })
    expect(badCursor.isError).toBe(true)
    expect(textOf(badCursor)).toMatch(/cursor/i)

    // Nothing above changed the task.
    const after = structured<TaskWithComments>(
      await c.callTool({ name: 'get_task', arguments: { ref: task.ref } }),
    )
    expect(after.task).toEqual(task)
  })

  it('an archived project refuses changes with a message that says so', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const project = await createProject(app, headers)
    const task = await createTask(app, headers, { project: project.key })
    await as(app, headers)('PATCH', `/projects/${project.key}`, { archived: true })
    const c = await client(token.secret)
    const res = await c.callTool({ name: 'add_comment', arguments: { ref: task.ref, body: 'hi' } })
    expect(res.isError).toBe(true)
    expect(textOf(res)).toContain('archived')
  })

  it('an unknown tool is a JSON-RPC error', async () => {
    const { token } = await userWithToken(app)
    const c = await client(token.secret)
    const call = c.callTool({ name: 'drop_database', arguments: {} })
    await expect(call).rejects.toBeInstanceOf(McpError)
    await expect(call).rejects.toThrow(/unknown tool/i)
  })
})

describe('scopes', () => {
  it('a read-only token sees no write tools, and calling one is a JSON-RPC error', async () => {
    const { session, token } = await userWithToken(app)
    const project = await createProject(app, bearer(token.secret))
    const task = await createTask(app, bearer(token.secret), { project: project.key })
    const reader = await createToken(app, session, { name: 'reader', scopes: ['read'] })
    const c = await client(reader.secret)

    const { tools } = await c.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS].sort())
    const who = structured<Whoami>(await c.callTool({ name: 'whoami', arguments: {} }))
    expect(who).toMatchObject({ canWrite: false, token: { scopes: ['read'] } })
    expect(textOf(await c.callTool({ name: 'whoami', arguments: {} }))).toContain('read-only')
    structured(await c.callTool({ name: 'get_task', arguments: { ref: task.ref } }))

    for (const [name, args] of [
      ['create_task', { project: project.key, title: 'No' }],
      ['update_task', { ref: task.ref, status: 'done' }],
      ['add_comment', { ref: task.ref, body: 'No' }],
    ] as const) {
      const call = c.callTool({ name, arguments: args })
      await expect(call, name).rejects.toBeInstanceOf(McpError)
      await expect(call, name).rejects.toThrow(/read-only/)
    }
    const unchanged = structured<TaskWithComments>(
      await c.callTool({ name: 'get_task', arguments: { ref: task.ref } }),
    )
    expect(unchanged).toEqual({ task, comments: [] })
  })

  it('a project-restricted token sees and changes only its project', async () => {
    const { session, token } = await userWithToken(app)
    const full = bearer(token.secret)
    const web = await createProject(app, full)
    const ops = await createProject(app, full)
    const webTask = await createTask(app, full, { project: web.key, title: 'Common words' })
    const opsTask = await createTask(app, full, { project: ops.key, title: 'Common words' })
    const limited = await createToken(app, session, {
      name: 'web agent',
      scopes: ['read', 'write', `project:${web.key}`],
    })
    const c = await client(limited.secret)

    expect(structured<Whoami>(await c.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({
      projectRestriction: [web.key],
    })
    const projects = structured<{ projects: Project[] }>(
      await c.callTool({ name: 'list_projects', arguments: { includeArchived: true } }),
    )
    expect(projects.projects.map((p) => p.key)).toEqual([web.key])
    const all = structured<TaskPage>(await c.callTool({ name: 'list_tasks', arguments: {} }))
    expect(all.tasks.map((t) => t.id)).toEqual([webTask.id])
    const search = structured<TaskPage>(
      await c.callTool({ name: 'search_tasks', arguments: { query: 'common' } }),
    )
    expect(search.tasks.map((t) => t.id)).toEqual([webTask.id])
    const other = structured<TaskPage>(
      await c.callTool({ name: 'list_tasks', arguments: { project: ops.key } }),
    )
    expect(other.tasks).toEqual([])

    for (const [name, args] of [
      ['get_task', { ref: opsTask.ref }],
      ['update_task', { ref: opsTask.ref, status: 'done' }],
      ['add_comment', { ref: opsTask.ref, body: 'x' }],
      ['create_task', { project: ops.key, title: 'x' }],
    ] as const) {
      const res = await c.callTool({ name, arguments: args })
      expect(res.isError, name).toBe(true)
      expect(textOf(res), name).toMatch(/not found/i)
    }
    structured(
      await c.callTool({ name: 'create_task', arguments: { project: web.key, title: 'In' } }),
    )
  })
})
