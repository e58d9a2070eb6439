import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import { bearer, buildTestApp, userWithToken } from './helper.js'

let app: App
let base: string
beforeAll(async () => {
  app = await buildTestApp()
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
afterAll(async () => {
  await app.close()
})

describe('mcp smoke', () => {
  it('lists and calls tools', async () => {
    const { token } = await userWithToken(app)
    const key = `M${Math.random().toString(36).slice(2, 7).toUpperCase()}`
    await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(token.secret),
      payload: { key, name: 'Web' },
    })
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/api/v1/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token.secret}` } },
      }),
    )
    expect(client.getServerVersion()?.name).toBe('tessera')
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toContain('create_task')
    const who = await client.callTool({ name: 'whoami', arguments: {} })
    expect(who.isError).toBeFalsy()
    const created = await client.callTool({
      name: 'create_task',
      arguments: { project: key, title: 'From MCP' },
    })
    expect(created.isError, JSON.stringify(created)).toBeFalsy()
    expect((created.structuredContent as { task: { ref: string } }).task.ref).toBe(`${key}-1`)
    const missing = await client.callTool({ name: 'get_task', arguments: { ref: `${key}-99` } })
    expect(missing.isError).toBe(true)
    const list = await client.callTool({ name: 'list_tasks', arguments: { project: key } })
    expect(list.isError, JSON.stringify(list)).toBeFalsy()
    const act = await client.callTool({ name: 'list_activity', arguments: { via: 'mcp' } })
    expect(
      (act.structuredContent as { activity: { action: string; token: { name: string } }[] })
        .activity[0],
    ).toMatchObject({ action: 'task.created', token: { name: 'test token' } })
    await client.close()
  })
})
