import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { oauthGrants } from './oauth-grants.js'

/**
 * Refresh tokens, stored only as SHA-256 hashes. Each is used once: refreshing marks it used and
 * issues the next one. Used ones are kept so that a replay is recognised and ends the whole grant.
 */
export const oauthRefreshTokens = pgTable(
  'oauth_refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    grantId: uuid('grant_id')
      .notNull()
      .references(() => oauthGrants.id, { onDelete: 'cascade' }),
    // The token endpoint looks refresh tokens up by this unique index.
    secretHash: text('secret_hash').notNull().unique('oauth_refresh_tokens_secret_hash_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    // Deleting a grant's refresh tokens (on cascade).
    index('oauth_refresh_tokens_grant_id_idx').on(t.grantId),
  ],
)

export type OAuthRefreshTokenRow = typeof oauthRefreshTokens.$inferSelect
