import type { ActivityList, Via } from '@tessera/api/contract'
import { http } from './client'

export interface ActivityFilter {
  via?: Via
  /** A user id: only what this user did. */
  actor?: string
  cursor?: string
}

export const listActivity = (filter: ActivityFilter = {}) =>
  http.get<ActivityList>('/activity', {
    query: { via: filter.via, actor: filter.actor, cursor: filter.cursor },
  })
