/**
 * `pnpm bench`: authenticated `GET /api/v1/me` with an API token against an unauthenticated route
 * of the same server, in one run, on PostgreSQL (and the embedded database). Prints requests/s,
 * p99 latency, the ratio, and how many last-used writes 10,000 token requests caused.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import postgres from 'postgres'

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const TARGET_RATIO = 0.7

interface Ready {
  type: 'ready'
  port: number
  secret: string
  driver: string
}

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.once('message', (m: Ready) => resolve({ child, ready: m }))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m: T) => resolve(m))
    child.send({ type })
  })
}

async function load(url: string, headers: Record<string, string> = {}, body?: string) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers,
    pipelining: 1,
    ...(body ? { method: 'POST' as const, body } : {}),
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`)
  }
  return { rps: result.requests.average, p99: result.latency.p99, total: result.requests.total }
}

async function benchOne(label: string, env: Record<string, string>) {
  const { child, ready } = await startServer(env)
  try {
    const base = `http://127.0.0.1:${ready.port}`
    const auth = { authorization: `Bearer ${ready.secret}` }
    const before = await ask<{ rowsWritten: number; statements: number }>(child, 'stats')
    // Warm up both paths (JIT, prepared statements, pool).
    await autocannon({ url: `${base}/api/v1/healthz`, connections: 8, duration: 2 })
    await autocannon({ url: `${base}/api/v1/me`, connections: 8, duration: 2, headers: auth })
    const open = await load(`${base}/api/v1/healthz`)
    const authed = await load(`${base}/api/v1/me`, auth)
    const after = await ask<{ rowsWritten: number; statements: number }>(child, 'stats')
    const writesPer10k = ((after.rowsWritten - before.rowsWritten) / authed.total) * 10_000
    const ratio = authed.rps / open.rps
    console.log(`\n${label} (${ready.driver}), ${CONNECTIONS} connections, ${DURATION_S}s each`)
    console.table({
      'GET /api/v1/healthz (no auth)': { 'req/s': Math.round(open.rps), 'p99 ms': open.p99 },
      'GET /api/v1/me (API token)': { 'req/s': Math.round(authed.rps), 'p99 ms': authed.p99 },
    })
    console.log(
      `ratio token/unauthenticated: ${(ratio * 100).toFixed(1)}% (target >= ${TARGET_RATIO * 100}% on PostgreSQL)`,
    )
    console.log(
      `last-used writes: ${after.rowsWritten - before.rowsWritten} rows in ${after.statements - before.statements} statements for ${authed.total} token requests = ${writesPer10k.toFixed(2)} per 10,000 requests`,
    )
    if (process.env.BENCH_MCP !== '0') await benchMcp(base, auth)
    return ratio
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.send({ type: 'stop' })
    await exited
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
  const rows: Record<string, { 'req/s': number; 'p99 ms': number; 'vs REST': string }> = {}
  for (const c of cases) {
    await autocannon({
      url: `${base}/api/v1/mcp`,
      connections: 8,
      duration: 2,
      headers: mcpHeaders,
      method: 'POST',
      body: c.body,
    })
    const rest = await load(c.rest, auth)
    const mcp = await load(`${base}/api/v1/mcp`, mcpHeaders, c.body)
    rows[`REST for ${c.label}`] = {
      'req/s': Math.round(rest.rps),
      'p99 ms': rest.p99,
      'vs REST': '100%',
    }
    rows[`MCP tools/call ${c.label}`] = {
      'req/s': Math.round(mcp.rps),
      'p99 ms': mcp.p99,
      'vs REST': `${((mcp.rps / rest.rps) * 100).toFixed(1)}%`,
    }
  }
  console.table(rows)
  console.log('MCP target: tools/call at least 25% of the REST route returning the same data')
}

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = `tessera_bench_${randomBytes(4).toString('hex')}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${dbName}`)
try {
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  await benchOne('PostgreSQL', { BENCH_DATABASE_URL: url.toString() })
  if (process.env.BENCH_PGLITE !== '0') await benchOne('Embedded', { BENCH_DATABASE_URL: '' })
} finally {
  await admin.unsafe(`drop database if exists ${dbName} with (force)`)
  await admin.end()
}
