/**
 * The server side of the benchmark: a real Tessera API on a loopback port, in its own process so
 * the load generator does not share its event loop. Talks to the parent over IPC.
 *
 * BENCH_SEED=demo (default) creates a user, a token and a project of 30 tasks (the first with
 * three comments) through the services; BENCH_SEED=none serves a database the parent has filled
 * (`pnpm bench --scale`).
 */
import { buildApp } from '../src/app.js'
import type { DatabaseConfig } from '../src/db/client.js'
import { createProject } from '../src/services/projects/create.js'
import { addComment } from '../src/services/tasks/comment.js'
import { createTask } from '../src/services/tasks/create.js'
import { createToken } from '../src/services/tokens/create.js'
import { createUserAsSystem } from '../src/services/users/create.js'

const databaseUrl = process.env.BENCH_DATABASE_URL
const database: DatabaseConfig = databaseUrl
  ? { driver: 'postgres', url: databaseUrl }
  : { driver: 'pglite' }

const app = await buildApp({ database, consoleDir: false, logger: false })

async function seedDemo() {
  const user = await createUserAsSystem(
    app.db,
    {
      email: `bench-${process.pid}@example.test`,
      name: 'Bench',
      password: 'bench-password-123',
      role: 'member',
    },
    { via: 'cli' },
  )
  if (!user) throw new Error('no user')
  const ctx = { db: app.db, actor: { user, via: 'cli' as const, token: null } }
  const { secret } = await createToken({ ctx, input: { name: 'bench' } })
  // Some workspace data for the list_tasks case.
  const project = await createProject({
    ctx,
    input: { key: 'BENCH', name: 'Bench', description: '' },
  })
  for (let i = 1; i <= 30; i++) {
    const task = await createTask({
      ctx,
      input: {
        project: project.key,
        title: `Task ${i}`,
        description: 'Some **Markdown**',
        status: 'todo',
        priority: 'none',
      },
    })
    // The first task (BENCH-1) has a discussion, for resources/read and GET /tasks/{ref}.
    if (i === 1) {
      for (const body of ['Seen on Safari too.', 'Fixed in **#42**?', 'Not yet: see the logs.']) {
        await addComment({ ctx, input: { ref: task.ref, body } })
      }
    }
  }
  return secret
}

const secret = process.env.BENCH_SEED === 'none' ? undefined : await seedDemo()
await app.listen({ port: 0, host: '127.0.0.1' })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0

process.on('message', async (message: { type: string }) => {
  if (message.type === 'cpu') process.send?.({ type: 'cpu', ...process.cpuUsage() })
  if (message.type === 'stats') {
    await app.lastUsed.flush()
    process.send?.({
      type: 'stats',
      rowsWritten: app.lastUsed.rowsWritten,
      statements: app.lastUsed.statements,
    })
  }
  if (message.type === 'stop') {
    await app.close()
    process.exit(0)
  }
})
process.send?.({ type: 'ready', port, secret, driver: app.database.driver })
