import type { Via } from '../contract/index.js'
import type { Db } from '../db/client.js'
import type { UserRow } from '../db/schema/index.js'

/** Who is acting and through which door; written into every activity entry. */
export interface Actor {
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'role'>
  via: Via
  /** The token used, if any; its scopes narrow what the user may do. */
  token: { id: string; name: string; scopes?: readonly string[]; expiresAt?: string | null } | null
}

export interface ServiceContext {
  db: Db
  actor: Actor
}
