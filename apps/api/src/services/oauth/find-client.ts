import { eq } from 'drizzle-orm'
import type { OAuthClientStatus, OAuthSettings } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { type OAuthClientRow, oauthClients } from '../../db/schema/index.js'

/** A client by the `client_id` it was given, or null. */
export async function findClient(db: Executor, clientId: string): Promise<OAuthClientRow | null> {
  const [row] = await db.select().from(oauthClients).where(eq(oauthClients.clientId, clientId))
  return row ?? null
}

/** Whether users may connect the client now. */
export function clientStatus(
  row: Pick<OAuthClientRow, 'blockedAt' | 'approvedAt'>,
  settings: OAuthSettings,
): OAuthClientStatus {
  if (row.blockedAt) return 'blocked'
  if (settings.clientApprovalRequired && !row.approvedAt) return 'pending'
  return 'active'
}
