/** Profiling aid: `node --import tsx --cpu-prof bench/profile-server.ts` then load it by hand. */
import { writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.js'
import { createProject } from '../src/services/projects/create.js'
import { createTask } from '../src/services/tasks/create.js'
import { createToken } from '../src/services/tokens/create.js'
import { createUserAsSystem } from '../src/services/users/create.js'

const url = process.env.BENCH_DATABASE_URL
const app = await buildApp({
  database: url ? { driver: 'postgres', url } : { driver: 'pglite' },
  consoleDir: false,
  logger: false,
})
const user = await createUserAsSystem(
  app.db,
  {
    email: `p-${process.pid}@example.test`,
    name: 'P',
    password: 'bench-password-123',
    role: 'member',
  },
  { via: 'cli' },
)
if (!user) throw new Error('no user')
const ctx = { db: app.db, actor: { user, via: 'cli' as const, token: null } }
const key = `P${process.pid}`.slice(0, 8)
await createProject({ ctx, input: { key, name: 'P', description: '' } })
for (let i = 0; i < 30; i++) {
  await createTask({
    ctx,
    input: { project: key, title: `T${i}`, description: 'x', status: 'todo', priority: 'none' },
  })
}
const { secret } = await createToken({ ctx, input: { name: 'p' } })
writeFileSync('/tmp/prof-secret', `${secret}\n${key}`)
await app.listen({ port: Number(process.env.PORT ?? 3998), host: '127.0.0.1' })
setTimeout(
  async () => {
    await app.close()
    process.exit(0)
  },
  Number(process.env.PROFILE_SECONDS ?? 15) * 1000,
)
