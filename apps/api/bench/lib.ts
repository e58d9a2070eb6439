/** What the benchmarks share: forked servers, throughput runs, sequential latency, databases. */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import postgres from 'postgres'

export const SERVER_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface Ready {
  type: 'ready'
  port: number
  /** An API token of the seeded user (demo seed only). */
  secret?: string
  driver?: string
}

export interface BenchServer {
  child: ChildProcess
  base: string
  ready: Ready
  ask<T>(type: string): Promise<T>
  stop(): Promise<void>
}

/**
 * Forks a server script of this folder (server.ts: the real API; bare-server.ts: a bare Fastify
 * route) so the load generator does not share its event loop.
 */
export function startServer(script: string, env: Record<string, string> = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise<BenchServer>((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`${script} exited with ${code}`))
    child.once('exit', exited)
    child.once('message', (ready: Ready) => {
      child.off('exit', exited)
      resolve({
        child,
        ready,
        base: `http://127.0.0.1:${ready.port}`,
        ask: <T>(type: string) =>
          new Promise<T>((done) => {
            child.once('message', (m: T) => done(m))
            child.send({ type })
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.send({ type: 'stop' })
          }),
      })
    })
  })
}

export interface LoadOptions {
  headers?: Record<string, string>
  /** Called per request: e.g. to take the next of many tokens. */
  setupRequest?: autocannon.Request['setupRequest']
  /**
   * Bearer tokens sent in turn, each connection starting at its own place in the list, so the
   * requests in flight together carry different tokens. The requests are built once, not per
   * request as `setupRequest` does (which costs the load generator, on the same cores as the
   * server, about a third more per request).
   */
  rotateTokens?: string[]
  /** Several requests each connection sends in turn (mixed load). */
  requests?: autocannon.Request[]
  method?: 'GET' | 'POST'
  body?: string
  connections?: number
  seconds?: number
}

export interface Throughput {
  rps: number
  p99: number
  total: number
  non2xx: number
  errors: number
}

/** Closed-loop load for a while; refuses to report a run that had failures. */
export async function load(url: string, options: LoadOptions = {}): Promise<Throughput> {
  const result = await autocannon({
    url,
    connections: options.connections ?? 32,
    duration: options.seconds ?? 8,
    pipelining: 1,
    headers: options.headers ?? {},
    ...(options.method ? { method: options.method } : {}),
    ...(options.body ? { body: options.body } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
    ...(options.setupRequest ? { requests: [{ setupRequest: options.setupRequest }] } : {}),
    ...(options.rotateTokens ? { setupClient: rotating(url, options.rotateTokens) } : {}),
  })
  const run = {
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  }
  if (run.non2xx > 0 || run.errors > 0) {
    throw new Error(`${url}: ${run.non2xx} non-2xx answers and ${run.errors} errors`)
  }
  return run
}

/**
 * Gives each autocannon connection the requests for all tokens, built once and shared, turned to
 * start at its own place: every connection walks its list from the start, so unturned lists would
 * send the same token on all connections at once.
 */
function rotating(url: string, tokens: string[]) {
  const { host, pathname, search } = new URL(url)
  const requests = tokens.map((token) => ({
    requestBuffer: Buffer.from(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n` +
        `authorization: Bearer ${token}\r\n\r\n`,
    ),
  }))
  let connections = 0
  return (client: unknown) => {
    // autocannon 8's request iterator: a request without setupRequest is sent as built.
    const iterator = (client as { requestIterator: RequestIterator }).requestIterator
    const offset = (connections++ * 31) % requests.length
    iterator.requests = [...requests.slice(offset), ...requests.slice(0, offset)]
    iterator.currentRequestIndex = 0
    iterator.currentRequest = iterator.requests[0]
  }
}

interface RequestIterator {
  requests: { requestBuffer: Buffer }[]
  currentRequestIndex: number
  currentRequest: { requestBuffer: Buffer } | undefined
}

/** Warms a path up (JIT, prepared statements, pool) without measuring. */
export async function warm(url: string, options: LoadOptions = {}) {
  await load(url, { ...options, connections: 8, seconds: options.seconds ?? 2 })
}

export const median = (values: number[]) => quantile(values, 0.5)

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

export interface Latency {
  median: number
  p95: number
  /** Requests per round and rounds actually measured (fewer when a request is slow). */
  perRound: number
  rounds: number
}

/**
 * Sequential latency of one request: after a warm-up, several rounds of requests one after the
 * other; the median and p95 of each round, and of those the median round (never the best).
 * A slow request gets fewer samples so one case cannot eat the run's time budget.
 */
export async function sequential(
  request: () => Promise<void>,
  { perRound = 50, rounds = 3, warmup = 5, budgetMs = 20_000 } = {},
): Promise<Latency> {
  const times: number[] = []
  for (let i = 0; i < warmup; i++) times.push(await timed(request))
  const estimate = Math.max(median(times), 0.05)
  const affordable = Math.floor(budgetMs / estimate / rounds)
  const n = Math.max(3, Math.min(perRound, affordable))
  const medians: number[] = []
  const p95s: number[] = []
  for (let round = 0; round < rounds; round++) {
    const samples: number[] = []
    for (let i = 0; i < n; i++) samples.push(await timed(request))
    medians.push(median(samples))
    p95s.push(quantile(samples, 0.95))
  }
  return { median: median(medians), p95: median(p95s), perRound: n, rounds }
}

async function timed(request: () => Promise<void>) {
  const start = performance.now()
  await request()
  return performance.now() - start
}

/** A database of its own on the local PostgreSQL server, dropped by `drop()`. */
export async function createDatabase(label: string) {
  const name = `tessera_bench_${label}_${randomBytes(4).toString('hex')}`
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

export const ms = (value: number) =>
  Number.isNaN(value) ? '-' : value >= 100 ? value.toFixed(0) : value.toFixed(1)
export const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`
export const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
