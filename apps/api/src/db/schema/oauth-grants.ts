import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { apiTokens } from './api-tokens.js'
import { oauthClients } from './oauth-clients.js'
import { users } from './users.js'

/**
 * What a user allowed an OAuth client: scopes, resource and lifetime. The grant's access token is
 * one ordinary row in api_tokens (listed, revocable, with last use), given a new secret on each
 * refresh; its refresh tokens are in oauth_refresh_tokens.
 */
export const oauthGrants = pgTable(
  'oauth_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => oauthClients.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The access token; revoking it from the token list ends the grant. */
    tokenId: uuid('token_id')
      .notNull()
      .references(() => apiTokens.id, { onDelete: 'cascade' })
      .unique('oauth_grants_token_id_key'),
    scopes: text('scopes').array().notNull(),
    resource: text('resource').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Refreshing stops working after this; null: until revoked. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastRefreshedAt: timestamp('last_refreshed_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Why it ended: `revoked` by the user or client, `refresh_token_reused`, `code_reused`. */
    revokedReason: text('revoked_reason'),
  },
  (t) => [
    // A user's connected apps, newest first.
    index('oauth_grants_user_id_created_at_idx').on(t.userId, t.createdAt.desc()),
    // Blocking a client ends its grants.
    index('oauth_grants_client_id_idx').on(t.clientId),
  ],
)

export type OAuthGrantRow = typeof oauthGrants.$inferSelect
