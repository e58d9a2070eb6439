import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { distFile, isolatedDatabaseConfig, TEST_DB } from './helper.js'

/** Undo steps a test registers; the file runs them after each test, newest first. */
export type Cleanups = (() => Promise<unknown>)[]

/** The real server (`node dist/server.js`) in a process of its own, on a free loopback port. */
export interface ServerProcess {
  url: string
  port: number
  pid: number
  output(): string
  alive(): boolean
  /** SIGKILL: no shutdown, no unlocking, in-flight requests cut. */
  crash(): Promise<void>
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>
}

/**
 * Where data must outlive the process: a fresh data folder (embedded database), or a fresh
 * PostgreSQL database, depending on the test project.
 */
export async function durableDatabase(
  cleanups: Cleanups,
): Promise<{ env: Record<string, string>; dataDir?: string }> {
  if (TEST_DB === 'postgres') {
    const config = await isolatedDatabaseConfig()
    if (config.driver !== 'postgres') throw new Error('expected a PostgreSQL database')
    return { env: { DATABASE_URL: config.url } }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-server-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  return { env: { TESSERA_DATA_DIR: dataDir }, dataDir }
}

/** Starts the server with only `env` (plus PATH) and waits for its start banner. */
export async function startServerProcess(
  env: Record<string, string>,
  cleanups: Cleanups,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [distFile('server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const chunks: Buffer[] = []
  const output = () => Buffer.concat(chunks).toString('utf8')
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name)
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  cleanups.push(() => signal('SIGTERM'))
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
  const url = await new Promise<string>((resolve, reject) => {
    let banner = ''
    const timer = setTimeout(
      () => reject(new Error(`not ready:\n${output().slice(-3000)}`)),
      60_000,
    )
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (banner.includes('Tessera is running')) return
      banner += chunk.toString('utf8')
      const match = /Tessera is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before it was ready:\n${output().slice(-3000)}`))
    })
  })
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid as number,
    output,
    alive: () => child.exitCode === null && !child.signalCode,
    crash: async () => {
      await signal('SIGKILL')
    },
    stop: () => signal('SIGTERM'),
  }
}
