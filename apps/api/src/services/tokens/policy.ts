import type { Settings } from '../../contract/index.js'
import { AppError, badRequest } from '../../lib/errors.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Decides a new token's lifetime under the policy. `undefined` means "not given": it falls back
 * to the maximum lifetime when there is one; `null` asks explicitly for no expiry.
 */
export function resolveLifetimeDays(requested: number | null | undefined, policy: Settings) {
  const max = policy.maxTokenLifetimeDays
  const days = requested === undefined ? max : requested
  if (days === null && policy.tokenExpiryRequired) {
    throw badRequest('token_expiry_required', 'Tokens on this server must have an expiry date.', {
      maxTokenLifetimeDays: max,
    })
  }
  if (max !== null && (days === null || days > max)) {
    throw badRequest(
      'token_lifetime_exceeded',
      `Tokens on this server may live at most ${max} day${max === 1 ? '' : 's'}.`,
      { maxTokenLifetimeDays: max },
    )
  }
  return days
}

/**
 * The lifetime a rotated token gets: its own, cut down to the policy in force now. A token that
 * predates "expiry required" or a lower maximum does not keep its old, longer lifetime.
 */
export function rotatedLifetimeDays(current: number | null, policy: Settings): number | null {
  const max = policy.maxTokenLifetimeDays
  if (max !== null && (current === null || current > max)) return max
  if (current === null && policy.tokenExpiryRequired) {
    throw new AppError(
      400,
      'token_expiry_required',
      'Tokens on this server must have an expiry date; this token has none, so it cannot be rotated.',
      {
        details: { maxTokenLifetimeDays: max },
        hint: 'Create a new token with an expiry date and revoke this one.',
      },
    )
  }
  return current
}

export const expiryFrom = (now: Date, days: number | null) =>
  days === null ? null : new Date(now.getTime() + days * DAY_MS)
