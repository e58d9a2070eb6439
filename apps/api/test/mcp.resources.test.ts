import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, userWithToken } from './helper.js'
import {
  clientPool,
  expectProtocolError,
  newestFirst,
  type OwnerWorkspace,
  ownerWorkspace,
  type Task,
} from './mcp.context.fixtures.js'
import { listen, mcpPath } from './mcp.fixtures.js'
import { createProject, createTask } from './workspace.fixtures.js'

let app: App
let url: string
const pool = clientPool(() => url)
let ws: OwnerWorkspace
beforeAll(async () => {
  app = await buildTestApp()
  url = `${await listen(app)}${mcpPath}`
  ws = await ownerWorkspace(app)
})
afterEach(() => pool.closeAll())
afterAll(async () => {
  await pool.closeAll()
  await app?.close()
})

type Listed = Awaited<ReturnType<Awaited<ReturnType<typeof pool.client>>['listResources']>>

/** Every page of resources/list, following nextCursor. */
async function listAll(secret: string) {
  const c = await pool.client(secret)
  const pages: Listed[] = []
  let cursor: string | undefined
  do {
    const page = await c.listResources(cursor ? { cursor } : {})
    pages.push(page)
    cursor = page.nextCursor
  } while (cursor && pages.length < 20)
  return { pages, uris: pages.flatMap((p) => p.resources.map((r) => r.uri)) }
}

const projectUri = (key: string) => `tessera://projects/${key}`
const taskUri = (ref: string) => `tessera://tasks/${ref}`

