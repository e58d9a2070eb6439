import type { DatabaseHandle } from '../../db/client.js'
import type { ApiTokenRow, UserRow } from '../../db/schema/index.js'
import { apiTokens } from '../../db/schema/index.js'

/** What authentication needs of a token: the token, its user and the workspace's token policy. */
export interface TokenLookupRow {
  secretHash: string
  token: Pick<
    ApiTokenRow,
    'id' | 'name' | 'prefix' | 'scopes' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'
  >
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'disabled'>
  /** Null while the workspace has no settings row (the default applies). */
  membersCanManageTokens: boolean | null
}

/** Token rows one instance keeps; past this the longest-held go first. */
const MAX_REMEMBERED = 10_000
/**
 * A remembered row is read again after this long even if nothing changed: `lastUsedAt` (which
 * changes no version) stays within a minute of the database's.
 */
const MAX_AGE_MS = 60_000

/**
 * The database's side of every token request, in one round trip per batch (BatchLoader):
 * `auth_version`, and the rows of the tokens presented. While `auth_version` has not moved, the
 * rows read before are still what the database holds (every change authentication reads moves it,
 * in the same transaction: migration 0009), so only tokens not seen yet are read. When it has
 * moved, every token of the batch is read again and everything remembered is dropped.
 *
 * So a revocation, a disabled user or a changed role counts from the very next request on every
 * instance, as when every request read its token, at the cost of one indexed read of one row per
 * batch instead of a token, user and policy lookup per request. Tokens not found are never
 * remembered: one created a moment later works at once.
 *
 * The lateral subqueries keep each token's read an index probe: a plain join lets the planner
 * hash-join a batch against every user (the prepared statement's generic plan, costed for ten
 * tokens a batch, did). The policy is a subquery read once per batch.
 */
const LOOKUP = `
select coalesce(v.version, -1)::text, t.secret_hash, t.id, t.name, t.prefix, t.scopes, t.expires_at, t.revoked_at,
  t.last_used_at, u.id, u.email, u.name, u.role, u.disabled,
  (select s.members_can_manage_tokens from settings s where s.id = 1)
from (select) as one
left join auth_version v on v.id = 1
left join lateral (
  select secret_hash, id, name, prefix, scopes, expires_at, revoked_at, last_used_at, user_id
  from api_tokens
  where secret_hash = any(case when v.version = $1::bigint then $2::text[] else $3::text[] end)
) t on true
left join lateral (
  select id, email, name, role, disabled from users where users.id = t.user_id limit 1
) u on true
`

interface Remembered {
  row: TokenLookupRow
  at: number
}

export class TokenLookup {
  /** The auth_version the remembered rows were read at; null before the first read. */
  private version: bigint | null = null
  private remembered = new Map<string, Remembered>()

  private readonly clock: () => number
  private readonly maxRemembered: number

  constructor(
    private readonly database: DatabaseHandle,
    options: { clock?: () => number; maxRemembered?: number } = {},
  ) {
    this.clock = options.clock ?? Date.now
    this.maxRemembered = options.maxRemembered ?? MAX_REMEMBERED
  }

  /** The rows of these tokens (by the SHA-256 of their secrets) that exist. */
  async find(hashes: string[]): Promise<Map<string, TokenLookupRow>> {
    const now = this.clock()
    const known = this.version
    const reuse = new Map<string, TokenLookupRow>()
    const unseen: string[] = []
    for (const hash of hashes) {
      const entry = known === null ? undefined : this.remembered.get(hash)
      if (entry && now - entry.at < MAX_AGE_MS) reuse.set(hash, entry.row)
      else unseen.push(hash)
    }
    const rows = await this.database.lookupRows({
      sql: LOOKUP,
      params: [(known ?? -1n).toString(), unseen, hashes],
    })
    const version = BigInt(rows[0]?.[0] as string)
    const found = version === known ? reuse : new Map<string, TokenLookupRow>()
    for (const values of rows) {
      if (values[1] === null) continue
      const row = toRow(values)
      found.set(row.secretHash, row)
    }
    this.remember(version, found, now)
    return found
  }

  /**
   * Keeps what was read, unless a later read has seen a newer version meanwhile (or there is no
   * version to check against: then every batch reads every token, as before migration 0009).
   */
  private remember(version: bigint, found: Map<string, TokenLookupRow>, now: number) {
    if (version < 0n || (this.version !== null && version < this.version)) return
    if (version !== this.version) {
      this.remembered.clear()
      this.version = version
    }
    for (const [hash, row] of found) {
      const entry = this.remembered.get(hash)
      if (entry?.row === row) continue
      // Re-inserted, so the map's order stays the order rows were read in.
      this.remembered.delete(hash)
      this.remembered.set(hash, { row, at: now })
    }
    for (const hash of this.remembered.keys()) {
      if (this.remembered.size <= this.maxRemembered) break
      this.remembered.delete(hash)
    }
  }

  /** Remembered rows, for tests. */
  get size() {
    return this.remembered.size
  }
}

const date = (value: unknown) =>
  value === null ? null : (apiTokens.expiresAt.mapFromDriverValue(value as string | Date) as Date)

function toRow(v: unknown[]): TokenLookupRow {
  return {
    secretHash: v[1] as string,
    token: {
      id: v[2] as string,
      name: v[3] as string,
      prefix: v[4] as string,
      scopes: apiTokens.scopes.mapFromDriverValue(v[5] as string) as string[],
      expiresAt: date(v[6]),
      revokedAt: date(v[7]),
      lastUsedAt: date(v[8]),
    },
    user: {
      id: v[9] as string,
      email: v[10] as string,
      name: v[11] as string,
      role: v[12] as UserRow['role'],
      disabled: v[13] as boolean,
    },
    membersCanManageTokens: v[14] as boolean | null,
  }
}
