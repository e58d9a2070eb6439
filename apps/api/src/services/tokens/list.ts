import { and, desc, eq, gt, isNotNull, isNull, lte, or, type SQL } from 'drizzle-orm'
import type { AdminToken, Token } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { apiTokens, users } from '../../db/schema/index.js'
import { afterTimeCursor, decodeTimeCursor, encodeTimeCursor } from '../../lib/cursor.js'
import { presentedTokenColumns, presentToken } from './present.js'

export interface TokenPageInput {
  cursor?: string | undefined
  limit: number
}

/** Newest first by (created_at, id), the order of both token indexes; the cursor resumes there. */
const newestFirst = [desc(apiTokens.createdAt), desc(apiTokens.id)]

function nextCursor(rows: { createdAt: Date; id: string }[], limit: number) {
  const last = rows[limit - 1]
  return rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : null
}

/** The user's own tokens, newest first, revoked and expired ones included, a page at a time. */
export async function listTokens({
  db,
  userId,
  input,
}: {
  db: Db
  userId: string
  input: TokenPageInput
}): Promise<{ tokens: Token[]; nextCursor: string | null }> {
  const filters: SQL[] = [eq(apiTokens.userId, userId)]
  if (input.cursor) {
    filters.push(afterTimeCursor(apiTokens.createdAt, apiTokens.id, decodeTimeCursor(input.cursor)))
  }
  const rows = await db
    .select(presentedTokenColumns)
    .from(apiTokens)
    .where(and(...filters))
    .orderBy(...newestFirst)
    .limit(input.limit + 1)
  const now = new Date()
  return {
    tokens: rows.slice(0, input.limit).map((row) => presentToken(row, now)),
    nextCursor: nextCursor(rows, input.limit),
  }
}

export interface AdminListInput extends TokenPageInput {
  userId?: string | undefined
  status?: 'active' | 'expired' | 'revoked' | undefined
}

/** Every user's tokens, for administrators, filtered by user and status, a page at a time. */
export async function listAllTokens({
  db,
  input,
}: {
  db: Db
  input: AdminListInput
}): Promise<{ tokens: AdminToken[]; nextCursor: string | null }> {
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
  if (input.cursor) {
    filters.push(afterTimeCursor(apiTokens.createdAt, apiTokens.id, decodeTimeCursor(input.cursor)))
  }
  const rows = await db
    .select({
      token: presentedTokenColumns,
      user: { id: users.id, email: users.email, name: users.name },
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(...filters))
    .orderBy(...newestFirst)
    .limit(input.limit + 1)
  return {
    tokens: rows
      .slice(0, input.limit)
      .map(({ token, user }) => ({ ...presentToken(token, now), user })),
    nextCursor: nextCursor(
      rows.map((row) => row.token),
      input.limit,
    ),
  }
}
