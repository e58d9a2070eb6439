import { and, eq, isNull } from 'drizzle-orm'
import type { UpdateOAuthClientBody } from '../../contract/index.js'
import { oauthClients, oauthGrants } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'
import { getOAuthSettings } from './get-settings.js'
import { presentClient } from './list-clients.js'
import { endGrant } from './revoke-grant.js'

/**
 * Blocks or unblocks, approves or unapproves a client. Blocking ends every grant the client holds
 * (access tokens refused from the next request on) and it cannot be authorized again until
 * unblocked.
 */
export async function updateClient({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: UpdateOAuthClientBody & { id: string }
}) {
  if (!isUuid(input.id)) throw notFound('OAuth client')
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(oauthClients)
      .where(eq(oauthClients.id, input.id))
      .for('update')
    if (!before) throw notFound('OAuth client')
    const now = new Date()
    const set: Partial<typeof oauthClients.$inferInsert> = {}
    if (input.blocked !== undefined)
      set.blockedAt = input.blocked ? (before.blockedAt ?? now) : null
    if (input.approved !== undefined) {
      set.approvedAt = input.approved ? (before.approvedAt ?? now) : null
    }
    const [row] = await tx
      .update(oauthClients)
      .set(set)
      .where(eq(oauthClients.id, before.id))
      .returning()
    if (!row) throw notFound('OAuth client')
    if (row.blockedAt && !before.blockedAt) {
      const grants = await tx
        .select({ id: oauthGrants.id })
        .from(oauthGrants)
        .where(and(eq(oauthGrants.clientId, row.id), isNull(oauthGrants.revokedAt)))
      for (const grant of grants) await endGrant(tx, grant.id, 'client_blocked', ctx.actor)
    }
    const changes: Record<string, { before: unknown; after: unknown }> = {}
    if (Boolean(before.blockedAt) !== Boolean(row.blockedAt)) {
      changes.blocked = { before: Boolean(before.blockedAt), after: Boolean(row.blockedAt) }
    }
    if (Boolean(before.approvedAt) !== Boolean(row.approvedAt)) {
      changes.approved = { before: Boolean(before.approvedAt), after: Boolean(row.approvedAt) }
    }
    if (Object.keys(changes).length > 0) {
      await recordActivity(tx, ctx.actor, {
        action: 'oauth_client.updated',
        target: { type: 'oauth_client', id: row.id, label: row.name },
        changes,
      })
    }
    return presentClient(row, await getOAuthSettings(tx))
  })
}