describe('resources, happy paths', () => {
  it('the server announces resources, prompts and completions, with its icon and website', async () => {
    const c = await pool.client(ws.tokens.reader)
    expect(c.getServerCapabilities()).toMatchObject({
      tools: {},
      resources: {},
      prompts: {},
      completions: {},
    })
    expect(c.getServerCapabilities()?.logging).toBeUndefined()
    const info = c.getServerVersion()
    expect(info?.icons?.[0]).toMatchObject({ mimeType: 'image/svg+xml' })
    expect(info?.icons?.[0]?.src).toMatch(/^data:image\/svg\+xml;base64,/)
    expect(info?.websiteUrl).toBe(`${new URL(url).origin}/`)
    const instructions = c.getInstructions() ?? ''
    for (const word of [
      'tessera://projects/',
      'tessera://tasks/',
      'standup',
      'triage',
      'work_on_task',
    ]) {
      expect(instructions).toContain(word)
    }
  })

  it('resources/list gives the projects by key, then the tasks newest first, each with a title and Markdown type', async () => {
    const { pages, uris } = await listAll(ws.tokens.full)
    expect(pages).toHaveLength(1)
    const [firstKey, secondKey] = [ws.web.key, ws.ops.key].sort()
    const { login, untriaged, shipped, deploy } = ws.tasks
    expect(uris).toEqual([
      projectUri(firstKey as string),
      projectUri(secondKey as string),
      ...newestFirst([login, untriaged, shipped, deploy]).map((t) => taskUri(t.ref)),
    ])
    const byUri = new Map(pages[0]?.resources.map((r) => [r.uri, r]))
    expect(byUri.get(projectUri(ws.web.key))).toMatchObject({
      name: ws.web.key,
      title: `${ws.web.key}: Website`,
      description: 'The public site',
      mimeType: 'text/markdown',
    })
    expect(byUri.get(taskUri(login.ref))).toMatchObject({
      name: login.ref,
      title: `${login.ref}: Fix login redirect`,
      mimeType: 'text/markdown',
      annotations: { lastModified: login.updatedAt },
    })
    expect(byUri.get(taskUri(login.ref))?.description).toContain('assigned to')
  })

  it('a read-only token lists and reads the same resources as a read + write token', async () => {
    const full = await listAll(ws.tokens.full)
    const read = await listAll(ws.tokens.reader)
    expect(read.uris).toEqual(full.uris)
    const c = await pool.client(ws.tokens.reader)
    const { contents } = await c.readResource({ uri: taskUri(ws.tasks.login.ref) })
    expect(contents[0]?.uri).toBe(taskUri(ws.tasks.login.ref))
  })

  it('resources/list pages through a big workspace, 50 at a time, with no resource twice', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const projects = [await createProject(app, headers), await createProject(app, headers)]
    const tasks: Task[] = []
    for (let i = 0; i < 55; i++) {
      const project = projects[i % 2]?.key as string
      tasks.push(await createTask(app, headers, { project, title: `Task ${i}` }))
    }
    const { pages, uris } = await listAll(token.secret)
    expect(pages.map((p) => p.resources.length)).toEqual([50, 7])
    expect(pages[0]?.nextCursor).toBeTruthy()
    expect(pages[1]?.nextCursor).toBeUndefined()
    expect(uris).toEqual([
      ...projects
        .map((p) => p.key)
        .sort()
        .map(projectUri),
      ...newestFirst(tasks).map((t) => taskUri(t.ref)),
    ])
  })

  it('resources/list pages through more projects than one answer holds, then their tasks', async () => {
    const { token } = await userWithToken(app)
    const headers = bearer(token.secret)
    const keys: string[] = []
    for (let i = 0; i < 51; i++) keys.push((await createProject(app, headers)).key)
    const tasks = newestFirst([
      await createTask(app, headers, { project: keys[0] as string }),
      await createTask(app, headers, { project: keys[1] as string }),
    ])
    const { pages, uris } = await listAll(token.secret)
    expect(pages.map((p) => p.resources.length)).toEqual([50, 3])
    expect(uris).toEqual([...keys.sort().map(projectUri), ...tasks.map((t) => taskUri(t.ref))])
  })

  it('resources/templates/list gives the project and task templates', async () => {
    const c = await pool.client(ws.tokens.reader)
    const { resourceTemplates } = await c.listResourceTemplates()
    expect(resourceTemplates).toEqual([
      expect.objectContaining({
        uriTemplate: 'tessera://projects/{key}',
        name: 'project',
        mimeType: 'text/markdown',
      }),
      expect.objectContaining({
        uriTemplate: 'tessera://tasks/{ref}',
        name: 'task',
        mimeType: 'text/markdown',
      }),
    ])
    for (const template of resourceTemplates) {
      expect(template.title).toBeTruthy()
      expect(template.description?.length).toBeGreaterThan(20)
    }
  })

  it('resources/read of a task: Markdown with its fields, description and comments', async () => {
    const c = await pool.client(ws.tokens.full)
    const { login } = ws.tasks
    // Scheme, host and reference in any case name the same task.
    const { contents } = await c.readResource({
      uri: `TESSERA://tasks/${login.ref.toLowerCase()}`,
    })
    expect(contents).toHaveLength(1)
    const [content] = contents
    expect(content).toMatchObject({ uri: taskUri(login.ref), mimeType: 'text/markdown' })
    const text = (content as { text: string }).text
    expect(text.split('\n')[0]).toBe(`# ${login.ref}: Fix login redirect`)
    expect(text).toContain(`**Project:** Website (${ws.web.key}`)
    expect(text).toContain('**Status:** to do (`todo`)')
    expect(text).toContain('**Priority:** high')
    expect(text).toContain(`**Assignee:** Test member <${ws.owner.email}>`)
    expect(text).toContain('**Due:** 2030-05-01')
    expect(text).toContain('## Steps\n\n1. Reproduce on Safari')
    expect(text).toContain('## Comments (1, oldest first)')
    expect(text).toContain('Seen on **Safari** 17')
  })

  it('resources/read of a project: a summary with its open tasks, not the done ones', async () => {
    const c = await pool.client(ws.tokens.full)
    const { contents } = await c.readResource({ uri: projectUri(ws.web.key) })
    const [content] = contents
    expect(content).toMatchObject({ uri: projectUri(ws.web.key), mimeType: 'text/markdown' })
    const text = (content as { text: string }).text
    expect(text.split('\n')[0]).toBe(`# ${ws.web.key}: Website`)
    expect(text).toContain('The public site')
    expect(text).toContain('**Your role:** owner')
    const todo = text.slice(text.indexOf('## To do'))
    expect(todo).toContain(
      `[${ws.tasks.login.ref}](${taskUri(ws.tasks.login.ref)}) Fix login redirect`,
    )
    expect(todo).toContain(ws.tasks.untriaged.ref)
    expect(text).toContain('_Nothing in progress._')
    expect(text).not.toContain(ws.tasks.shipped.ref)
    expect(text).not.toContain(ws.tasks.deploy.ref)
  })
})

describe('tools beside them', () => {
  it('every tool has a title, and every list tool pages with a cursor and says so', async () => {
    for (const secret of [ws.tokens.full, ws.tokens.reader]) {
      const { tools } = await (await pool.client(secret)).listTools()
      for (const tool of tools) {
        expect(tool.title, tool.name).toBeTruthy()
        expect(tool.annotations?.title, tool.name).toBe(tool.title)
        if (tool.name.startsWith('list_') || tool.name.startsWith('search_')) {
          expect(tool.inputSchema.properties, tool.name).toHaveProperty('cursor')
          expect(tool.inputSchema.properties, tool.name).toHaveProperty('limit')
          expect(tool.description, tool.name).toContain('`nextCursor` as `cursor`')
        }
      }
    }
  })

  it('list_projects pages by key', async () => {
    const c = await pool.client(ws.tokens.full)
    const keys: string[] = []
    let cursor: string | undefined
    for (let i = 0; i < 5; i++) {
      const result = await c.callTool({
        name: 'list_projects',
        arguments: cursor ? { limit: 1, cursor } : { limit: 1 },
      })
      const page = result.structuredContent as {
        projects: { key: string }[]
        nextCursor: string | null
      }
      keys.push(...page.projects.map((p) => p.key))
      if (!page.nextCursor) break
      expect(JSON.stringify(result.content)).toContain(page.nextCursor)
      cursor = page.nextCursor
    }
    expect(keys).toEqual([ws.web.key, ws.ops.key].sort())
  })
})

