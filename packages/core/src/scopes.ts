/** Permission scopes a token can carry. */
export const SCOPES = ['read', 'write'] as const

/** A permission scope: `read` or `write` (which implies `read`). */
export type Scope = (typeof SCOPES)[number]

/**
 * Anything a token's scope list may hold: a permission scope, or a project restriction
 * `project:<KEY>` that limits the token to that project (several may be given).
 */
export type TokenScope = Scope | `project:${string}`

/** Scopes given to a new token when none are requested. */
export const DEFAULT_SCOPES: Scope[] = ['read', 'write']

/** Prefix of project restriction scopes. */
export const PROJECT_SCOPE_PREFIX = 'project:'

/** A project key: an uppercase letter, then 1 to 9 uppercase letters or digits (e.g. `WEB`, `OPS2`). */
export const PROJECT_KEY_PATTERN: RegExp = /^[A-Z][A-Z0-9]{1,9}$/

/** Result of `normalizeScopes`: data, never an exception. */
export type NormalizeScopesResult =
  | { ok: true; scopes: TokenScope[] }
  | { ok: false; code: 'invalid_scope'; invalid: string[] }

/**
 * Validates and canonicalises a requested scope list.
 *
 * - Valid entries: `read`, `write`, and `project:<KEY>` with KEY matching `PROJECT_KEY_PATTERN`.
 *   Matching is exact: no trimming, no case folding (`READ`, ` read`, `project:web` are invalid).
 * - `write` implies `read`, so `['write']` becomes `['read', 'write']`.
 * - Duplicates are removed; the order is `read`, `write`, then project scopes sorted by key.
 * - At least one of `read`/`write` is required: a token with only project restrictions could
 *   do nothing.
 *
 * On failure, `invalid` lists each unrecognised entry once, in input order. An empty `invalid`
 * means every entry was recognised but no `read`/`write` scope was given (including an empty
 * list). Callers apply `DEFAULT_SCOPES` themselves when the client sent no scopes at all.
 *
 * @param input the requested scopes
 * @returns the canonical list, or the entries that were refused
 */
export function normalizeScopes(input: readonly string[]): NormalizeScopesResult {
  let read = false
  let write = false
  const projectKeys = new Set<string>()
  const invalid: string[] = []

  for (const entry of input) {
    if (entry === 'read') {
      read = true
    } else if (entry === 'write') {
      write = true
    } else if (
      typeof entry === 'string' &&
      entry.startsWith(PROJECT_SCOPE_PREFIX) &&
      PROJECT_KEY_PATTERN.test(entry.slice(PROJECT_SCOPE_PREFIX.length))
    ) {
      projectKeys.add(entry.slice(PROJECT_SCOPE_PREFIX.length))
    } else {
      const shown = String(entry)
      if (!invalid.includes(shown)) invalid.push(shown)
    }
  }

  if (invalid.length > 0 || (!read && !write)) return { ok: false, code: 'invalid_scope', invalid }

  const scopes: TokenScope[] = write ? ['read', 'write'] : ['read']
  for (const key of [...projectKeys].sort()) scopes.push(`${PROJECT_SCOPE_PREFIX}${key}`)
  return { ok: true, scopes }
}

/**
 * Whether a token's scopes grant a permission. `write` implies `read`. Project restrictions are
 * not considered here; see `projectRestriction`.
 *
 * @param scopes the token's stored scopes
 * @param required the permission the operation needs
 * @returns `true` if granted
 */
export function hasScope(scopes: readonly string[], required: Scope): boolean {
  if (required === 'read') return scopes.includes('read') || scopes.includes('write')
  return scopes.includes(required)
}

/**
 * The projects a token is limited to, from its `project:<KEY>` scopes.
 *
 * Fails closed: an entry that starts with `project:` but has an invalid key still counts as a
 * restriction (to a project that cannot exist) rather than being ignored, because ignoring the
 * only restriction would widen the token to every project.
 *
 * @param scopes the token's stored scopes
 * @returns the sorted, de-duplicated project keys, or `null` when the token may use all projects
 */
export function projectRestriction(scopes: readonly string[]): string[] | null {
  const keys = new Set<string>()
  for (const scope of scopes) {
    if (scope.startsWith(PROJECT_SCOPE_PREFIX)) keys.add(scope.slice(PROJECT_SCOPE_PREFIX.length))
  }
  return keys.size === 0 ? null : [...keys].sort()
}
