/**
 * `pnpm bench --scale`: the API on a small and a big PostgreSQL database, side by side in one run.
 *
 * - Sequential latency (median and p95 of the median round) of task lists, search, activity and
 *   the admin token list, REST and MCP, at both sizes.
 * - Mixed load (32 connections, 1,000 tokens: /me, task list, search, activity, projects) at both
 *   sizes, and how much of its throughput the big database keeps.
 * - The per-request floor: `/healthz` against a bare Fastify route, token `/me` (one token, and
 *   1,000 distinct tokens) against `/healthz`.
 * - Last-used writes per token per minute over the whole big-database run.
 */
import type autocannon from 'autocannon'
import { openDatabase } from '../src/db/client.js'
import {
  type BenchServer,
  createDatabase,
  type Latency,
  load,
  median,
  ms,
  pct,
  sequential,
  startServer,
  type Throughput,
  verdict,
  warm,
} from './lib.js'
import { type ScaleSize, type Seeded, seed } from './seed.js'

const divisor = Number(process.env.BENCH_SCALE_DIVISOR ?? 1)
const SIZES: ScaleSize[] = [
  { label: '10k tasks', tasks: 10_000, activity: 20_000, tokens: 2_000 },
  {
    label: `${Math.round(500 / divisor)}k tasks`,
    tasks: Math.round(500_000 / divisor),
    activity: Math.round(1_000_000 / divisor),
    tokens: Math.max(2_000, Math.round(100_000 / divisor)),
  },
]
const MIXED_SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const FLOOR_SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 3)
const FLOOR_ROUNDS = 5
/**
 * Deep pages: half-way into the project's tasks, a quarter into all activity (about 40% of what
 * the member sees), never more than this many rows in.
 */
const MAX_DEPTH = 100_000
/** Walking to a deep page gives up after this long and measures where it got to. */
const WALK_BUDGET_MS = 30_000

const TARGETS = {
  mixedKept: 0.7,
  healthzVsBare: 0.7,
  meVsHealthz: 0.7,
  me1kVsHealthz: 0.6,
}

type CaseResult = Latency | { error: string }

interface SizeResult {
  size: ScaleSize
  seeded: Seeded
  cases: Map<string, CaseResult>
  /** Rows behind the deep pages measured. */
  depth: { tasks: number; activity: number }
  mixed: Throughput | { error: string }
  floor?: FloorResult
  writes?: { rows: number; tokens: number; minutes: number }
}

interface FloorResult {
  bare: number
  healthz: number
  me: number
  me1k: number
  healthzVsBare: number
  meVsHealthz: number
  me1kVsHealthz: number
}

