import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/**
 * OAuth clients (MCP hosts such as Claude Desktop, VS Code, mcp-remote), registered through
 * Dynamic Client Registration (RFC 7591), or known by the URL of their Client ID Metadata Document
 * (fetched when they first ask to connect, and again once the copy here is stale). All are public
 * clients: they hold no secret and prove themselves with PKCE.
 */
export const oauthClients = pgTable(
  'oauth_clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /**
     * The `client_id`: `tsc_...` given at registration, or the metadata document's HTTPS URL.
     * Looked up on every authorization and token request.
     */
    clientId: text('client_id').notNull().unique('oauth_clients_client_id_key'),
    name: text('name').notNull(),
    /** Exact redirect URIs; loopback ones match on any port (RFC 8252 §7.3). */
    redirectUris: text('redirect_uris').array().notNull(),
    clientUri: text('client_uri'),
    softwareId: text('software_id'),
    softwareVersion: text('software_version'),
    /** The scope the client asked for at registration (informational). */
    scope: text('scope'),
    registrationType: text('registration_type', { enum: ['dynamic', 'metadata_document'] })
      .notNull()
      .default('dynamic'),
    /**
     * Address that registered the client (or first asked to connect with its metadata document),
     * for admins looking at a flood of registrations.
     */
    registeredIp: text('registered_ip'),
    /** Metadata document clients: when the document was last fetched. */
    metadataFetchedAt: timestamp('metadata_fetched_at', { withTimezone: true }),
    /**
     * Metadata document clients: until when the copy here is used without fetching it again (its
     * Cache-Control, within Tessera's bounds).
     */
    metadataExpiresAt: timestamp('metadata_expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set by an admin when new clients need approval before users may connect them. */
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    /** Set by an admin: the client can no longer be authorized, and its grants stop working. */
    blockedAt: timestamp('blocked_at', { withTimezone: true }),
  },
  (t) => [
    // The admin list of clients, newest first.
    index('oauth_clients_created_at_idx').on(t.createdAt.desc(), t.id.desc()),
  ],
)

export type OAuthClientRow = typeof oauthClients.$inferSelect
