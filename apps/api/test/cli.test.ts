import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
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

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
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
