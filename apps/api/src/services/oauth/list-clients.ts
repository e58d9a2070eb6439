import { desc } from 'drizzle-orm'
import type { OAuthClient } from '../../contract/index.js'
import type { Db } from '../../db/client.js'
import { type OAuthClientRow, oauthClients } from '../../db/schema/index.js'
import { clientStatus } from './find-client.js'
import { getOAuthSettings } from './get-settings.js'

const iso = (d: Date | null) => d?.toISOString() ?? null

export function presentClient(
  row: OAuthClientRow,
  settings: Awaited<ReturnType<typeof getOAuthSettings>>,
): OAuthClient {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    redirectUris: row.redirectUris,
    clientUri: row.clientUri,
    softwareId: row.softwareId,
    softwareVersion: row.softwareVersion,
    registrationType: row.registrationType,
    registeredIp: row.registeredIp,
    metadataFetchedAt: iso(row.metadataFetchedAt),
    metadataExpiresAt: iso(row.metadataExpiresAt),
    createdAt: row.createdAt.toISOString(),
    approvedAt: iso(row.approvedAt),
    blockedAt: iso(row.blockedAt),
    status: clientStatus(row, settings),
  }
}

/** Registered OAuth clients, newest first, for administrators. */
export async function listClients({ db, limit }: { db: Db; limit: number }) {
  const settings = await getOAuthSettings(db)
  const rows = await db
    .select()
    .from(oauthClients)
    .orderBy(desc(oauthClients.createdAt), desc(oauthClients.id))
    .limit(limit)
  return rows.map((row) => presentClient(row, settings))
}
