import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity } from '../src/contract/index.js'
import { bearer, buildTestApp, createToken, userWithToken } from './helper.js'
import { connect, listen, mcpPath, structured, textOf } from './mcp.fixtures.js'
import { as, createProject, createTask, expectStatus, uniqueKey } from './workspace.fixtures.js'

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

async function client(secret: string) {
  const c = await connect(url, `Bearer ${secret}`)
  clients.push(c)
  await c.listTools()
  return c
}

type Feed = { activity: Activity[]; nextCursor: string | null }

async function listActivity(c: Client, args: Record<string, unknown>) {
  return structured<Feed>(await c.callTool({ name: 'list_activity', arguments: args }))
}

/** A member whose agent (an MCP client with its own token) works on a task they created. */
async function agentAtWork() {
  const owner = await userWithToken(app, 'member', { name: 'deploy script' })
  const agentToken = await createToken(app, owner.session, { name: 'Cursor on laptop' })
  const project = await createProject(app, owner.session.headers)
  const task = await createTask(app, owner.session.headers, { project: project.key })
  const agent = await client(agentToken.secret)
  structured(
    await agent.callTool({ name: 'update_task', arguments: { ref: task.ref, priority: 'high' } }),
  )
  structured(
    await agent.callTool({ name: 'add_comment', arguments: { ref: task.ref, body: 'On it' } }),
  )
  expectStatus(
    await as(app, bearer(owner.token.secret))('PATCH', `/tasks/${task.ref}`, { status: 'done' }),
    200,
  )
  return { owner, agentToken, agent, project, task }
}

describe('MCP list_activity filters', () => {
  it("a task's history names who did what, through which channel and with which token", async () => {
    const { agent, agentToken, task } = await agentAtWork()
    const result = await agent.callTool({ name: 'list_activity', arguments: { task: task.ref } })
    const { activity } = structured<Feed>(result)
    expect(activity.map((e) => [e.action, e.via, e.token?.name ?? null])).toEqual([
      ['task.status_changed', 'api', 'deploy script'],
      ['comment.added', 'mcp', 'Cursor on laptop'],
      ['task.updated', 'mcp', 'Cursor on laptop'],
      ['task.created', 'web', null],
    ])
    expect(activity[1]?.token?.id).toBe(agentToken.id)
    expect(textOf(result)).toContain('via mcp (token "Cursor on laptop")')
    // The task itself tells which comments an agent wrote, in its text and as a resource.
    const got = await agent.callTool({ name: 'get_task', arguments: { ref: task.ref } })
    expect(textOf(got)).toContain('via MCP with token "Cursor on laptop"): On it')
    const resource = await agent.readResource({ uri: `tessera://tasks/${task.ref}` })
    const markdown = (resource.contents[0] as { text: string }).text
    expect(markdown).toMatch(/^### .+, via MCP with token "Cursor on laptop"$/m)
  })

  it('"mine", one token, a project, a person and a channel, alone and together', async () => {
    const { owner, agent, agentToken, project, task } = await agentAtWork()
    const other = await createProject(app, owner.session.headers)
    const elsewhere = await createTask(app, bearer(owner.token.secret), { project: other.key })

    const mine = await listActivity(agent, { token: 'mine' })
    expect(mine.activity.map((e) => [e.action, e.target.id])).toEqual([
      ['task.created', elsewhere.id],
      ['task.status_changed', task.id],
      ['comment.added', task.id],
      ['task.updated', task.id],
    ])
    const one = await listActivity(agent, { token: agentToken.id })
    expect(one.activity.map((e) => e.action)).toEqual(['comment.added', 'task.updated'])
    const inProject = await listActivity(agent, { project: project.key, via: 'api' })
    expect(inProject.activity.map((e) => e.action)).toEqual(['task.status_changed'])
    const meInOther = await listActivity(agent, { actor: 'me', project: other.key })
    expect(meInOther.activity.map((e) => e.action)).toEqual(['task.created', 'project.created'])
    expect(
      (await listActivity(agent, { actor: owner.user.id, token: 'mine', limit: 1 })).nextCursor,
    ).not.toBeNull()
  })

  it('a project-restricted token reads only its project, whatever it names', async () => {
    const { owner, project, task } = await agentAtWork()
    const other = await createProject(app, owner.session.headers, { key: uniqueKey('O') })
    const hidden = await createTask(app, owner.session.headers, { project: other.key })
    const limited = await createToken(app, owner.session, {
      name: 'one project',
      scopes: ['read', `project:${project.key}`],
    })
    const c = await client(limited.secret)
    const mine = await listActivity(c, { token: 'mine', limit: 100 })
    expect(new Set(mine.activity.map((e) => e.target.id))).toEqual(new Set([task.id]))
    for (const args of [{ project: other.key }, { task: hidden.ref }]) {
      const res = await c.callTool({ name: 'list_activity', arguments: args })
      expect(res.isError, JSON.stringify(args)).toBe(true)
      expect(textOf(res)).toMatch(/not found/i)
      expect(JSON.stringify(res)).not.toContain(hidden.id)
    }
  })

  it('a filter that cannot be one is a tool error naming it', async () => {
    const { agent } = await agentAtWork()
    for (const [name, value] of [
      ['via', 'pigeon'],
      ['token', 'everything'],
      ['task', 'not a ref'],
      ['project', 'W'],
      ['actor', 'someone'],
    ] as const) {
      const res = await agent.callTool({ name: 'list_activity', arguments: { [name]: value } })
      expect(res.isError, name).toBe(true)
      expect(textOf(res), name).toContain(name)
    }
  })

  it('the tool describes its filters', async () => {
    const { agent } = await agentAtWork()
    const { tools } = await agent.listTools()
    const tool = tools.find((t) => t.name === 'list_activity')
    expect(Object.keys(tool?.inputSchema.properties ?? {}).sort()).toEqual(
      ['actor', 'cursor', 'limit', 'project', 'task', 'token', 'via'].sort(),
    )
    expect(tool?.description).toContain('mine')
  })
})
