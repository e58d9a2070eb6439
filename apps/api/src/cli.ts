import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from './db/client.js'
import { ConfigError, loadEnv, resolveDataDir } from './env.js'
import { CLI_COMMAND } from './lib/cli-command.js'
import { DataDirInUseError, lockDataDir } from './lib/data-dir-lock.js'
import { AppError } from './lib/errors.js'
import type { Actor } from './services/context.js'
import { createUserAsSystem } from './services/users/create.js'
import { findUserByEmail } from './services/users/find.js'
import { listUsers } from './services/users/list.js'
import { resetPassword } from './services/users/reset-password.js'

const USAGE = `Usage: ${CLI_COMMAND} <command> [options]

Commands:
  user create --email <email> [--name <name>] [--role admin|member] [--password-stdin]
  user reset-password --email <email> [--password-stdin]
  user list

Options:
  --password-stdin  Read the password from standard input instead of asking for it
  -h, --help        Show this help

The password is asked for interactively (hidden), or read from standard input with
--password-stdin. It is never taken from the command line, where other users could see it.
Uses DATABASE_URL when set, else the embedded database in TESSERA_DATA_DIR (default ./data);
the embedded database must not be in use by a running server: stop the server first.`

class UsageError extends Error {}

/** What reads the password: standard input, or the terminal, asked twice without echo. */
interface PasswordSource {
  fromStdin: boolean
  /** The command being run, for the example in the no-terminal message. */
  command: string
}

async function readPassword({ fromStdin, command }: PasswordSource): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  // Without a terminal there is nobody to ask (a script, CI, a pipe): reading standard input
  // anyway would take whatever happens to be there for a password.
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'No terminal to ask for the password on. Pass it on standard input with --password-stdin:\n' +
        `  printf '%s' "$PASSWORD" | ${command} --password-stdin`,
    )
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

interface ClaimedDatabase {
  use<T>(run: (db: DatabaseHandle) => Promise<T>): Promise<T>
  release(): void
}

/**
 * Reads the configuration and, for the embedded database, takes its lock: done before a password
 * is asked for, so that a running server is reported before anyone types anything.
 */
function claimDatabase(): ClaimedDatabase {
  const env = loadEnv()
  let config: DatabaseConfig
  let release = () => {}
  if (env.DATABASE_URL) {
    config = { driver: 'postgres', url: env.DATABASE_URL, max: 2 }
  } else {
    const dataDir = resolveDataDir(env)
    try {
      release = lockDataDir(dataDir)
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error
      throw new UsageError(
        `The embedded database in ${error.dataDir} is in use by a running Tessera server ` +
          `(pid ${error.pid}), and only one process at a time may open it.\n` +
          'Stop the server (Ctrl+C where it runs), run this command again, then start the server; ' +
          'or run both with DATABASE_URL pointing at one PostgreSQL server.',
      )
    }
    config = { driver: 'pglite', dataDir }
  }
  return {
    async use(run) {
      const handle = await openDatabase(config)
      try {
        await handle.migrate()
        return await run(handle)
      } finally {
        await handle.close()
      }
    },
    release,
  }
}

async function withDatabase<T>(
  run: (db: DatabaseHandle) => Promise<T>,
  before?: () => Promise<void>,
): Promise<T> {
  const database = claimDatabase()
  try {
    await before?.()
    return await database.use(run)
  } finally {
    database.release()
  }
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'member' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const [group, command, ...extra] = positionals
  if (group !== 'user' || !command || extra.length > 0) throw new UsageError(USAGE)

  if (command === 'list') {
    await withDatabase(async ({ db }) => {
      for (const u of await listUsers({ db })) {
        process.stdout.write(`${u.email}\t${u.role}${u.disabled ? '\tdisabled' : ''}\t${u.name}\n`)
      }
    })
    return
  }
  if (command !== 'create' && command !== 'reset-password') throw new UsageError(USAGE)

  const email = z.email().safeParse(values.email)
  if (!email.success) throw new UsageError('--email must be a valid email address.')
  const source: PasswordSource = {
    fromStdin: values['password-stdin'] ?? false,
    command: `${CLI_COMMAND} user ${command} --email ${email.data}`,
  }
  let password = ''
  const askPassword = async () => {
    password = checkPassword(await readPassword(source))
  }

  if (command === 'create') {
    const role = z.enum(['admin', 'member']).safeParse(values.role)
    if (!role.success) throw new UsageError('--role must be admin or member.')
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
    }, askPassword)
    return
  }

  await withDatabase(async ({ db }) => {
    const user = await findUserByEmail(db, email.data)
    if (!user) throw new UsageError(`No user with email ${email.data}.`)
    const actor: Actor = { user, via: 'cli', token: null }
    await resetPassword({ ctx: { db, actor }, input: { id: user.id, password } })
    process.stdout.write(`Password changed for ${user.email}; their console sessions were ended.\n`)
  }, askPassword)
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
