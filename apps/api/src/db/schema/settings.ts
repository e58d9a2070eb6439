import { sql } from 'drizzle-orm'
import { boolean, check, integer, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core'

/** Workspace-wide policy: exactly one row (id = 1). */
export const settings = pgTable(
  'settings',
  {
    id: smallint('id').primaryKey().default(1),
    maxTokenLifetimeDays: integer('max_token_lifetime_days'),
    tokenExpiryRequired: boolean('token_expiry_required').notNull().default(false),
    tokensPerUser: integer('tokens_per_user'),
    membersCanManageTokens: boolean('members_can_manage_tokens').notNull().default(true),
    /**
     * SHA-256 of the one-time code that creating the first admin in the console needs; printed at
     * start while the server has no users. Null once used or when there is none.
     */
    setupCodeHash: text('setup_code_hash'),
    /** Whether MCP clients may connect through OAuth (metadata, registration, authorization). */
    oauthEnabled: boolean('oauth_enabled').notNull().default(true),
    /** When true, a newly registered OAuth client needs an admin's approval before use. */
    oauthClientApprovalRequired: boolean('oauth_client_approval_required').notNull().default(false),
    /**
     * When true, client metadata documents may be fetched from private and loopback addresses
     * (clients on the same network as the server); link-local and other special-use addresses
     * stay refused.
     */
    oauthClientMetadataPrivateAddresses: boolean('oauth_client_metadata_private_addresses')
      .notNull()
      .default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('settings_single_row', sql`${t.id} = 1`)],
)

export type SettingsRow = typeof settings.$inferSelect
