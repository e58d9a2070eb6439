import type { Role } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { users } from '../../db/schema/index.js'
import { conflict } from '../../lib/errors.js'
import { isUniqueViolation } from '../../lib/pg-errors.js'
import { recordActivity } from '../activity/record.js'
import type { Actor, ServiceContext } from '../context.js'
import { findUserByEmail } from './find.js'
import { hashPassword } from './password.js'

export interface CreateUserInput {
  email: string
  name: string
  password: string
  role: Role
}

const emailTaken = () => conflict('email_taken', 'A user with this email already exists.')

/** Inserts a user whose password is already hashed (hashing is slow: never inside a transaction). */
async function insertUser(
  tx: Executor,
  input: Omit<CreateUserInput, 'password'> & { passwordHash: string },
) {
  if (await findUserByEmail(tx, input.email)) throw emailTaken()
  const [row] = await tx
    .insert(users)
    .values({
      email: input.email.trim(),
      name: input.name.trim(),
      passwordHash: input.passwordHash,
      role: input.role,
    })
    .returning()
    .catch((error: unknown) => {
      // Two requests creating the same email at once: the unique index decides.
      throw isUniqueViolation(error) ? emailTaken() : error
    })
  if (!row) throw new Error('insert returned no row')
  return row
}

async function withHash({ password, ...rest }: CreateUserInput) {
  return { ...rest, passwordHash: await hashPassword(password) }
}

/** Creates a user; the actor is the admin (or the CLI) doing it. */
export async function createUser({ ctx, input }: { ctx: ServiceContext; input: CreateUserInput }) {
  const prepared = await withHash(input)
  return ctx.db.transaction(async (tx) => {
    const row = await insertUser(tx, prepared)
    await recordActivity(tx, ctx.actor, {
      action: 'user.created',
      target: { type: 'user', id: row.id, label: row.email },
      changes: { role: { before: null, after: row.role } },
    })
    return row
  })
}

/**
 * Creates the first user from the command line or TESSERA_ADMIN_*: the new user is its own actor.
 * With `onlyIfEmpty`, does nothing when any user exists (never overwrites anyone).
 */
export async function createUserAsSystem(
  db: ServiceContext['db'],
  input: CreateUserInput,
  options: { via: Actor['via']; onlyIfEmpty?: boolean },
) {
  const prepared = await withHash(input)
  return db.transaction(async (tx) => {
    if (options.onlyIfEmpty) {
      // Serialises concurrent first starts of several instances.
      await tx.execute(`select pg_advisory_xact_lock(7346222)`)
      const [any] = await tx.select({ id: users.id }).from(users).limit(1)
      if (any) return null
    }
    const row = await insertUser(tx, prepared)
    await recordActivity(
      tx,
      { user: row, via: options.via, token: null },
      {
        action: 'user.created',
        target: { type: 'user', id: row.id, label: row.email },
        changes: { role: { before: null, after: row.role } },
      },
    )
    return row
  })
}
