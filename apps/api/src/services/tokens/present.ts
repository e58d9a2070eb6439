import { tokenStatus } from '@tessera/core'
import type { Token } from '../../contract/index.js'
import { type ApiTokenRow, apiTokens } from '../../db/schema/index.js'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The columns a token's public view is made of: lists select only these. */
export const presentedTokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  lastUsedIp: apiTokens.lastUsedIp,
  lastUsedClient: apiTokens.lastUsedClient,
  revokedAt: apiTokens.revokedAt,
}

export type PresentedTokenRow = Pick<ApiTokenRow, keyof typeof presentedTokenColumns>

/** The public view of a token: never the secret, never the hash. */
export function presentToken(row: PresentedTokenRow, now = new Date()): Token {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    lastUsedIp: row.lastUsedIp,
    lastUsedClient: row.lastUsedClient,
    revokedAt: iso(row.revokedAt),
    status: tokenStatus(row, now),
  }
}
