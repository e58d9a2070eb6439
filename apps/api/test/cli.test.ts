import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DatabaseConfig } from '../src/db/client.js'
import {
  buildTestApp,
  distFile,
  isolatedDatabaseConfig,
  PASSWORD,
  runNode,
  TEST_DB,
  testDatabaseConfig,
} from './helper.js'
import { durableDatabase, startServerProcess } from './server-process.js'

/** Undo steps, run newest first: a server stops before its data folder is removed. */
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A database the CLI and a test app can both open, one after the other: an embedded one in a
 * temporary folder, or this run's PostgreSQL database.
 */
async function sharedDatabase(): Promise<{ env: Record<string, string>; config: DatabaseConfig }> {
  if (TEST_DB === 'postgres') {
    const config = testDatabaseConfig()
    if (config.driver !== 'postgres') throw new Error('unreachable')
    return { env: { DATABASE_URL: config.url }, config }
  }
  const dataDir = await tempDir()
  return { env: { TESSERA_DATA_DIR: dataDir }, config: { driver: 'pglite', dataDir } }
}

/** Signs in through a short-lived app (the embedded database allows one process at a time). */
async function login(config: DatabaseConfig, email: string, password: string) {
  const app = await buildTestApp({ database: config })
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
    })
    return { status: res.statusCode, body: res.json() }
  } finally {
    await app.close()
  }
}

const cli = (args: string[], env: Record<string, string>, input?: string) =>
  runNode(distFile('cli.js'), args, { env, ...(input === undefined ? {} : { input }) })

// Each command boots the database in a process of its own (seconds each for the embedded one).
describe('cli: users', { timeout: 90_000 }, () => {
  it('user create makes an account that can sign in; user reset-password changes its password', async () => {
    const { env, config } = await sharedDatabase()
    const email = `cli-${randomUUID()}@example.test`
    const created = await cli(
      ['user', 'create', '--email', email, '--role', 'admin', '--password-stdin'],
      env,
      `${PASSWORD}\n`,
    )
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toContain(`Created admin ${email}`)

    const first = await login(config, email, PASSWORD)
    expect(first.status).toBe(200)
    expect(first.body.user).toMatchObject({ email, role: 'admin' })

    const newPassword = 'a brand new passphrase'
    const reset = await cli(
      ['user', 'reset-password', '--email', email.toUpperCase(), '--password-stdin'],
      env,
      `${newPassword}\n`,
    )
    expect(reset.code).toBe(0)
    expect(reset.stdout).toContain(`Password changed for ${email}`)
    expect((await login(config, email, PASSWORD)).status).toBe(401)
    expect((await login(config, email, newPassword)).status).toBe(200)
  })

  it('a too-short password, a bad email or an unknown user fail with a clear message and exit 1', async () => {
    const { env, config } = await sharedDatabase()
    const email = `cli-${randomUUID()}@example.test`
    const short = await cli(
      ['user', 'create', '--email', email, '--password-stdin'],
      env,
      'short\n',
    )
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('at least 12 characters')

    const badEmail = await cli(
      ['user', 'create', '--email', 'not-an-email', '--password-stdin'],
      env,
      `${PASSWORD}\n`,
    )
    expect(badEmail.code).toBe(1)
    expect(badEmail.stderr).toContain('--email must be a valid email address')

    const badRole = await cli(
      ['user', 'create', '--email', email, '--role', 'owner', '--password-stdin'],
      env,
      `${PASSWORD}\n`,
    )
    expect(badRole.code).toBe(1)
    expect(badRole.stderr).toContain('--role must be admin or member')

    const unknown = await cli(
      ['user', 'reset-password', '--email', email, '--password-stdin'],
      env,
      `${PASSWORD}\n`,
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(`No user with email ${email}`)

    // None of those created the user.
    expect((await login(config, email, PASSWORD)).status).toBe(401)

    const created = await cli(
      ['user', 'create', '--email', email, '--password-stdin'],
      env,
      PASSWORD,
    )
    expect(created.code).toBe(0)
    const twice = await cli(['user', 'create', '--email', email, '--password-stdin'], env, PASSWORD)
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('already exists')

    const usage = await cli(['group', 'nonsense'], env)
    expect(usage.code).toBe(1)
    expect(usage.stderr).toContain('Usage:')
  })
})

const rootPackage = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as { packageManager: string; scripts: Record<string, string> }
/** The README's way to run the CLI: pnpm at the pinned version, the root `tessera` script. */
const README_CLI = `npx -y ${rootPackage.packageManager} tessera`
/** A stack trace line, which a user should never see for an expected failure. */
const STACK_LINE = /^\s+at /m

describe('cli: help and mistakes', { timeout: 30_000 }, () => {
  it('--help and -h print the usage, with the command as the README gives it, and exit 0', async () => {
    const dataDir = await tempDir()
    for (const args of [
      ['--help'],
      ['-h'],
      ['user', '--help'],
      ['user', '-h'],
      ['user', 'create', '--help'],
    ]) {
      const run = await cli(args, { TESSERA_DATA_DIR: dataDir })
      expect(run.code, args.join(' ')).toBe(0)
      expect(run.stderr, args.join(' ')).toBe('')
      expect(run.stdout, args.join(' ')).toContain(`Usage: ${README_CLI} <command>`)
      expect(run.stdout, args.join(' ')).toContain('user reset-password --email <email>')
    }
    // Help opens no database: the data folder was not even created.
    expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(false)
  })

  it('without a terminal and without --password-stdin, it says so and shows --password-stdin', async () => {
    const { env, config } = await sharedDatabase()
    const email = `cli-${randomUUID()}@example.test`
    for (const command of ['create', 'reset-password']) {
      // Standard input is a pipe here, as in a script or CI, and holds a password-like line.
      const run = await cli(['user', command, '--email', email], env, `${PASSWORD}\n`)
      expect(run.code, command).toBe(1)
      expect(run.stderr, command).toContain('No terminal to ask for the password')
      expect(run.stderr, command).toContain(
        `| ${README_CLI} user ${command} --email ${email} --password-stdin`,
      )
      expect(run.stderr, command).not.toContain('12 characters')
      expect(run.stderr, command).not.toMatch(STACK_LINE)
    }
    // Nothing was read from the pipe as a password.
    expect((await login(config, email, PASSWORD)).status).toBe(401)
  })
})

describe('start banner', { timeout: 120_000 }, () => {
  it("the banner's command to create the first admin works as printed", async () => {
    // The root script the README's command runs: `pnpm tessera <args>` is the built CLI.
    expect(rootPackage.scripts.tessera).toMatch(/&& node apps\/api\/dist\/cli\.js$/)

    const { env } = await durableDatabase(cleanups)
    const server = await startServerProcess({ ...env, LOG_LEVEL: 'warn' }, cleanups)
    const printed = /Or run (with the server stopped|with the same DATABASE_URL): (.+)$/m.exec(
      server.output(),
    )
    expect(printed, server.output()).not.toBeNull()
    const [, condition, command] = printed as unknown as [string, string, string]
    const parsed = /^(?:TESSERA_DATA_DIR=(\S+) )?(npx -y pnpm@\S+ tessera) (.+)$/.exec(command)
    expect(parsed, command).not.toBeNull()
    const [, dataDir, runner, rest] = parsed as unknown as [
      string,
      string | undefined,
      string,
      string,
    ]
    expect(runner).toBe(README_CLI)
    expect(rest).toBe('user create --email you@example.com --role admin')
    // The printed folder is the server's own: the CLI would open the same database.
    expect(dataDir).toBe(env.TESSERA_DATA_DIR)

    const email = `banner-${randomUUID()}@example.test`
    const args = [...rest.replace('you@example.com', email).split(' '), '--password-stdin']
    const cliEnv: Record<string, string> = dataDir
      ? { TESSERA_DATA_DIR: dataDir }
      : { DATABASE_URL: env.DATABASE_URL ?? '' }

    if (TEST_DB === 'pglite') {
      expect(condition).toBe('with the server stopped')
      // Beside the running server the embedded database is refused, clearly and at once.
      const beside = await cli(args, cliEnv, `${PASSWORD}\n`)
      expect(beside.code).toBe(1)
      expect(beside.stderr).toContain('is in use by a running Tessera server')
      expect(beside.stderr).toContain('Stop the server')
      expect(beside.stderr).not.toMatch(STACK_LINE)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
      expect(await server.stop()).toBe(0)
    } else {
      expect(condition).toBe('with the same DATABASE_URL')
    }

    const created = await cli(args, cliEnv, `${PASSWORD}\n`)
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout).toContain(`Created admin ${email}`)
  })
})

