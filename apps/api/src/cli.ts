import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from './db/client.js'
import { ConfigError, loadEnv, resolveDataDir } from './env.js'
import { lockDataDir } from './lib/data-dir-lock.js'
import { AppError } from './lib/errors.js'
import type { Actor } from './services/context.js'
import { createUserAsSystem } from './services/users/create.js'
import { findUserByEmail } from './services/users/find.js'
import { listUsers } from './services/users/list.js'
import { resetPassword } from './services/users/reset-password.js'

const USAGE = `Usage: pnpm tessera <command> [options]

Commands:
  user create --email <email> [--name <name>] [--role admin|member] [--password-stdin]
  user reset-password --email <email> [--password-stdin]
  user list

The password is asked for interactively (hidden), or read from standard input with
--password-stdin. It is never taken from the command line, where other users could see it.
Uses DATABASE_URL when set, else the embedded database in TESSERA_DATA_DIR (default ./data);
the embedded database must not be in use by a running server.`

class UsageError extends Error {}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
      const output = rl as unknown as { _writeToOutput: (s: string) => void }
      output._writeToOutput = (s: string) => {
        if (s.startsWith(prompt)) process.stdout.write(prompt)
      }
      rl.question(prompt, (answer) => {
        rl.close()
        process.stdout.write('\n')
        resolve(answer)
      })
    })
  const first = await ask('Password (at least 12 characters): ')
  const second = await ask('Repeat the password: ')
  if (first !== second) throw new UsageError('The passwords do not match.')
  return first
}

function checkPassword(password: string) {
  if (password.length < 12)
    throw new UsageError('The password must be at least 12 characters long.')
  return password
}

async function withDatabase<T>(run: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const env = loadEnv()
  let config: DatabaseConfig
  let unlock = () => {}
  if (env.DATABASE_URL) {
    config = { driver: 'postgres', url: env.DATABASE_URL, max: 2 }
  } else {
    const dataDir = resolveDataDir(env)
    unlock = lockDataDir(dataDir)
    config = { driver: 'pglite', dataDir }
  }
  const handle = await openDatabase(config)
  try {
    await handle.migrate()
    return await run(handle)
  } finally {
    await handle.close()
    unlock()
  }
}

async function main(argv: string[]) {
  const [group, command, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'member' },
      'password-stdin': { type: 'boolean', default: false },
    },
    strict: true,
  })
  if (group !== 'user' || !command) throw new UsageError(USAGE)

  if (command === 'list') {
    await withDatabase(async ({ db }) => {
      for (const u of await listUsers({ db })) {
        process.stdout.write(`${u.email}\t${u.role}${u.disabled ? '\tdisabled' : ''}\t${u.name}\n`)
      }
    })
    return
  }

  const email = z.email().safeParse(values.email)
  if (!email.success) throw new UsageError('--email must be a valid email address.')

  if (command === 'create') {
    const role = z.enum(['admin', 'member']).safeParse(values.role)
    if (!role.success) throw new UsageError('--role must be admin or member.')
    const password = checkPassword(await readPassword(values['password-stdin'] ?? false))
    await withDatabase(async ({ db }) => {
      const user = await createUserAsSystem(
        db,
        {
          email: email.data,
          name: values.name ?? email.data.split('@')[0] ?? email.data,
          password,
          role: role.data,
        },
        { via: 'cli' },
      )
      process.stdout.write(`Created ${user?.role} ${user?.email}.\n`)
    })
    return
  }

  if (command === 'reset-password') {
    const password = checkPassword(await readPassword(values['password-stdin'] ?? false))
    await withDatabase(async ({ db }) => {
      const user = await findUserByEmail(db, email.data)
      if (!user) throw new UsageError(`No user with email ${email.data}.`)
      const actor: Actor = { user, via: 'cli', token: null }
      await resetPassword({ ctx: { db, actor }, input: { id: user.id, password } })
      process.stdout.write(
        `Password changed for ${user.email}; their console sessions were ended.\n`,
      )
    })
    return
  }
  throw new UsageError(USAGE)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof AppError) {
    process.stderr.write(`${error.message}\n`)
  } else if (error instanceof Error && error.name === 'TypeError' && 'code' in error) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`)
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  }
  process.exit(1)
})
