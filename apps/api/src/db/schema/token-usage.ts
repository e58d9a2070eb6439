import {
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { apiTokens } from './api-tokens.js'

/**
 * How each token was used, per day, client and address: request counts for the usage chart and
 * the distinct clients and addresses seen. Written in batches with last use (never a write per
 * request); rows older than 90 days are deleted.
 */
export const tokenUsage = pgTable(
  'token_usage',
  {
    tokenId: uuid('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' }),
    /** UTC day. */
    day: date('day', { mode: 'string' }).notNull(),
    /** "Cursor 1.7", "curl", ... ; empty when nothing identified the client. */
    client: text('client').notNull().default(''),
    /** Empty when the address is unknown. */
    address: text('address').notNull().default(''),
    requests: integer('requests').notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // A token's usage (`token_id = $1 and day >= $2`) and the batched upsert's conflict target.
    primaryKey({ name: 'token_usage_pkey', columns: [t.tokenId, t.day, t.client, t.address] }),
    // Pruning: `delete ... where day < $1`.
    index('token_usage_day_idx').on(t.day),
  ],
)

export type TokenUsageRow = typeof tokenUsage.$inferSelect
