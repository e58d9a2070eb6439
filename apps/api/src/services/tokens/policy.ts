import type { Settings } from '../../contract/index.js'
import { badRequest } from '../../lib/errors.js'

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

export const expiryFrom = (now: Date, days: number | null) =>
  days === null ? null : new Date(now.getTime() + days * DAY_MS)