function client(base: string) {
  async function get(path: string, headers: Record<string, string>) {
    const res = await fetch(base + path, { headers })
    const text = await res.text()
    if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 120)}`)
    return JSON.parse(text) as Record<string, unknown>
  }
  async function tool(token: string, name: string, args: Record<string, unknown>) {
    const res = await fetch(`${base}/api/v1/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name, arguments: args },
      }),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 120)}`)
    const answer = JSON.parse(text) as { error?: unknown; result?: { isError?: boolean } }
    if (answer.error || answer.result?.isError) throw new Error(text.slice(0, 160))
    return answer
  }
  return { get, tool }
}

async function measureCase(request: () => Promise<unknown>): Promise<CaseResult> {
  try {
    return await sequential(async () => {
      await request()
    })
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** Follows `nextCursor` from the first page until `depth` rows are behind (or time is up). */
async function walk(
  page: (cursor: string | undefined) => Promise<Record<string, unknown>>,
  rowsKey: string,
  depth: number,
) {
  const started = performance.now()
  let cursor: string | undefined
  let behind = 0
  while (behind < depth && performance.now() - started < WALK_BUDGET_MS) {
    const answer = await page(cursor)
    behind += (answer[rowsKey] as unknown[]).length
    const next = answer.nextCursor as string | null
    if (!next) break
    cursor = next
  }
  return { cursor, behind }
}

async function measureSize(
  server: BenchServer,
  size: ScaleSize,
  seeded: Seeded,
): Promise<Omit<SizeResult, 'size' | 'seeded'>> {
  const { get, tool } = client(server.base)
  const auth = { authorization: `Bearer ${seeded.memberToken}` }
  const key = seeded.projectKey
  const cases = new Map<string, CaseResult>()
  const progress = (label: string) => process.stdout.write(`  ${size.label}: ${label}\n`)

  progress('walking to the deep pages')
  const tasksDeep = await walk(
    (cursor) =>
      get(`/api/v1/tasks?project=${key}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, auth),
    'tasks',
    Math.min(MAX_DEPTH, Math.floor(size.tasks / 2)),
  ).catch((error: Error) => ({ cursor: undefined, behind: 0, error }))
  const activityDeep = await walk(
    (cursor) => get(`/api/v1/activity?limit=200${cursor ? `&cursor=${cursor}` : ''}`, auth),
    'activity',
    Math.min(MAX_DEPTH, Math.floor(size.activity / 4)),
  ).catch((error: Error) => ({ cursor: undefined, behind: 0, error }))

  progress('latency cases')
  cases.set(
    'Task list, first page',
    await measureCase(() => get(`/api/v1/tasks?project=${key}`, auth)),
  )
  cases.set(
    'Task list, deep page',
    tasksDeep.cursor
      ? await measureCase(() =>
          get(`/api/v1/tasks?project=${key}&cursor=${tasksDeep.cursor}`, auth),
        )
      : { error: 'no cursor' },
  )
  cases.set(
    `Search, rare term (REST)`,
    await measureCase(() => get(`/api/v1/tasks?project=${key}&q=${seeded.rareTerm}`, auth)),
  )
  cases.set(
    `Search, rare term (MCP search_tasks)`,
    await measureCase(() =>
      tool(seeded.memberToken, 'search_tasks', { query: seeded.rareTerm, project: key }),
    ),
  )
  cases.set(
    `Search, no match (REST)`,
    await measureCase(() => get(`/api/v1/tasks?project=${key}&q=${seeded.missingTerm}`, auth)),
  )
  cases.set(
    `Search, no match (MCP search_tasks)`,
    await measureCase(() =>
      tool(seeded.memberToken, 'search_tasks', { query: seeded.missingTerm, project: key }),
    ),
  )
  cases.set(
    'Activity, first page (REST)',
    await measureCase(() => get('/api/v1/activity?limit=50', auth)),
  )
  cases.set(
    'Activity, first page (MCP list_activity)',
    await measureCase(() => tool(seeded.memberToken, 'list_activity', { limit: 50 })),
  )
  const activityCursor = activityDeep.cursor
  cases.set(
    'Activity, deep page (REST)',
    activityCursor
      ? await measureCase(() => get(`/api/v1/activity?limit=50&cursor=${activityCursor}`, auth))
      : { error: 'no cursor' },
  )
  cases.set(
    'Activity, deep page (MCP list_activity)',
    activityCursor
      ? await measureCase(() =>
          tool(seeded.memberToken, 'list_activity', { limit: 50, cursor: activityCursor }),
        )
      : { error: 'no cursor' },
  )
  const session = { cookie: `tessera_session=${seeded.adminSession}` }
  // The console's All tokens page: 100 tokens a page (the route's default), first and filtered.
  cases.set(
    'Admin token list',
    await measureCase(() => get('/api/v1/admin/tokens?limit=100', session)),
  )
  cases.set(
    'Admin token list, active only',
    await measureCase(() => get('/api/v1/admin/tokens?status=active&limit=100', session)),
  )

  progress(`mixed load, ${MIXED_SECONDS}s`)
  const mixed = await mixedLoad(server, seeded).catch((error: Error) => ({ error: error.message }))
  return { cases, depth: { tasks: tasksDeep.behind, activity: activityDeep.behind }, mixed }
}

/** Round-robin over many tokens, one per request, as many clients would send. */
function rotatingTokens(tokens: string[]) {
  const values = tokens.map((token) => `Bearer ${token}`)
  let next = 0
  return (req: autocannon.Request): autocannon.Request => {
    // autocannon hands over a fresh copy of the headers for each request: no need for another.
    const headers = req.headers ?? {}
    headers.authorization = values[next++ % values.length] as string
    req.headers = headers
    return req
  }
}

async function mixedLoad(server: BenchServer, seeded: Seeded) {
  const setupRequest = rotatingTokens(seeded.tokens)
  const key = seeded.projectKey
  const requests = [
    '/api/v1/me',
    `/api/v1/tasks?project=${key}`,
    `/api/v1/tasks?project=${key}&q=${seeded.rareTerm}`,
    '/api/v1/activity',
    '/api/v1/projects',
  ].map((path) => ({ method: 'GET' as const, path, setupRequest }))
  await load(server.base, { requests, connections: 8, seconds: 3 })
  return load(server.base, { requests, connections: 32, seconds: MIXED_SECONDS })
}

