/**
 * `pnpm bench`: authenticated `GET /api/v1/me` with an API token against the unauthenticated
 * `/api/v1/healthz` of the same server, in one run, on PostgreSQL (and the embedded database), and
 * `/healthz` against a bare Fastify route. Prints requests/s, p99 latency, the ratios, how many
 * last-used writes 10,000 token requests caused, MCP tools/call against REST, and MCP resources/read
 * of a task against REST GET /tasks/{ref}.
 *
 * `pnpm bench --scale`: the API on a 10k-task and a 500k-task PostgreSQL database (scale.ts).
 */
import {
  type BenchServer,
  createDatabase,
  type LoadOptions,
  load as loadFor,
  pct,
  startServer,
  type Throughput,
  verdict,
  warm,
} from './lib.js'

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const TARGET_RATIO = 0.7
const TARGET_FLOOR = 0.7

const load = (url: string, options: LoadOptions = {}) =>
  loadFor(url, { connections: CONNECTIONS, seconds: DURATION_S, ...options })

interface Stats {
  rowsWritten: number
  statements: number
}

async function benchOne(label: string, env: Record<string, string>, bare: BenchServer | null) {
  const server = await startServer('./server.ts', env)
  try {
    const { base, ready } = server
    const auth = { authorization: `Bearer ${ready.secret}` }
    const before = await server.ask<Stats>('stats')
    // Warm up both paths (JIT, prepared statements, pool).
    await warm(`${base}/api/v1/healthz`)
    await warm(`${base}/api/v1/me`, { headers: auth })
    const open = await load(`${base}/api/v1/healthz`)
    const authed = await load(`${base}/api/v1/me`, { headers: auth })
    const after = await server.ask<Stats>('stats')
    const writesPer10k = ((after.rowsWritten - before.rowsWritten) / authed.total) * 10_000
    const ratio = authed.rps / open.rps
    const rows: Record<string, { 'req/s': number; 'p99 ms': number }> = {
      'GET /api/v1/healthz (no auth)': { 'req/s': Math.round(open.rps), 'p99 ms': open.p99 },
      'GET /api/v1/me (API token)': { 'req/s': Math.round(authed.rps), 'p99 ms': authed.p99 },
    }
    let floor: number | undefined
    if (bare) {
      await warm(`${bare.base}/healthz`)
      const bareRun = await load(`${bare.base}/healthz`)
      const healthz = await load(`${base}/healthz`)
      rows['GET /healthz (Tessera)'] = { 'req/s': Math.round(healthz.rps), 'p99 ms': healthz.p99 }
      rows['GET /healthz (bare Fastify)'] = {
        'req/s': Math.round(bareRun.rps),
        'p99 ms': bareRun.p99,
      }
      floor = healthz.rps / bareRun.rps
    }
    console.log(`\n${label} (${ready.driver}), ${CONNECTIONS} connections, ${DURATION_S}s each`)
    console.table(rows)
    const judged = ready.driver === 'postgres' ? `: ${verdict(ratio >= TARGET_RATIO)}` : ''
    console.log(
      `ratio token/unauthenticated: ${pct(ratio)} (target >= ${pct(TARGET_RATIO)} on PostgreSQL${judged})`,
    )
    if (floor !== undefined) {
      console.log(
        `ratio /healthz vs bare Fastify: ${pct(floor)} (target >= ${pct(TARGET_FLOOR)}: ${verdict(floor >= TARGET_FLOOR)})`,
      )
    }
    console.log(
      `last-used writes: ${after.rowsWritten - before.rowsWritten} rows in ${after.statements - before.statements} statements for ${authed.total} token requests = ${writesPer10k.toFixed(2)} per 10,000 requests`,
    )
    if (process.env.BENCH_MCP !== '0') await benchMcp(base, auth)
    return ratio
  } finally {
    await server.stop()
  }
}

const TARGET_RESOURCE_READ = 0.8

