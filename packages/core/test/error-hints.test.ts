import { describe, expect, it } from 'vitest'
import type { AuthFailureCode } from '../src/error-hints.js'
import { ERROR_HINTS, toAuthFailureCode } from '../src/error-hints.js'

const CODES: AuthFailureCode[] = [
  'token_missing',
  'invalid_scheme',
  'token_malformed',
  'token_invalid',
  'token_expired',
  'token_revoked',
  'user_disabled',
]

describe('ERROR_HINTS', () => {
  it('has a message and a hint for exactly the auth failure codes', () => {
    expect(Object.keys(ERROR_HINTS).sort()).toEqual([...CODES].sort())
    for (const code of CODES) {
      expect(ERROR_HINTS[code].message.length).toBeGreaterThan(10)
      expect(ERROR_HINTS[code].hint.length).toBeGreaterThan(20)
      expect(ERROR_HINTS[code].message.endsWith('.')).toBe(true)
      expect(ERROR_HINTS[code].hint.endsWith('.')).toBe(true)
    }
  })

  it('tells the user what to check for each code', () => {
    expect(ERROR_HINTS.invalid_scheme.hint).toBe(
      'The header must be exactly `Authorization: Api-Token <token>` or `Authorization: Bearer <token>`.',
    )
    expect(ERROR_HINTS.token_invalid.hint).toBe(
      'This token is not known to this server. Check you copied the whole token (it starts with tsr_) and that it was created on this server.',
    )
    expect(ERROR_HINTS.token_malformed.hint).toContain('tsr_')
    expect(ERROR_HINTS.token_malformed.hint).toContain('53 characters')
    expect(ERROR_HINTS.token_revoked.hint).toContain('API Tokens')
    expect(ERROR_HINTS.token_expired.hint).toContain('API Tokens')
    expect(ERROR_HINTS.token_missing.hint).toContain('Authorization: Api-Token <token>')
  })
})

describe('toAuthFailureCode', () => {
  it('reports a bad checksum as token_invalid', () => {
    expect(toAuthFailureCode('token_bad_checksum')).toBe('token_invalid')
  })

  it('passes every other code through unchanged', () => {
    for (const code of CODES) expect(toAuthFailureCode(code)).toBe(code)
  })
})
