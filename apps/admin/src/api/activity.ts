import type { ActivityFilters, ActivityList } from '@tessera/api/contract'
import { http } from './client'

/** What to narrow the feed to; each applies within what the caller may see. */
export interface ActivityFilter extends Partial<ActivityFilters> {
  cursor?: string
  limit?: number
}

export const listActivity = (filter: ActivityFilter = {}) =>
  http.get<ActivityList>('/activity', {
    query: {
      via: filter.via,
      actor: filter.actor,
      project: filter.project,
      token: filter.token,
      task: filter.task,
      cursor: filter.cursor,
      limit: filter.limit,
    },
  })
