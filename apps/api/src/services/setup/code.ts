import { randomInt } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import type { Db, Executor } from '../../db/client.js'
import { settings } from '../../db/schema/index.js'
import { sha256Hex } from '../../lib/secrets.js'
import { countUsers } from '../users/list.js'

// Crockford's base32 without the letters people misread (I, L, O, U): 12 characters, 60 bits.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const LENGTH = 12

/** Upper-case, without spaces or dashes: the form the code is hashed in. */
const normalize = (code: string) => code.replace(/[\s-]+/g, '').toUpperCase()

/**
 * While the server has no users, makes a new one-time setup code, stores its hash and returns it
 * (`ABCD-EFGH-JKMN`) for the start banner: creating the first admin in the console needs it, so a
 * page that reaches the server first (another user on the network, a DNS-rebinding site) cannot
 * claim it. Returns null when there are users. Each start replaces the previous code.
 */
export async function issueSetupCode(db: Db): Promise<string | null> {
  if ((await countUsers(db)) > 0) return null
  let raw = ''
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)]
  const hash = sha256Hex(raw)
  await db
    .insert(settings)
    .values({ id: 1, setupCodeHash: hash })
    .onConflictDoUpdate({ target: settings.id, set: { setupCodeHash: hash } })
  return raw.match(/.{4}/g)?.join('-') ?? raw
}

/** Whether `code` is the current setup code; compared by hash. */
export async function isSetupCode(db: Executor, code: string): Promise<boolean> {
  const normalized = normalize(code)
  if (normalized.length !== LENGTH) return false
  const [row] = await db
    .select({ id: settings.id })
    .from(settings)
    .where(eq(settings.setupCodeHash, sha256Hex(normalized)))
    .limit(1)
  return Boolean(row)
}

/** The code is used up once the first admin exists. */
export async function clearSetupCode(db: Executor) {
  await db.update(settings).set({ setupCodeHash: sql`null` }).where(eq(settings.id, 1))
}
