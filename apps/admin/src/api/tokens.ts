import type {
  CreateTokenBody,
  Settings,
  TokenDetail,
  TokenList,
  TokenWithSecret,
} from '@tessera/api/contract'
import { http } from './client'

export interface TokenPageQuery {
  /** `nextCursor` of the page before; none for the newest tokens. */
  cursor?: string
  limit?: number
}

/** A page of the user's tokens, newest first. */
export const listTokens = (page: TokenPageQuery = {}) =>
  http.get<TokenList>('/tokens', { query: { cursor: page.cursor, limit: page.limit } })

/** One of the user's tokens, with its usage (30 days, clients, addresses) and recent activity. */
export const getToken = (id: string) => http.get<TokenDetail>(`/tokens/${encodeURIComponent(id)}`)

export const createToken = (body: CreateTokenBody) => http.post<TokenWithSecret>('/tokens', body)

export const rotateToken = (id: string) =>
  http.post<TokenWithSecret>(`/tokens/${encodeURIComponent(id)}/rotate`)

export const revokeToken = (id: string) => http.delete(`/tokens/${encodeURIComponent(id)}`)

/** The token policy, readable by every signed-in user so the create dialog can explain it. */
export const getTokenPolicy = () => http.get<Settings>('/settings/token-policy')
