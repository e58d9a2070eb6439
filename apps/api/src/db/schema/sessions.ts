import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.js'

/** Console sign-in sessions. Only the SHA-256 of the cookie value is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull().unique('sessions_secret_hash_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Written at most once a minute per session, like a token's last use. */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    /** The address and browser (User-Agent) that signed in, for the account's session list. */
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [
    // Ending every session of a user (disable, password reset).
    index('sessions_user_id_idx').on(t.userId),
  ],
)

export type SessionRow = typeof sessions.$inferSelect