/**
 * Interleaved rounds (bare, /healthz, /me with one token, /me with 1,000 tokens) so drift on the
 * machine hits all four alike; each ratio is the median of the rounds' ratios.
 */
async function measureFloor(server: BenchServer, bare: BenchServer, seeded: Seeded) {
  const one = { authorization: `Bearer ${seeded.memberToken}` }
  const runs = {
    bare: () => load(`${bare.base}/healthz`, { seconds: FLOOR_SECONDS }),
    healthz: () => load(`${server.base}/healthz`, { seconds: FLOOR_SECONDS }),
    me: () => load(`${server.base}/api/v1/me`, { headers: one, seconds: FLOOR_SECONDS }),
    me1k: () =>
      load(`${server.base}/api/v1/me`, { rotateTokens: seeded.tokens, seconds: FLOOR_SECONDS }),
  }
  await warm(`${bare.base}/healthz`)
  await warm(`${server.base}/healthz`)
  await warm(`${server.base}/api/v1/me`, { headers: one })
  await warm(`${server.base}/api/v1/me`, { rotateTokens: seeded.tokens })
  const rounds: Record<keyof typeof runs, number>[] = []
  for (let round = 0; round < FLOOR_ROUNDS; round++) {
    const result = { bare: 0, healthz: 0, me: 0, me1k: 0 }
    for (const name of Object.keys(runs) as (keyof typeof runs)[]) {
      result[name] = (await runs[name]()).rps
    }
    rounds.push(result)
  }
  const of = (name: keyof typeof runs) => median(rounds.map((r) => r[name]))
  return {
    bare: of('bare'),
    healthz: of('healthz'),
    me: of('me'),
    me1k: of('me1k'),
    healthzVsBare: median(rounds.map((r) => r.healthz / r.bare)),
    meVsHealthz: median(rounds.map((r) => r.me / r.healthz)),
    me1kVsHealthz: median(rounds.map((r) => r.me1k / r.healthz)),
  }
}

async function tokenUpdates(url: string) {
  const { default: postgres } = await import('postgres')
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ n: string }[]>`
      select n_tup_upd::text as n from pg_stat_user_tables where relname = 'api_tokens'`
    return Number(row?.n ?? 0)
  } finally {
    await sql.end()
  }
}

async function runSize(size: ScaleSize, bare: BenchServer | null): Promise<SizeResult> {
  const db = await createDatabase(size.label.replace(/\W/g, ''))
  try {
    process.stdout.write(`${size.label}: migrating and seeding\n`)
    const handle = await openDatabase({ driver: 'postgres', url: db.url, max: 2 })
    await handle.migrate()
    await handle.close()
    const seeded = await seed(db.url, size)
    process.stdout.write(`  seeded in ${seeded.seconds.toFixed(1)}s\n`)

    const updatesBefore = await tokenUpdates(db.url)
    const server = await startServer('./server.ts', {
      BENCH_DATABASE_URL: db.url,
      BENCH_SEED: 'none',
    })
    const started = performance.now()
    let result: Omit<SizeResult, 'size' | 'seeded'>
    try {
      result = await measureSize(server, size, seeded)
      if (bare) {
        process.stdout.write(`  ${size.label}: per-request floor\n`)
        result.floor = await measureFloor(server, bare, seeded)
      }
    } finally {
      // Closing flushes the last-used queue and ends the pool, whose connections report their
      // statistics as they exit.
      await server.stop()
    }
    const minutes = (performance.now() - started) / 60_000
    let rows = 0
    for (let attempt = 0; attempt < 10; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      const now = (await tokenUpdates(db.url)) - updatesBefore
      if (now === rows && attempt > 1) break
      rows = now
    }
    return {
      size,
      seeded,
      ...result,
      writes: { rows, tokens: seeded.tokens.length + 1, minutes },
    }
  } finally {
    await db.drop()
  }
}

function latencyCell(result: CaseResult | undefined) {
  if (!result) return '-'
  if ('error' in result) return `error: ${result.error.slice(0, 40)}`
  const note = result.perRound < 50 ? ` (${result.perRound}x${result.rounds})` : ''
  return `${ms(result.median)} / ${ms(result.p95)}${note}`
}

