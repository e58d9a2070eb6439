import type { Token } from '@tessera/api/contract'

/** The scopes sent for each choice in the create dialog. */
export const SCOPE_PRESETS = {
  full: ['read', 'write'],
  read: ['read'],
} as const satisfies Record<string, readonly string[]>

export type ScopePreset = keyof typeof SCOPE_PRESETS

export function describeScopes(scopes: readonly string[]): string {
  if (scopes.includes('write')) return 'Full access'
  if (scopes.length === 1 && scopes[0] === 'read') return 'Read only'
  return scopes.join(', ') || 'No access'
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
