import type { Settings } from '../../contract/index.js'
import { settings } from '../../db/schema/index.js'
import { diff, recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { getSettings } from './get.js'

export async function updateSettings({ ctx, input }: { ctx: ServiceContext; input: Settings }) {
  return ctx.db.transaction(async (tx) => {
    const before = await getSettings(tx)
    await tx
      .insert(settings)
      .values({ id: 1, ...input, updatedAt: new Date() })
      .onConflictDoUpdate({ target: settings.id, set: { ...input, updatedAt: new Date() } })
    const changes = diff(before, input)
    if (Object.keys(changes).length > 0) {
      await recordActivity(tx, ctx.actor, {
        action: 'settings.updated',
        target: { type: 'settings', id: 'token-policy', label: 'Token policy' },
        changes,
      })
    }
    return input
  })
}