/** Several runs of one request as one: the mean rate, the worst p99. */
const combined = (runs: Throughput[]) => ({
  rps: runs.reduce((sum, run) => sum + run.rps, 0) / runs.length,
  p99: Math.max(...runs.map((run) => run.p99)),
})

/**
 * MCP through the real endpoint next to the REST route that returns the same data: tools/call,
 * and resources/read of a task (the Markdown a user attaches to a chat) against GET /tasks/{ref}.
 */
async function benchMcp(base: string, auth: Record<string, string>) {
  const mcpHeaders = {
    ...auth,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  }
  const rpc = (method: string, params: Record<string, unknown>) =>
    JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  const call = (name: string, args: Record<string, unknown>) =>
    rpc('tools/call', { name, arguments: args })
  const cases = [
    {
      label: 'whoami',
      mcp: 'tools/call whoami',
      rest: `${base}/api/v1/me`,
      body: call('whoami', {}),
    },
    {
      label: 'list_tasks',
      mcp: 'tools/call list_tasks',
      rest: `${base}/api/v1/tasks?project=BENCH&limit=25`,
      body: call('list_tasks', { project: 'BENCH', limit: 25 }),
    },
    {
      label: 'task BENCH-1',
      mcp: 'resources/read task BENCH-1',
      rest: `${base}/api/v1/tasks/BENCH-1`,
      body: rpc('resources/read', { uri: 'tessera://tasks/BENCH-1' }),
    },
  ]
  const post = { headers: mcpHeaders, method: 'POST' as const }
  const rows: Record<string, { 'req/s': number; 'p99 ms': number; 'vs REST': string }> = {}
  const ratios: Record<string, number> = {}
  for (const c of cases) {
    await warm(c.rest, { headers: auth })
    await warm(`${base}/api/v1/mcp`, { ...post, body: c.body })
    // REST and MCP in turns, a third of the time each turn, so that a change in the machine's
    // load during the run (other processes, the database) weighs on both alike.
    const turns = { rest: [] as Throughput[], mcp: [] as Throughput[] }
    for (let turn = 0; turn < 3; turn++) {
      const seconds = Math.max(1, Math.round(DURATION_S / 3))
      turns.rest.push(await load(c.rest, { headers: auth, seconds }))
      turns.mcp.push(await load(`${base}/api/v1/mcp`, { ...post, body: c.body, seconds }))
    }
    const rest = combined(turns.rest)
    const mcp = combined(turns.mcp)
    ratios[c.label] = mcp.rps / rest.rps
    rows[`REST for ${c.label}`] = {
      'req/s': Math.round(rest.rps),
      'p99 ms': rest.p99,
      'vs REST': '100%',
    }
    rows[`MCP ${c.mcp}`] = {
      'req/s': Math.round(mcp.rps),
      'p99 ms': mcp.p99,
      'vs REST': pct(mcp.rps / rest.rps),
    }
  }
  console.table(rows)
  console.log('MCP target: tools/call at least 25% of the REST route returning the same data')
  const read = ratios['task BENCH-1'] ?? 0
  console.log(
    `ratio MCP resources/read task / REST GET /api/v1/tasks/{ref}: ${pct(read)} (target >= ${pct(TARGET_RESOURCE_READ)}: ${verdict(read >= TARGET_RESOURCE_READ)})`,
  )
}

if (process.argv.includes('--scale')) {
  const { runScale } = await import('./scale.js')
  await runScale()
} else {
  const db = await createDatabase('quick')
  const bare = await startServer('./bare-server.ts')
  try {
    await benchOne('PostgreSQL', { BENCH_DATABASE_URL: db.url }, bare)
    if (process.env.BENCH_PGLITE !== '0') {
      await benchOne('Embedded', { BENCH_DATABASE_URL: '' }, null)
    }
  } finally {
    await bare.stop()
    await db.drop()
  }
}
