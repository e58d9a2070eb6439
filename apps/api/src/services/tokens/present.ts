import { tokenStatus } from '@tessera/core'
import type { Token } from '../../contract/index.js'
import type { ApiTokenRow } from '../../db/schema/index.js'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The public view of a token: never the secret, never the hash. */
export function presentToken(row: ApiTokenRow, now = new Date()): Token {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    lastUsedIp: row.lastUsedIp,
    revokedAt: iso(row.revokedAt),
    status: tokenStatus(row, now),
  }
}