describe('resources, security', () => {
  it('a project-restricted token lists and reads only its project', async () => {
    const { uris } = await listAll(ws.tokens.restricted)
    const { login, untriaged, shipped, deploy } = ws.tasks
    expect(uris).toEqual([
      projectUri(ws.web.key),
      ...newestFirst([login, untriaged, shipped]).map((t) => taskUri(t.ref)),
    ])
    const c = await pool.client(ws.tokens.restricted)
    await c.readResource({ uri: taskUri(login.ref) })
    await c.readResource({ uri: projectUri(ws.web.key) })
    await expectProtocolError(
      c.readResource({ uri: projectUri(ws.ops.key) }),
      ErrorCode.InvalidParams,
      /Resource not found: tessera:\/\/projects\/.*cannot see it/,
    )
    await expectProtocolError(
      c.readResource({ uri: taskUri(deploy.ref) }),
      ErrorCode.InvalidParams,
      /Resource not found/,
    )
  })

  it("another user's token sees nothing of the first user's private projects", async () => {
    const { uris } = await listAll(ws.tokens.stranger)
    expect(uris).toEqual([projectUri(ws.theirs.key), taskUri(ws.tasks.theirTask.ref)])
    const c = await pool.client(ws.tokens.stranger)
    for (const uri of [
      projectUri(ws.web.key),
      projectUri(ws.ops.key),
      taskUri(ws.tasks.login.ref),
      taskUri(ws.tasks.deploy.ref),
    ]) {
      const error = await expectProtocolError(
        c.readResource({ uri }),
        ErrorCode.InvalidParams,
        /Resource not found/,
      )
      // Nothing of the task or project leaks into the error.
      expect(error.message).not.toMatch(/Website|Fix login|Operations/)
    }
    // And the owner cannot read the stranger's.
    const owner = await pool.client(ws.tokens.full)
    await expectProtocolError(
      owner.readResource({ uri: taskUri(ws.tasks.theirTask.ref) }),
      ErrorCode.InvalidParams,
      /Resource not found/,
    )
  })
})

describe('resources, errors', () => {
  it('an unknown URI, a malformed reference or a bad cursor is Invalid Params with a clear message', async () => {
    const c = await pool.client(ws.tokens.full)
    for (const uri of [
      'https://example.com/WEB-1',
      'tessera://users/me',
      'tessera://tasks/not a ref',
      'tessera://tasks/WEB',
      'tessera://projects/W',
      'tessera://projects/WEB/extra',
      'tessera://tasks/%E0%A4%A',
      `tessera://tasks/${'x'.repeat(5000)}`,
    ]) {
      const error = await expectProtocolError(
        c.readResource({ uri }),
        ErrorCode.InvalidParams,
        /Unknown resource URI: .*tessera:\/\/projects\/\{key\}.*tessera:\/\/tasks\/\{ref\}/,
      )
      expect(error.message.length, uri).toBeLessThan(600)
    }
    await expectProtocolError(
      c.readResource({ uri: taskUri(`${ws.web.key}-999`) }),
      ErrorCode.InvalidParams,
      /Resource not found: tessera:\/\/tasks\/.*-999/,
    )
    for (const cursor of [
      'garbage',
      Buffer.from('t:***').toString('base64url'),
      Buffer.from('p:x').toString('base64url'),
    ]) {
      await expectProtocolError(
        c.listResources({ cursor }),
        ErrorCode.InvalidParams,
        /cursor is not valid/,
      )
    }
  })

  it('errors are JSON-RPC errors in a 200 answer, never a 5xx', async () => {
    const post = (method: string, params: Record<string, unknown>) =>
      fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ws.tokens.full}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
      })
    for (const [method, params] of [
      ['resources/read', { uri: 'tessera://nothing/here' }],
      ['resources/read', { uri: taskUri(`${ws.web.key}-999`) }],
      ['resources/read', {}],
      ['resources/list', { cursor: 'garbage' }],
    ] as const) {
      const res = await post(method, params)
      expect(res.status, method).toBe(200)
      const body = (await res.json()) as { id: number; error: { code: number; message: string } }
      expect(body, JSON.stringify(params)).toMatchObject({ id: 7, error: { code: -32602 } })
      // The message is the server's own, without an "MCP error" prefix to unwrap.
      expect(body.error.message).not.toMatch(/^MCP error/)
    }
  })
})
