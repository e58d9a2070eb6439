import type { Token } from '@tessera/api/contract'
import { PROJECT_SCOPE_PREFIX, projectRestriction } from '@tessera/core'

/** The scopes sent for each choice in the create dialog. */
export const SCOPE_PRESETS = {
  full: ['read', 'write'],
  read: ['read'],
} as const satisfies Record<string, readonly string[]>

export type ScopePreset = keyof typeof SCOPE_PRESETS

/** What the token may do, plus `project:KEY` for each project it is limited to (none: all). */
export function buildScopes(preset: ScopePreset, projectKeys: readonly string[] = []): string[] {
  return [
    ...SCOPE_PRESETS[preset],
    ...[...new Set(projectKeys)].sort().map((key) => `${PROJECT_SCOPE_PREFIX}${key}`),
  ]
}

/** The projects a token is limited to, or null when it reaches all of its owner's projects. */
export function restrictedProjects(scopes: readonly string[]): string[] | null {
  return projectRestriction(scopes)
}

export function describeScopes(scopes: readonly string[]): string {
  if (scopes.includes('write')) return 'Full access'
  if (scopes.includes('read')) return 'Read only'
  return 'No access'
}

/** Newest first: the order of every token table. */
export function sortNewestFirst<T extends Pick<Token, 'createdAt'>>(tokens: readonly T[]): T[] {
  return [...tokens].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
}

const WEEK_MS = 7 * 24 * 3600 * 1000

export function expiresSoon(token: Token, now: number = Date.now()): boolean {
  if (token.status !== 'active' || !token.expiresAt) return false
  return Date.parse(token.expiresAt) - now < WEEK_MS
}
