import type { OAuthSettings, UpdateOAuthSettingsBody } from '../../contract/index.js'
import { settings } from '../../db/schema/index.js'
import { diff, recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { getOAuthSettings } from './get-settings.js'

export async function updateOAuthSettings({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: UpdateOAuthSettingsBody
}): Promise<OAuthSettings> {
  return ctx.db.transaction(async (tx) => {
    const before = await getOAuthSettings(tx)
    const after: OAuthSettings = {
      ...input,
      clientMetadataFromPrivateAddresses:
        input.clientMetadataFromPrivateAddresses ?? before.clientMetadataFromPrivateAddresses,
    }
    const values = {
      oauthEnabled: after.enabled,
      oauthClientApprovalRequired: after.clientApprovalRequired,
      oauthClientMetadataPrivateAddresses: after.clientMetadataFromPrivateAddresses,
      updatedAt: new Date(),
    }
    await tx
      .insert(settings)
      .values({ id: 1, ...values })
      .onConflictDoUpdate({ target: settings.id, set: values })
    const changes = diff(before, after)
    if (Object.keys(changes).length > 0) {
      await recordActivity(tx, ctx.actor, {
        action: 'settings.updated',
        target: { type: 'settings', id: 'oauth', label: 'OAuth' },
        changes,
      })
    }
    return after
  })
}
