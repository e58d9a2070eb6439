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

/** Active tokens that expire within a week, soonest first: the expiry banner's list. */
export function expiringSoon<T extends Token>(tokens: readonly T[], now: number = Date.now()): T[] {
  return tokens
    .filter((token) => expiresSoon(token, now))
    .sort((a, b) => Date.parse(a.expiresAt ?? '') - Date.parse(b.expiresAt ?? ''))
}

/**
 * How a token's life ends, for lists: revoked and expired tokens say when that happened instead
 * of showing an expiry that no longer matters.
 */
export type TokenEnd = { kind: 'revoked' | 'expired' | 'expires'; at: string } | { kind: 'never' }

export function tokenEnd(token: Pick<Token, 'status' | 'expiresAt' | 'revokedAt'>): TokenEnd {
  if (token.revokedAt) return { kind: 'revoked', at: token.revokedAt }
  if (token.status === 'expired' && token.expiresAt) return { kind: 'expired', at: token.expiresAt }
  if (token.expiresAt) return { kind: 'expires', at: token.expiresAt }
  return { kind: 'never' }
}

/** "by Cursor 1.7 from 10.0.0.5": what used the token last, and from where ('' if unknown). */
export function describeLastUse(
  token: Pick<Token, 'lastUsedAt' | 'lastUsedClient' | 'lastUsedIp'>,
): string {
  if (!token.lastUsedAt) return ''
  return [
    token.lastUsedClient ? `by ${token.lastUsedClient}` : '',
    token.lastUsedIp ? `from ${token.lastUsedIp}` : '',
  ]
    .filter(Boolean)
    .join(' ')
}

/** Lifetimes the create dialog offers in one click; 30 days is preselected. */
export const EXPIRY_PRESETS = [7, 30, 60, 90] as const
export const DEFAULT_EXPIRY_DAYS = 30
