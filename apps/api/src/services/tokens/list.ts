import { and, desc, eq, gt, isNotNull, isNull, lte, or, type SQL } from 'drizzle-orm'
import type { AdminToken, Token } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { apiTokens, users } from '../../db/schema/index.js'
import { presentToken } from './present.js'

/** The user's own tokens, newest first, revoked and expired ones included. */
export async function listTokens({ db, userId }: { db: Db; userId: string }): Promise<Token[]> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
  const now = new Date()
  return rows.map((row) => presentToken(row, now))
}

export interface AdminListInput {
  userId?: string | undefined
  status?: 'active' | 'expired' | 'revoked' | undefined
  limit: number
}

/** Every user's tokens, for administrators, filtered by user and status. */
export async function listAllTokens({
  db,
  input,
}: {
  db: Db
  input: AdminListInput
}): Promise<AdminToken[]> {
  const now = new Date()
  const filters: (SQL | undefined)[] = []
  if (input.userId) filters.push(eq(apiTokens.userId, input.userId))
  if (input.status === 'revoked') filters.push(isNotNull(apiTokens.revokedAt))
  if (input.status === 'expired') {
    filters.push(
      isNull(apiTokens.revokedAt),
      isNotNull(apiTokens.expiresAt),
      lte(apiTokens.expiresAt, now),
    )
  }
  if (input.status === 'active') {
    filters.push(
      isNull(apiTokens.revokedAt),
      or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
    )
  }
  const rows = await db
    .select({ token: apiTokens, user: { id: users.id, email: users.email, name: users.name } })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(...filters))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(input.limit)
  return rows.map(({ token, user }) => ({ ...presentToken(token, now), user }))
}