/** Resolves with the URL once the server prints it; rejects if it exits first. */
function waitForUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /Tessera is running at (\S+)/.exec(out)
      if (match?.[1]) resolve(match[1])
    })
    child.stderr.on('data', (chunk) => {
      err += chunk
    })
    child.on('exit', (code) =>
      reject(new Error(`server exited (${code}) before it was ready: ${err}`)),
    )
  })
}

describe('server process', { timeout: 90_000 }, () => {
  it('starts with a first admin from the environment, serves, and stops cleanly on SIGTERM', async () => {
    // A database of its own, empty, so that the server creates the admin: a fresh data folder,
    // or on PostgreSQL a fresh database.
    const dataDir = await tempDir()
    const database: Record<string, string> =
      TEST_DB === 'postgres'
        ? { DATABASE_URL: ((await isolatedDatabaseConfig()) as { url: string }).url }
        : { TESSERA_DATA_DIR: dataDir }
    const email = 'first-admin@example.test'
    const child = spawn(process.execPath, [distFile('server.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        TESSERA_ADMIN_EMAIL: email,
        TESSERA_ADMIN_PASSWORD: PASSWORD,
        ...database,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    })

    const url = await waitForUrl(child)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    if (TEST_DB === 'pglite') expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(true)

    const health = await fetch(`${url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect((await fetch(`${url}/readyz`)).status).toBe(200)

    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    const me = await fetch(`${url}/api/v1/me`, { headers: { cookie } })
    const body = (await me.json()) as { user: unknown }
    expect(body.user).toMatchObject({ email, role: 'admin' })

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    if (TEST_DB === 'pglite') expect(existsSync(join(dataDir, 'tessera.pid'))).toBe(false)
  })
})
