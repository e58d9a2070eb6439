import { readFileSync } from 'node:fs'
import { buildApp } from './app.js'
import type { DatabaseConfig } from './db/client.js'
import { ConfigError, type Env, loadEnv, resolveDataDir } from './env.js'
import { CLI_COMMAND } from './lib/cli-command.js'
import { lockDataDir } from './lib/data-dir-lock.js'
import { logDestination } from './lib/log-destination.js'
import { loggerOptions } from './lib/logger.js'
import { stopOnSignals } from './lib/shutdown.js'
import { issueSetupCode } from './services/setup/code.js'
import { createUserAsSystem } from './services/users/create.js'

/** A word for a POSIX shell, quoted only when it has to be. */
const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`

/** What the CLI needs to find the same database, when it is not the default one. */
const cliPrefix = (env: Env) =>
  !env.DATABASE_URL && env.TESSERA_DATA_DIR
    ? `TESSERA_DATA_DIR=${shellWord(resolveDataDir(env))} `
    : ''

/**
 * The embedded database takes one process at a time, so the CLI cannot open it beside the
 * server; on PostgreSQL it only needs the same DATABASE_URL (not printed: it may hold a password).
 */
const cliCondition = (database: DatabaseConfig) =>
  database.driver === 'pglite' ? ' with the server stopped' : ' with the same DATABASE_URL'

async function main() {
  // A log reader that has gone away must not take the server with it (EPIPE is an 'error' event).
  process.stderr.on('error', () => {})
  const env = loadEnv()
  let database: DatabaseConfig
  let unlock = () => {}
  let where: string
  if (env.DATABASE_URL) {
    database = { driver: 'postgres', url: env.DATABASE_URL }
    where = `PostgreSQL at ${new URL(env.DATABASE_URL).host}`
  } else {
    const dataDir = resolveDataDir(env)
    unlock = lockDataDir(dataDir)
    database = { driver: 'pglite', dataDir }
    where = `embedded database in ${dataDir}`
  }

  const https =
    env.TLS_CERT_FILE && env.TLS_KEY_FILE
      ? { cert: readFileSync(env.TLS_CERT_FILE), key: readFileSync(env.TLS_KEY_FILE) }
      : undefined
  const app = await buildApp({
    database,
    logger: loggerOptions(env.LOG_LEVEL, logDestination(process.stdout)),
    publicUrl: env.TESSERA_PUBLIC_URL,
    allowedOrigins: env.TESSERA_ALLOWED_ORIGINS,
    https,
    trustProxy: env.TRUST_PROXY,
    allowedHosts: env.TESSERA_ALLOWED_HOSTS,
    redisUrl: env.REDIS_URL,
    limits: {
      requestTimeoutMs: env.TESSERA_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.TESSERA_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.TESSERA_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: env.TESSERA_IDLE_TIMEOUT_MS,
      maxConnections: env.TESSERA_MAX_CONNECTIONS,
    },
  })
  stopOnSignals(app, { timeoutMs: env.TESSERA_SHUTDOWN_TIMEOUT_MS, beforeExit: () => unlock() })

  if (env.TESSERA_ADMIN_EMAIL && env.TESSERA_ADMIN_PASSWORD) {
    const created = await createUserAsSystem(
      app.db,
      {
        email: env.TESSERA_ADMIN_EMAIL,
        name: env.TESSERA_ADMIN_EMAIL.split('@')[0] ?? 'Admin',
        password: env.TESSERA_ADMIN_PASSWORD,
        role: 'admin',
      },
      { via: 'cli', onlyIfEmpty: true },
    )
    if (created)
      app.log.info({ email: created.email }, 'created the first admin from TESSERA_ADMIN_EMAIL')
  }

  await app.listen({ port: env.PORT, host: env.HOST })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const scheme = https ? 'https' : 'http'
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST
  const url =
    env.TESSERA_PUBLIC_URL ?? `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
  // The one-time code that creating the first admin in the console needs; only on this terminal.
  const setupCode = await issueSetupCode(app.db)
  const signIn = setupCode
    ? `Open ${url} and create the first admin account with this one-time code.\n  Setup code: ${setupCode}\n  Or run${cliCondition(database)}: ${cliPrefix(env)}${CLI_COMMAND} user create --email you@example.com --role admin`
    : `Open ${url} and sign in. Forgot the password? Run${cliCondition(database)}: ${cliPrefix(env)}${CLI_COMMAND} user reset-password --email you@example.com`
  process.stdout.write(
    `\n  Tessera is running at ${url}\n  Data: ${where}\n  ${signIn}\n  API docs: ${url}/api/docs\n\n`,
  )
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`)
  } else {
    process.stderr.write(
      `Tessera could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    )
  }
  process.exit(1)
})
