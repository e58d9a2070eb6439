/**
 * `pnpm bench`: authenticated `GET /api/v1/me` with an API token against the unauthenticated
 * `/api/v1/healthz` of the same server, in one run, on PostgreSQL (and the embedded database), and
 * `/healthz` against a bare Fastify route. Prints requests/s, p99 latency, the ratios, how many
 * last-used writes 10,000 token requests caused, and MCP tools/call against REST.
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

/** MCP tools/call through the real endpoint next to the REST route that returns the same data. */
async function benchMcp(base: string, auth: Record<string, string>) {
  const mcpHeaders = {
    ...auth,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  }
  const call = (name: string, args: Record<string, unknown>) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    })
  const cases = [
    { label: 'whoami', rest: `${base}/api/v1/me`, body: call('whoami', {}) },
    {
      label: 'list_tasks',
      rest: `${base}/api/v1/tasks?project=BENCH&limit=25`,
      body: call('list_tasks', { project: 'BENCH', limit: 25 }),
    },
  ]
  const post = { headers: mcpHeaders, method: 'POST' as const }
  const rows: Record<string, { 'req/s': number; 'p99 ms': number; 'vs REST': string }> = {}
  for (const c of cases) {
    await warm(`${base}/api/v1/mcp`, { ...post, body: c.body })
    const rest = await load(c.rest, { headers: auth })
    const mcp = await load(`${base}/api/v1/mcp`, { ...post, body: c.body })
    rows[`REST for ${c.label}`] = {
      'req/s': Math.round(rest.rps),
      'p99 ms': rest.p99,
      'vs REST': '100%',
    }
    rows[`MCP tools/call ${c.label}`] = {
      'req/s': Math.round(mcp.rps),
      'p99 ms': mcp.p99,
      'vs REST': pct(mcp.rps / rest.rps),
    }
  }
  console.table(rows)
  console.log('MCP target: tools/call at least 25% of the REST route returning the same data')
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
