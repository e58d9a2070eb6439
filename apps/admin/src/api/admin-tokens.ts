import type { AdminTokenList, Token } from '@tessera/api/contract'
import { http } from './client'

export interface AdminTokenFilter {
  userId?: string
  status?: Token['status']
}

export const listAllTokens = (filter: AdminTokenFilter = {}) =>
  http.get<AdminTokenList>('/admin/tokens', {
    query: { userId: filter.userId, status: filter.status },
  })

export const revokeAnyToken = (id: string) => http.delete(`/admin/tokens/${encodeURIComponent(id)}`)
