import { eq, fillPlaceholders, sql } from 'drizzle-orm'
import type { DatabaseHandle } from '../../db/client.js'
import type { ApiTokenRow, UserRow } from '../../db/schema/index.js'
import { apiTokens, settings, users } from '../../db/schema/index.js'

/** What authentication needs of a token: the token, its user and the workspace's token policy. */
export interface TokenLookupRow {
  secretHash: string
  token: Pick<
    ApiTokenRow,
    'id' | 'name' | 'prefix' | 'scopes' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'
  >
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'disabled'>
  /** Null while the workspace has no settings row (the default applies). */
  membersCanManageTokens: boolean | null
}

/**
 * The lookup that precedes every token request: tokens by the SHA-256 of their secrets, many at
 * once, on the lookup connection (see DatabaseHandle.lookups).
 *
 * The query is drizzle's, the rows are mapped here: drizzle's generic mapping of nested selections
 * cost the server more per token than the query cost the database.
 */
export function tokenLookup(database: DatabaseHandle) {
  const db = database.lookups
  // The owner by primary key, once per token: a lateral subquery with LIMIT 1 is never flattened
  // into a plain join, so the planner cannot hash-join a batch against every user (which the
  // prepared statement's generic plan did, assuming ten tokens a batch).
  const owner = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: users.disabled,
    })
    .from(users)
    .where(eq(users.id, apiTokens.userId))
    .limit(1)
    .as('owner')
  // The order of these columns is the order of each row's values below.
  const query = db
    .select({
      secretHash: apiTokens.secretHash,
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scopes: apiTokens.scopes,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: owner.id,
      email: owner.email,
      userName: owner.name,
      role: owner.role,
      disabled: owner.disabled,
      // A subquery run once per batch (an init plan), where a join would probe settings per row.
      membersCanManageTokens: sql`(select ${settings.membersCanManageTokens} from ${settings} where ${settings.id} = 1)`,
    })
    .from(apiTokens)
    .innerJoinLateral(owner, sql`true`)
    .where(sql`${apiTokens.secretHash} = any(${sql.placeholder('hashes')}::text[])`)
    .toSQL()

  const date = (value: unknown) =>
    value === null ? null : (apiTokens.expiresAt.mapFromDriverValue(value as string | Date) as Date)
  const scopes = (value: unknown) =>
    apiTokens.scopes.mapFromDriverValue(value as string) as string[]

  return async (hashes: string[]): Promise<Map<string, TokenLookupRow>> => {
    const params = fillPlaceholders(query.params, { hashes })
    const rows = await database.lookupRows({ sql: query.sql, params })
    const found = new Map<string, TokenLookupRow>()
    for (const v of rows) {
      const secretHash = v[0] as string
      found.set(secretHash, {
        secretHash,
        token: {
          id: v[1] as string,
          name: v[2] as string,
          prefix: v[3] as string,
          scopes: scopes(v[4]),
          expiresAt: date(v[5]),
          revokedAt: date(v[6]),
          lastUsedAt: date(v[7]),
        },
        user: {
          id: v[8] as string,
          email: v[9] as string,
          name: v[10] as string,
          role: v[11] as UserRow['role'],
          disabled: v[12] as boolean,
        },
        membersCanManageTokens: v[13] as boolean | null,
      })
    }
    return found
  }
}
