/** Lifecycle state of a stored token, as shown in token lists. */
export type TokenStatus = 'active' | 'expired' | 'revoked'

/** Result of `judgeToken`: data, never an exception. */
export type TokenVerdict =
  | { ok: true }
  | { ok: false; code: 'token_revoked' | 'token_expired' | 'user_disabled' }

/** The stored facts about a token that decide its status. */
export interface TokenLifecycle {
  /** When the token stops working; `null` means it never expires. */
  expiresAt: Date | null
  /** When the token was revoked; `null` means it has not been. Any non-null value revokes. */
  revokedAt: Date | null
}

// Written as "not (now < expiresAt)" so that an invalid Date on either side (NaN time) counts as
// expired: when we cannot prove a token is still valid, it is not.
function isExpired(expiresAt: Date | null, now: Date): boolean {
  if (expiresAt === null) return false
  return !(now.getTime() < expiresAt.getTime())
}

/**
 * The status shown for a token. Revoked wins over expired, because revocation is a deliberate
 * act and tells the reader more. A token is expired from the instant `expiresAt` is reached
 * (`expiresAt <= now`); an invalid date counts as expired.
 *
 * @param token the token's `expiresAt` and `revokedAt`
 * @param now the instant to judge at; defaults to the current time
 * @returns `'revoked'`, `'expired'` or `'active'`
 */
export function tokenStatus(token: TokenLifecycle, now: Date = new Date()): TokenStatus {
  if (token.revokedAt !== null) return 'revoked'
  if (isExpired(token.expiresAt, now)) return 'expired'
  return 'active'
}

/**
 * Decides whether a token that was found by its hash may authenticate a request.
 *
 * When several reasons apply, the first in this order is reported:
 * 1. `token_revoked`: the most specific, actionable answer. The token is dead for good whatever
 *    else is true, and the fix (create a new token) does not depend on anything else.
 * 2. `user_disabled`: the owner's account is disabled. Reported before expiry because renewing an
 *    expired token cannot help while the account is disabled; an administrator must act first.
 * 3. `token_expired`: `expiresAt <= now` (an invalid date counts as expired).
 *
 * @param token the token's dates and whether its owner is disabled
 * @param now the instant to judge at; defaults to the current time
 * @returns `{ ok: true }` or `{ ok: false, code }`
 */
export function judgeToken(
  token: TokenLifecycle & { userDisabled: boolean },
  now: Date = new Date(),
): TokenVerdict {
  if (token.revokedAt !== null) return { ok: false, code: 'token_revoked' }
  // Strict check: anything but an explicit `false` is treated as disabled (fail closed).
  if (token.userDisabled !== false) return { ok: false, code: 'user_disabled' }
  if (isExpired(token.expiresAt, now)) return { ok: false, code: 'token_expired' }
  return { ok: true }
}
