import { readFileSync } from 'node:fs'
import { buildApp } from './app.js'
import type { DatabaseConfig } from './db/client.js'
import { ConfigError, loadEnv, resolveDataDir } from './env.js'
import { lockDataDir } from './lib/data-dir-lock.js'
import { loggerOptions } from './lib/logger.js'
import { createUserAsSystem } from './services/users/create.js'
import { countUsers } from './services/users/list.js'

async function main() {
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
    logger: loggerOptions(env.LOG_LEVEL),
    publicUrl: env.TESSERA_PUBLIC_URL,
    allowedOrigins: env.TESSERA_ALLOWED_ORIGINS,
    https,
    trustProxy: env.TRUST_PROXY,
  })

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

  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => process.exit(1), 10_000).unref()
    try {
      await app.close()
    } finally {
      clearTimeout(timer)
      unlock()
      process.exit(0)
    }
  }
  process.on('SIGINT', () => void close('SIGINT'))
  process.on('SIGTERM', () => void close('SIGTERM'))

  await app.listen({ port: env.PORT, host: env.HOST })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const scheme = https ? 'https' : 'http'
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST
  const url =
    env.TESSERA_PUBLIC_URL ?? `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
  const users = await countUsers(app.db)
  const signIn =
    users === 0
      ? `Open ${url} and create the first admin account (or run: pnpm tessera user create --email you@example.com --role admin).`
      : `Open ${url} and sign in. Forgot the password? pnpm tessera user reset-password --email you@example.com`
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
