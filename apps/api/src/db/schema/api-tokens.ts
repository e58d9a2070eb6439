import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.js'

/** Personal API tokens. The secret itself is never stored: only its SHA-256. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // Authentication looks the token up by this unique index on every request.
    secretHash: text('secret_hash').notNull().unique('api_tokens_secret_hash_key'),
    /** Non-secret display prefix such as `tsr_3fA9c2`. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    /** Lifetime chosen at creation, kept so that rotation grants the same lifetime again. */
    lifetimeDays: integer('lifetime_days'),
    /** Milliseconds, like a JavaScript Date: token lists page by (created_at, id) through a cursor. */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    lastUsedIp: text('last_used_ip'),
    /** The client seen with the last use: MCP clientInfo ("Cursor 1.7"), else a User-Agent's product. */
    lastUsedClient: text('last_used_client'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    // listTokens ("my tokens") and listAllTokens filtered by user:
    // `where user_id = $1 order by created_at desc, id desc`, paged by `(created_at, id) < (...)`.
    index('api_tokens_user_id_created_at_idx').on(
      t.userId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // listAllTokens (the admin list): `order by created_at desc, id desc`, same cursor.
    index('api_tokens_created_at_idx').on(
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // listAllTokens sorted by last use: `order by last_used_at desc nulls last, id desc`, and
    // "unused for 90 days" (`last_used_at < $1 or last_used_at is null`) from the other end.
    index('api_tokens_last_used_at_idx').on(t.lastUsedAt.desc().nullsLast(), t.id.desc()),
  ],
)

export type ApiTokenRow = typeof apiTokens.$inferSelect
