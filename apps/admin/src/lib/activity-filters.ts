/**
 * The activity feed's filters as the console keeps them: in the page's query string (so a
 * filtered feed is a link), read back leniently, a value that cannot be one ignored.
 */
import type { ActivityFilters, Via } from '@tessera/api/contract'
import type { LocationQuery } from 'vue-router'

export const VIA_LABELS: Record<Via, string> = { web: 'Web', api: 'API', mcp: 'MCP', cli: 'CLI' }

export const VIA_OPTIONS = [
  { value: 'web', label: 'Web console' },
  { value: 'api', label: 'REST API' },
  { value: 'mcp', label: 'MCP' },
  { value: 'cli', label: 'CLI' },
] as const satisfies readonly { value: Via; label: string }[]

/** The filters a page can offer, by the query parameter that holds each. */
export const FILTER_KEYS = {
  via: 'via',
  person: 'user',
  project: 'project',
  token: 'token',
} as const
export type FilterControl = keyof typeof FILTER_KEYS

/** "All my tokens": what any of the signed-in person's tokens and connected apps did. */
export const MY_TOKENS = 'mine'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PROJECT_KEY = /^[A-Za-z][A-Za-z0-9]{1,9}$/

function text(query: LocationQuery, key: string): string {
  const value = query[key]
  return typeof value === 'string' ? value.trim() : ''
}

/** The filters in a page's query string, as the API takes them. */
export function filtersFromQuery(query: LocationQuery): Partial<ActivityFilters> {
  const via = VIA_OPTIONS.find((option) => option.value === text(query, FILTER_KEYS.via))?.value
  const person = text(query, FILTER_KEYS.person)
  const project = text(query, FILTER_KEYS.project)
  const token = text(query, FILTER_KEYS.token)
  return {
    ...(via ? { via } : {}),
    ...(person === 'me' || UUID.test(person) ? { actor: person } : {}),
    ...(PROJECT_KEY.test(project) ? { project: project.toUpperCase() } : {}),
    ...(token === MY_TOKENS || UUID.test(token) ? { token } : {}),
  }
}

/** The value a filter control shows, from the filters read out of the query. */
export function controlValue(filters: Partial<ActivityFilters>, control: FilterControl): string {
  const value = control === 'person' ? filters.actor : filters[control]
  return value ?? ''
}