function report(results: SizeResult[]) {
  const [small, big] = results as [SizeResult, SizeResult]
  console.log(
    '\nSequential latency, ms: median / p95 (median of 3 rounds of 50 after warm-up; slow cases: requests x rounds)',
  )
  const rows: Record<string, Record<string, string>> = {}
  for (const [label, result] of small.cases) {
    const bigResult = big.cases.get(label)
    const growth =
      result && bigResult && !('error' in result) && !('error' in bigResult)
        ? `x${(bigResult.median / result.median).toFixed(1)}`
        : '-'
    rows[label] = {
      [small.size.label]: latencyCell(result),
      [big.size.label]: latencyCell(bigResult),
      'big / small': growth,
    }
  }
  console.table(rows)
  const rowsIn = (n: number) => n.toLocaleString('en-US')
  console.log(
    `Deep pages: task list at row ${rowsIn(small.depth.tasks)} / ${rowsIn(big.depth.tasks)}, ` +
      `activity at row ${rowsIn(small.depth.activity)} / ${rowsIn(big.depth.activity)}; ` +
      `admin token lists of ${rowsIn(small.size.tokens)} / ${rowsIn(big.size.tokens)} tokens`,
  )

  const mixedRps = (r: SizeResult) => ('error' in r.mixed ? Number.NaN : r.mixed.rps)
  const mixedCell = (r: SizeResult) =>
    'error' in r.mixed
      ? `error: ${r.mixed.error.slice(0, 60)}`
      : `${Math.round(r.mixed.rps)} req/s, p99 ${r.mixed.p99} ms`
  const kept = mixedRps(big) / mixedRps(small)
  const lines: [string, string, string, string][] = [
    [
      `Mixed load (32 connections, ${MIXED_SECONDS}s): ${small.size.label}`,
      mixedCell(small),
      '',
      '',
    ],
    [`Mixed load: ${big.size.label}`, mixedCell(big), '', ''],
    [
      'Mixed load kept at the big size',
      pct(kept),
      `>= ${pct(TARGETS.mixedKept)}`,
      verdict(kept >= TARGETS.mixedKept),
    ],
  ]
  const floor = big.floor
  if (floor) {
    lines.push(
      [
        '/healthz vs a bare Fastify route',
        `${pct(floor.healthzVsBare)} (${Math.round(floor.healthz)} vs ${Math.round(floor.bare)} req/s)`,
        `>= ${pct(TARGETS.healthzVsBare)}`,
        verdict(floor.healthzVsBare >= TARGETS.healthzVsBare),
      ],
      [
        'Token /me (one token) vs /healthz',
        `${pct(floor.meVsHealthz)} (${Math.round(floor.me)} req/s)`,
        `>= ${pct(TARGETS.meVsHealthz)}`,
        verdict(floor.meVsHealthz >= TARGETS.meVsHealthz),
      ],
      [
        'Token /me (1,000 distinct tokens) vs /healthz',
        `${pct(floor.me1kVsHealthz)} (${Math.round(floor.me1k)} req/s)`,
        `>= ${pct(TARGETS.me1kVsHealthz)}`,
        verdict(floor.me1kVsHealthz >= TARGETS.me1kVsHealthz),
      ],
    )
  }
  const writes = big.writes
  if (writes) {
    // At most one write per token per minute: per started minute of use.
    const allowed = Math.ceil(writes.minutes)
    const perToken = writes.rows / writes.tokens
    lines.push([
      'Last-used writes per token',
      `${perToken.toFixed(2)} in ${writes.minutes.toFixed(1)} min (${writes.rows} rows, ${writes.tokens} tokens)`,
      `<= 1 a minute (${allowed})`,
      verdict(perToken <= allowed),
    ])
  }
  console.log('')
  console.table(
    Object.fromEntries(
      lines.map(([label, value, target, result]) => [label, { value, target, result }]),
    ),
  )
}

export async function runScale() {
  const started = performance.now()
  const bare = await startServer('./bare-server.ts')
  const results: SizeResult[] = []
  try {
    for (const [i, size] of SIZES.entries()) {
      results.push(await runSize(size, i === SIZES.length - 1 ? bare : null))
    }
  } finally {
    await bare.stop()
  }
  console.log(
    `\npnpm bench --scale, ${new Date().toISOString().slice(0, 10)}; seeding ${results.map((r) => `${r.size.label} ${r.seeded.seconds.toFixed(0)}s`).join(', ')}`,
  )
  console.log(
    results
      .map(
        (r) =>
          `${r.size.label}: ${r.size.tasks.toLocaleString('en-US')} tasks in BENCH, ${r.size.activity.toLocaleString('en-US')} activity rows, ${r.size.tokens.toLocaleString('en-US')} tokens`,
      )
      .join('\n'),
  )
  report(results)
  console.log(`\nTotal ${((performance.now() - started) / 60_000).toFixed(1)} min`)
}
