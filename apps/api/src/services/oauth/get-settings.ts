import type { OAuthSettings } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { settings } from '../../db/schema/index.js'

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = {
  enabled: true,
  clientApprovalRequired: false,
  clientMetadataFromPrivateAddresses: false,
}

/** The OAuth switches, read from the database every time (no instance may act on a stale copy). */
export async function getOAuthSettings(db: Executor): Promise<OAuthSettings> {
  const [row] = await db
    .select({
      enabled: settings.oauthEnabled,
      clientApprovalRequired: settings.oauthClientApprovalRequired,
      clientMetadataFromPrivateAddresses: settings.oauthClientMetadataPrivateAddresses,
    })
    .from(settings)
    .limit(1)
  return row ?? { ...DEFAULT_OAUTH_SETTINGS }
}
