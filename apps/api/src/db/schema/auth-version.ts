import { sql } from 'drizzle-orm'
import { bigint, check, pgTable, smallint } from 'drizzle-orm/pg-core'

/**
 * One row counting the changes to what token authentication reads: a token's secret, owner, name,
 * scopes, expiry or revocation; its user's identity, role or disabled flag; the workspace's token
 * policy. Triggers (migration 0009) add one when a transaction making such a change commits, in
 * that transaction. Instances reuse the token rows they have read only while this number has not
 * moved (services/tokens/lookup.ts).
 */
export const authVersion = pgTable(
  'auth_version',
  {
    id: smallint('id').primaryKey().default(1),
    version: bigint('version', { mode: 'bigint' }).notNull().default(sql`0`),
  },
  (t) => [check('auth_version_single_row', sql`${t.id} = 1`)],
)
