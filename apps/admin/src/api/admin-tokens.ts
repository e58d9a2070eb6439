import type { AdminTokenList, Token } from '@tessera/api/contract'
import { http } from './client'

export interface AdminTokenFilter {
  userId?: string
  status?: Token['status']
  /** `nextCursor` of the page before; none for the newest tokens. */
  cursor?: string
  limit?: number
}

/** A page of every user's tokens, newest first. */
export const listAllTokens = (filter: AdminTokenFilter = {}) =>
  http.get<AdminTokenList>('/admin/tokens', {
    query: {
      userId: filter.userId,
      status: filter.status,
      cursor: filter.cursor,
      limit: filter.limit,
    },
  })

export const revokeAnyToken = (id: string) => http.delete(`/admin/tokens/${encodeURIComponent(id)}`)
