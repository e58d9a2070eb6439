import { and, eq, gt, lt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { sessions, users } from '../../db/schema/index.js'
import { randomSecret, sha256Hex } from '../../lib/secrets.js'

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** Starts a console session; the returned secret goes into the cookie and nowhere else. */
export async function createSession(db: Db, userId: string) {
  const secret = randomSecret()
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS)
  await db.insert(sessions).values({ userId, secretHash: sha256Hex(secret), expiresAt })
  // Opportunistic clean-up of this user's expired sessions keeps the table small.
  await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, new Date())))
  return { secret, expiresAt }
}

/** The user behind a session cookie, or undefined when the session is unknown or over. */
export async function resolveSession(db: Db, secret: string) {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.secretHash, sha256Hex(secret)), gt(sessions.expiresAt, new Date())))
    .limit(1)
  return row
}

export async function endSession(db: Db, secret: string) {
  await db.delete(sessions).where(eq(sessions.secretHash, sha256Hex(secret)))
}
