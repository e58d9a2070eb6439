import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js'
import { describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { Activity, Task, TaskWithComments } from '../src/contract/index.js'
import { bearer, buildTestApp, openTestDatabase, TEST_DB, userWithToken } from './helper.js'
import { connect, listen, mcpPath, structured } from './mcp.fixtures.js'
import { createProject } from './workspace.fixtures.js'

/**
 * Two API instances on one database, each listening on its own loopback port. On PostgreSQL each
 * has its own connection pool, as two processes would; an in-memory PGlite cannot be opened twice,
 * so there both share one handle, which still proves neither keeps MCP state of its own.
 */
async function withTwoInstances(run: (a: App, b: App) => Promise<void>) {
  const handle = TEST_DB === 'pglite' ? await openTestDatabase() : undefined
  const a = await buildTestApp(handle ? { database: handle } : {})
  const b = await buildTestApp(handle ? { database: handle } : {})
  try {
    await run(a, b)
  } finally {
    await Promise.all([a.close(), b.close()])
    await handle?.close()
  }
}

describe('MCP on two API instances behind round-robin', () => {
  it('one client whose requests alternate between the instances works from initialize on', async () => {
    await withTwoInstances(async (a, b) => {
      const ports = [new URL(await listen(a)).port, new URL(await listen(b)).port]
      expect(ports[0]).not.toBe(ports[1])
      const { token } = await userWithToken(a, 'member', { name: 'balanced' })
      const project = await createProject(a, bearer(token.secret))

      // What a load balancer does: every HTTP request goes to the next instance in turn.
      const served: string[] = []
      let next = 0
      const roundRobin: FetchLike = (input, init) => {
        const target = new URL(String(input))
        target.port = ports[next++ % 2] ?? ''
        served.push(target.port)
        return fetch(target, init)
      }
      const client = await connect(
        `http://127.0.0.1:${ports[0]}${mcpPath}`,
        `Bearer ${token.secret}`,
        { fetch: roundRobin },
      )
      try {
        expect(client.getServerVersion()?.name).toBe('tessera')
        const { tools } = await client.listTools()
        expect(tools).toHaveLength(9)

        const created = structured<{ task: Task }>(
          await client.callTool({
            name: 'create_task',
            arguments: { project: project.key, title: 'Balanced' },
          }),
        ).task
        // Each following call lands on the other instance than the one before it.
        for (let i = 0; i < 3; i++) {
          structured(
            await client.callTool({
              name: 'update_task',
              arguments: { ref: created.ref, title: `Balanced ${i}` },
            }),
          )
          const got = structured<TaskWithComments>(
            await client.callTool({ name: 'get_task', arguments: { ref: created.ref } }),
          )
          expect(got.task.title).toBe(`Balanced ${i}`)
        }
        structured(
          await client.callTool({
            name: 'add_comment',
            arguments: { ref: created.ref, body: 'ok' },
          }),
        )
        const listed = structured<{ tasks: Task[] }>(
          await client.callTool({ name: 'list_tasks', arguments: { project: project.key } }),
        )
        expect(listed.tasks.map((t) => t.id)).toEqual([created.id])
        const feed = structured<{ activity: Activity[] }>(
          await client.callTool({ name: 'list_activity', arguments: { via: 'mcp' } }),
        )
        expect(feed.activity).toHaveLength(5)
        for (const entry of feed.activity) {
          expect(entry).toMatchObject({ via: 'mcp', token: { id: token.id, name: 'balanced' } })
        }
      } finally {
        await client.close()
      }
      // initialize, the initialized notification, tools/list and 10 tool calls at least, spread
      // evenly over both instances.
      expect(served.length).toBeGreaterThanOrEqual(13)
      const perInstance = ports.map((port) => served.filter((p) => p === port).length)
      expect(Math.abs((perInstance[0] ?? 0) - (perInstance[1] ?? 0))).toBeLessThanOrEqual(1)
    })
  })
})
