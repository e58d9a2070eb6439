import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { distFile, isolatedDatabaseConfig, TEST_DB } from './helper.js'
import { SLOW_BODY, slowClient, within } from './slow-client.js'

const SHUTDOWN_TIMEOUT_MS = 2_000
/** What the bound allows on top of the timeout: a loaded 2-core machine, polling. */
const SLACK_MS = 4_000

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * An intermediate parent, as pnpm or a supervisor would be: runs the command with its stdout and
 * stderr on pipes, passes on the server's address and pid, then never reads those pipes again.
 */
const PARENT = `
const { spawn } = require('node:child_process')
const [command, ...args] = process.argv.slice(1)
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
let out = ''
const onData = (chunk) => {
  out += chunk
  const match = /Tessera is running at (\\S+)/.exec(out)
  if (!match) return
  child.stdout.off('data', onData)
  child.stdout.pause()
  process.stdout.write(JSON.stringify({ pid: child.pid, url: match[1] }) + '\\n')
}
child.stdout.on('data', onData)
child.stderr.pause()
setInterval(() => {}, 60_000)
`

/** Running, as opposed to gone or a zombie nobody has reaped yet (its parent is stopped). */
function isRunning(pid: number) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Milliseconds until `pid` is no longer running; throws past `limitMs`. */
async function timeToExit(pid: number, limitMs: number) {
  const started = Date.now()
  while (isRunning(pid)) {
    if (Date.now() - started > limitMs)
      throw new Error(`pid ${pid} still running after ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return Date.now() - started
}

/** Processes below `root` (children, grandchildren...), from /proc. */
function descendants(root: number): { pid: number; args: string }[] {
  const parents = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {}
  }
  const found: { pid: number; args: string }[] = []
  const visit = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue
      let args = ''
      try {
        args = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ')
      } catch {}
      found.push({ pid: child, args })
      visit(child)
    }
  }
  visit(root)
  return found
}

/** Environment for a server of its own: empty data folder or database, short shutdown timeout. */
async function serverEnv(): Promise<{ env: Record<string, string>; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-shutdown-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const database: Record<string, string> =
    TEST_DB === 'postgres'
      ? { DATABASE_URL: ((await isolatedDatabaseConfig()) as { url: string }).url }
      : { TESSERA_DATA_DIR: dataDir }
  return {
    dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TESSERA_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      ...database,
    },
  }
}

/** Kills `child` (and, if it led one, its process group) after the test. */
function killAfterwards(child: ChildProcess, group = false) {
  cleanups.push(() => {
    try {
      if (group && child.pid) process.kill(-child.pid, 'SIGKILL')
      else child.kill('SIGKILL')
    } catch {}
  })
}

/** Starts the server below an intermediate parent; resolves with the server's pid and URL. */
async function startBelowParent(env: Record<string, string>) {
  const parent = spawn(process.execPath, ['-e', PARENT, process.execPath, distFile('server.js')], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  killAfterwards(parent)
  const started = await within(
    60_000,
    'server start',
    new Promise<{ pid: number; url: string }>((resolve, reject) => {
      let out = ''
      parent.stdout.on('data', (chunk) => {
        out += chunk
        if (out.includes('\n')) resolve(JSON.parse(out))
      })
      parent.on('exit', (code) => reject(new Error(`parent exited (${code})`)))
    }),
  )
  cleanups.push(() => {
    try {
      process.kill(started.pid, 'SIGKILL')
    } catch {}
  })
  return { parent, ...started }
}

/** Enough requests, each logged with its long path, to fill a pipe nobody reads (64 KiB). */
async function fillLog(url: string) {
  const path = `/api/v1/${'x'.repeat(2_000)}`
  for (let i = 0; i < 100; i++) await (await fetch(`${url}${path}`)).arrayBuffer()
}

function slowRequest(url: string) {
  const client = slowClient(Number(new URL(url).port), SLOW_BODY, 100)
  cleanups.push(client.destroy)
  return client
}

describe('stopping the server', { timeout: 120_000 }, () => {
  it('its parent gone and a request that never completes in flight, SIGTERM still ends it in time', async () => {
    const { env, dataDir } = await serverEnv()
    const { parent, pid, url } = await startBelowParent(env)
    const port = Number(new URL(url).port)
    const stuck = slowRequest(url)
    // A request whose body arrives during the grace period is answered, not cut.
    const login = slowClient(port, SLOW_BODY.replace('100000', '2'), 60_000, 0)
    cleanups.push(login.destroy)
    await new Promise((resolve) => setTimeout(resolve, 300))

    parent.kill('SIGKILL')
    await new Promise((resolve) => parent.once('exit', resolve))
    process.kill(pid, 'SIGTERM')
    setTimeout(() => login.socket.write('}'), 300)

    expect(await timeToExit(pid, SHUTDOWN_TIMEOUT_MS + SLACK_MS)).toBeLessThan(
      SHUTDOWN_TIMEOUT_MS + SLACK_MS,
    )
    expect(await login.closed).toMatch(/^HTTP\/1\.1 400 /)
    await stuck.closed
    if (TEST_DB === 'pglite') expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(false)
  })

  it('its log pipe full and never read again (the parent stopped), SIGTERM still ends it in time', async () => {
    const { env, dataDir } = await serverEnv()
    const { parent, pid, url } = await startBelowParent(env)
    parent.kill('SIGSTOP')
    await fillLog(url)

    process.kill(pid, 'SIGTERM')
    await timeToExit(pid, SHUTDOWN_TIMEOUT_MS + SLACK_MS)
    if (TEST_DB === 'pglite') expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(false)
  })

  it('started with pnpm, its parents gone, its log unread and a request in flight: SIGTERM ends it in time', async () => {
    const { env } = await serverEnv()
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    // The start path of the README, without the console build: pnpm runs `node dist/server.js`.
    const pnpm = spawn('npx', ['-y', 'pnpm@10.34.9', '--filter', '@tessera/api', 'start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    killAfterwards(pnpm, true)
    const url = await within(
      90_000,
      'pnpm start',
      new Promise<string>((resolve, reject) => {
        let out = ''
        const onData = (chunk: Buffer) => {
          out += chunk
          const match = /Tessera is running at (\S+)/.exec(out)
          if (!match?.[1]) return
          pnpm.stdout.off('data', onData)
          resolve(match[1])
        }
        pnpm.stdout.on('data', onData)
        pnpm.on('exit', (code) => reject(new Error(`pnpm exited (${code}): ${out}`)))
      }),
    )
    // From here on nobody reads the pipes the server writes to.
    pnpm.stdout.pause()
    pnpm.stderr.pause()
    // The deepest match: the shell that pnpm runs the script in names the file too.
    const server = descendants(pnpm.pid as number)
      .filter((p) => p.args.includes('dist/server.js'))
      .at(-1)
    if (!server) throw new Error('server process not found below pnpm')
    for (const p of descendants(pnpm.pid as number)) {
      if (p.pid !== server.pid) process.kill(p.pid, 'SIGKILL')
    }
    pnpm.kill('SIGKILL')
    cleanups.push(() => {
      try {
        process.kill(server.pid, 'SIGKILL')
      } catch {}
    })

    await fillLog(url)
    slowRequest(url)
    await new Promise((resolve) => setTimeout(resolve, 300))
    process.kill(server.pid, 'SIGTERM')
    await timeToExit(server.pid, SHUTDOWN_TIMEOUT_MS + SLACK_MS)
  })
})
