import { describe, expect, it } from 'vitest'
import { judgeToken, tokenStatus } from '../src/token-status.js'

const NOW = new Date('2025-06-01T12:00:00.000Z')
const BEFORE = new Date('2025-06-01T11:59:59.999Z')
const AFTER = new Date('2025-06-01T12:00:00.001Z')
const INVALID = new Date(Number.NaN)

describe('tokenStatus', () => {
  const table: Array<[string, Date | null, Date | null, string]> = [
    ['never expires, not revoked', null, null, 'active'],
    ['expires later', AFTER, null, 'active'],
    ['expires exactly now', NOW, null, 'expired'],
    ['expired a moment ago', BEFORE, null, 'expired'],
    ['revoked, never expires', null, BEFORE, 'revoked'],
    ['revoked and expired', BEFORE, BEFORE, 'revoked'],
    ['revoked, expires later', AFTER, BEFORE, 'revoked'],
    ['invalid expiry date (fails closed)', INVALID, null, 'expired'],
  ]
  for (const [name, expiresAt, revokedAt, expected] of table) {
    it(`is ${expected} when ${name}`, () => {
      expect(tokenStatus({ expiresAt, revokedAt }, NOW)).toBe(expected)
    })
  }

  it('treats an invalid "now" as expired for a token that expires', () => {
    expect(tokenStatus({ expiresAt: AFTER, revokedAt: null }, INVALID)).toBe('expired')
    expect(tokenStatus({ expiresAt: null, revokedAt: null }, INVALID)).toBe('active')
  })

  it('uses the current time by default', () => {
    const hourAgo = new Date(Date.now() - 3_600_000)
    const inAnHour = new Date(Date.now() + 3_600_000)
    expect(tokenStatus({ expiresAt: hourAgo, revokedAt: null })).toBe('expired')
    expect(tokenStatus({ expiresAt: inAnHour, revokedAt: null })).toBe('active')
  })
})

describe('judgeToken', () => {
  const table: Array<[string, Date | null, Date | null, boolean, string]> = [
    ['a healthy token', AFTER, null, false, 'ok'],
    ['a token that never expires', null, null, false, 'ok'],
    ['a revoked token', AFTER, BEFORE, false, 'token_revoked'],
    ['an expired token', BEFORE, null, false, 'token_expired'],
    ['a token expiring exactly now', NOW, null, false, 'token_expired'],
    ['a disabled owner', AFTER, null, true, 'user_disabled'],
    ['revoked + disabled + expired', BEFORE, BEFORE, true, 'token_revoked'],
    ['revoked + expired', BEFORE, BEFORE, false, 'token_revoked'],
    ['revoked + disabled', null, BEFORE, true, 'token_revoked'],
    ['disabled + expired', BEFORE, null, true, 'user_disabled'],
  ]
  for (const [name, expiresAt, revokedAt, userDisabled, expected] of table) {
    it(`answers ${expected} for ${name}`, () => {
      const verdict = judgeToken({ expiresAt, revokedAt, userDisabled }, NOW)
      expect(verdict).toEqual(expected === 'ok' ? { ok: true } : { ok: false, code: expected })
    })
  }

  it('agrees with tokenStatus when the owner is enabled', () => {
    for (const expiresAt of [null, BEFORE, NOW, AFTER, INVALID]) {
      for (const revokedAt of [null, BEFORE]) {
        const status = tokenStatus({ expiresAt, revokedAt }, NOW)
        const verdict = judgeToken({ expiresAt, revokedAt, userDisabled: false }, NOW)
        expect(verdict.ok ? 'active' : verdict.code).toBe(
          status === 'active' ? 'active' : `token_${status}`,
        )
      }
    }
  })

  it('fails closed when userDisabled is not a boolean (untyped callers)', () => {
    const verdict = judgeToken({
      expiresAt: null,
      revokedAt: null,
      userDisabled: undefined as unknown as boolean,
    })
    expect(verdict).toEqual({ ok: false, code: 'user_disabled' })
  })
})
