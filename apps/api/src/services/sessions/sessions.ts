import { and, eq, gt, lt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { sessions, users } from '../../db/schema/index.js'
import { randomSecret, sha256Hex } from '../../lib/secrets.js'

export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** Longer User-Agents are cut: the session list shows a browser's name, not a novel. */
const USER_AGENT_MAX = 512

/** Where a sign-in came from, for the account's session list. */
export interface SessionOrigin {
  /** A valid address, or null: whatever a client claims is never stored. */
  ip: string | null
  userAgent: string | null
}

/** Starts a console session; the returned secret goes into the cookie and nowhere else. */
export async function createSession(db: Db, userId: string, origin: SessionOrigin) {
  const secret = randomSecret()
  const now = new Date()
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS)
  await db.insert(sessions).values({
    userId,
    secretHash: sha256Hex(secret),
    // One clock for all three, so "last seen" is never before "signed in".
    createdAt: now,
    expiresAt,
    lastSeenAt: now,
    ip: origin.ip,
    userAgent: origin.userAgent?.slice(0, USER_AGENT_MAX) || null,
  })
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
