import { and, desc, eq, gt, isNotNull, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm'
import type { AdminToken, AdminTokenSort, Token } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { apiTokens, users } from '../../db/schema/index.js'
import {
  afterTimeCursor,
  decodeTimeCursor,
  encodeTimeCursor,
  invalidCursor,
} from '../../lib/cursor.js'
import { isUuid } from '../../lib/ids.js'
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
  /** `last_used`: most recently used first, never used last. */
  sort?: AdminTokenSort | undefined
  /** Only tokens not used for this many days (never used ones older than that included). */
  unused?: number | undefined
}

/**
 * Every user's tokens, for administrators, filtered by user, status and disuse, newest first or
 * by last use, a page at a time. `unused` lists by last use.
 */
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
  if (input.sort === 'last_used' || input.unused !== undefined) {
    return listByLastUse(db, filters, input, now)
  }
  if (input.cursor) {
    filters.push(afterTimeCursor(apiTokens.createdAt, apiTokens.id, decodeTimeCursor(input.cursor)))
  }
  const rows = await selectAdminTokens(db, filters, [...newestFirst], input.limit + 1)
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

function selectAdminTokens(db: Db, filters: (SQL | undefined)[], order: SQL[], limit: number) {
  return db
    .select({
      token: presentedTokenColumns,
      user: { id: users.id, email: users.email, name: users.name },
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(...filters))
    .orderBy(...order)
    .limit(limit)
}

/** Where a list by last use stopped; `at` is null once in the never-used part. */
interface LastUseCursor {
  at: Date | null
  id: string
}

/** Last-use times come from JavaScript Dates (recorder), so milliseconds are exact here too. */
function encodeLastUseCursor({ at, id }: LastUseCursor) {
  return Buffer.from(`u|${at ? at.toISOString() : ''}|${id}`).toString('base64url')
}

function decodeLastUseCursor(cursor: string): LastUseCursor {
  const [kind, iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const at = iso ? new Date(iso) : null
  if (kind !== 'u' || !id || rest.length || !isUuid(id) || (at && Number.isNaN(at.getTime()))) {
    throw invalidCursor()
  }
  return { at, id }
}

/**
 * The order of api_tokens_last_used_at_idx (`last_used_at desc nulls last, id desc nulls last`),
 * read in two parts that the index holds one after the other: tokens used (the cursor, and the
 * `unused` cut-off, are where its scan starts) and then tokens never used. A page that spans both
 * asks twice; each reads the index in order and stops at the page's end.
 */
async function listByLastUse(
  db: Db,
  filters: (SQL | undefined)[],
  input: AdminListInput,
  now: Date,
): Promise<{ tokens: AdminToken[]; nextCursor: string | null }> {
  const cursor = input.cursor ? decodeLastUseCursor(input.cursor) : null
  const order = [sql`${apiTokens.lastUsedAt} desc nulls last`, sql`${apiTokens.id} desc nulls last`]
  const cutoff = input.unused ? new Date(now.getTime() - input.unused * 86_400_000) : null
  const want = input.limit + 1
  const rows: Awaited<ReturnType<typeof selectAdminTokens>> = []
  if (!cursor || cursor.at) {
    const used: SQL[] = [isNotNull(apiTokens.lastUsedAt)]
    if (cutoff) used.push(lt(apiTokens.lastUsedAt, cutoff))
    if (cursor?.at) {
      used.push(
        sql`(${apiTokens.lastUsedAt}, ${apiTokens.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
      )
    }
    rows.push(...(await selectAdminTokens(db, [...filters, ...used], order, want)))
  }
  if (rows.length < want) {
    const never: SQL[] = [isNull(apiTokens.lastUsedAt)]
    // A token made yesterday and not used yet is not "unused for 90 days".
    if (cutoff) never.push(lt(apiTokens.createdAt, cutoff))
    if (cursor && !cursor.at) never.push(lt(apiTokens.id, cursor.id))
    rows.push(...(await selectAdminTokens(db, [...filters, ...never], order, want - rows.length)))
  }
  const last = rows[input.limit - 1]
  return {
    tokens: rows
      .slice(0, input.limit)
      .map(({ token, user }) => ({ ...presentToken(token, now), user })),
    nextCursor:
      rows.length > input.limit && last
        ? encodeLastUseCursor({ at: last.token.lastUsedAt, id: last.token.id })
        : null,
  }
}
