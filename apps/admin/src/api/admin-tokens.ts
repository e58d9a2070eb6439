import type { AdminTokenDetail, AdminTokenList, AdminTokenSort, Token } from '@tessera/api/contract'
import { http } from './client'

export interface AdminTokenFilter {
  userId?: string
  status?: Token['status']
  /** `last_used`: most recently used first, never used last. */
  sort?: AdminTokenSort
  /** Only tokens not used for this many days (listed by last use). */
  unused?: number
  /** `nextCursor` of the page before; none for the newest tokens. */
  cursor?: string
  limit?: number
}

/** A page of every user's tokens, newest first or by last use. */
export const listAllTokens = (filter: AdminTokenFilter = {}) =>
  http.get<AdminTokenList>('/admin/tokens', {
    query: {
      userId: filter.userId,
      status: filter.status,
      sort: filter.sort,
      unused: filter.unused,
      cursor: filter.cursor,
      limit: filter.limit,
    },
  })

/** Any user's token, with its usage and recent activity. */
export const getAnyToken = (id: string) =>
  http.get<AdminTokenDetail>(`/admin/tokens/${encodeURIComponent(id)}`)

export const revokeAnyToken = (id: string) => http.delete(`/admin/tokens/${encodeURIComponent(id)}`)
