import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { oauthClients } from './oauth-clients.js'
import { users } from './users.js'

/**
 * Authorization requests (RFC 6749 §4.1.1) waiting for the user's consent in the console, and,
 * once approved, the one-time authorization code they turn into. Request ids and codes are stored
 * only as SHA-256 hashes.
 */
export const oauthAuthorizations = pgTable(
  'oauth_authorizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 of the request id in the consent page's URL. */
    requestHash: text('request_hash').notNull().unique('oauth_authorizations_request_hash_key'),
    clientId: uuid('client_id')
      .notNull()
      .references(() => oauthClients.id, { onDelete: 'cascade' }),
    redirectUri: text('redirect_uri').notNull(),
    state: text('state'),
    /** PKCE S256 challenge (RFC 7636). */
    codeChallenge: text('code_challenge').notNull(),
    /** The protected resource (RFC 8707): the MCP endpoint's URL. */
    resource: text('resource').notNull(),
    requestedScopes: text('requested_scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The consent page must be answered before this. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    approvedScopes: text('approved_scopes').array(),
    /** Lifetime of the grant in days (how long refreshing works); null: until revoked. */
    grantLifetimeDays: integer('grant_lifetime_days'),
    /** SHA-256 of the authorization code; the token endpoint looks codes up by it. */
    codeHash: text('code_hash').unique('oauth_authorizations_code_hash_key'),
    codeExpiresAt: timestamp('code_expires_at', { withTimezone: true }),
    codeUsedAt: timestamp('code_used_at', { withTimezone: true }),
    /** The grant the code was exchanged for: a replayed code revokes it (RFC 6749 §4.1.2). */
    grantId: uuid('grant_id'),
  },
  (t) => [
    // Clearing requests and codes that expired long ago.
    index('oauth_authorizations_expires_at_idx').on(t.expiresAt),
  ],
)

export type OAuthAuthorizationRow = typeof oauthAuthorizations.$inferSelect
