import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_AUTHORIZATION_HEADER_LENGTH,
  parseAuthorizationHeader,
} from '../src/authorization-header.js'
import { encodeToken, generateToken } from '../src/token-format.js'

const TOKEN = 'tsr_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP'
const BAD_CHECKSUM = 'tsr_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hQ'
const tokenArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeToken)

/** Every upper/lower-case spelling of a scheme name, randomly chosen per character. */
function anyCase(word: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) =>
      [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
    )
}
const gap = fc.stringMatching(/^[ \t]{1,4}$/)
const edge = fc.stringMatching(/^[ \t]{0,3}$/)

describe('parseAuthorizationHeader: accepted forms', () => {
  it('accepts Bearer and Api-Token with a valid token', () => {
    expect(parseAuthorizationHeader(`Bearer ${TOKEN}`)).toEqual({
      ok: true,
      scheme: 'bearer',
      token: TOKEN,
    })
    expect(parseAuthorizationHeader(`Api-Token ${TOKEN}`)).toEqual({
      ok: true,
      scheme: 'api-token',
      token: TOKEN,
    })
  })

  it('parses every generated token in both header forms', () => {
    fc.assert(
      fc.property(tokenArb, (token) => {
        expect(parseAuthorizationHeader(`Bearer ${token}`)).toEqual({
          ok: true,
          scheme: 'bearer',
          token,
        })
        expect(parseAuthorizationHeader(`Api-Token ${token}`)).toEqual({
          ok: true,
          scheme: 'api-token',
          token,
        })
      }),
    )
    const token = generateToken()
    expect(parseAuthorizationHeader(`Bearer ${token}`)).toMatchObject({ ok: true, token })
  })

  it('matches the scheme case-insensitively, with any spaces or tabs around and between', () => {
    const spelledScheme = fc
      .constantFrom(['Bearer', 'bearer'] as const, ['Api-Token', 'api-token'] as const)
      .chain(([name, scheme]) => anyCase(name).map((spelled) => [spelled, scheme] as const))
    fc.assert(
      fc.property(spelledScheme, edge, gap, edge, tokenArb, ([spelled, scheme], a, b, c, token) => {
        expect(parseAuthorizationHeader(`${a}${spelled}${b}${token}${c}`)).toEqual({
          ok: true,
          scheme,
          token,
        })
      }),
    )
    expect(parseAuthorizationHeader(`BEARER ${TOKEN}`)).toMatchObject({ ok: true })
    expect(parseAuthorizationHeader(`aPi-ToKeN\t\t${TOKEN}`)).toMatchObject({ ok: true })
    expect(parseAuthorizationHeader(`  Bearer    ${TOKEN}  \r\n`)).toMatchObject({ ok: true })
  })

  it('treats a one-element array as that single value', () => {
    expect(parseAuthorizationHeader([`Bearer ${TOKEN}`])).toEqual({
      ok: true,
      scheme: 'bearer',
      token: TOKEN,
    })
  })
})

describe('parseAuthorizationHeader: refusals', () => {
  it('reports token_missing when there is no header or it is blank', () => {
    for (const value of [undefined, null, '', '   ', '\t', ' \t \r\n', []]) {
      expect(parseAuthorizationHeader(value)).toEqual({ ok: false, code: 'token_missing' })
    }
  })

  it('reports token_missing for a known scheme with nothing after it (an unset variable)', () => {
    for (const value of ['Bearer', 'Bearer ', 'bearer\t\t', 'Api-Token', '  API-TOKEN   ']) {
      expect(parseAuthorizationHeader(value)).toEqual({ ok: false, code: 'token_missing' })
    }
  })

  it('reports invalid_scheme for other schemes', () => {
    for (const value of [
      'Basic dXNlcjpwYXNz',
      `Token ${TOKEN}`,
      `Bearer:${TOKEN}`,
      `Bearer-${TOKEN}`,
      `ApiToken ${TOKEN}`,
      `Api_Token ${TOKEN}`,
      `Api-Key ${TOKEN}`,
      `Bearerx ${TOKEN}`,
      `__proto__ ${TOKEN}`,
      `constructor ${TOKEN}`,
      'Basic',
    ]) {
      expect(parseAuthorizationHeader(value)).toEqual({ ok: false, code: 'invalid_scheme' })
    }
  })

  it('reports invalid_scheme for a bare token without a scheme', () => {
    expect(parseAuthorizationHeader(TOKEN)).toEqual({ ok: false, code: 'invalid_scheme' })
  })

  it('reports invalid_scheme for duplicate headers, even when each is valid', () => {
    expect(parseAuthorizationHeader([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])).toEqual({
      ok: false,
      code: 'invalid_scheme',
    })
    expect(parseAuthorizationHeader(['', `Bearer ${TOKEN}`])).toEqual({
      ok: false,
      code: 'invalid_scheme',
    })
  })

  it('does not accept look-alike Unicode scheme names', () => {
    // U+212A KELVIN SIGN lower-cases to "k" with toLowerCase(); U+0130 is a dotted capital I.
    for (const value of [`Api-To\u212Aen ${TOKEN}`, `Bear\u0130r ${TOKEN}`, `Ｂearer ${TOKEN}`]) {
      expect(parseAuthorizationHeader(value)).toEqual({ ok: false, code: 'invalid_scheme' })
    }
  })

  it('only splits scheme and token on spaces and tabs', () => {
    expect(parseAuthorizationHeader(`Bearer\u00a0${TOKEN}`)).toEqual({
      ok: false,
      code: 'invalid_scheme',
    })
    expect(parseAuthorizationHeader(`Bearer\n${TOKEN}`)).toEqual({
      ok: false,
      code: 'invalid_scheme',
    })
  })

  it('reports token_malformed for a known scheme with a value that is not token-shaped', () => {
    for (const value of [
      'Bearer xyz',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer "${TOKEN}"`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Api-Token Bearer ${TOKEN}`,
      `Bearer ${TOKEN.slice(0, 20)} ${TOKEN.slice(20)}`,
    ]) {
      expect(parseAuthorizationHeader(value)).toEqual({ ok: false, code: 'token_malformed' })
    }
  })

  it('reports token_bad_checksum for a token-shaped value with a wrong checksum', () => {
    expect(parseAuthorizationHeader(`Bearer ${BAD_CHECKSUM}`)).toEqual({
      ok: false,
      code: 'token_bad_checksum',
    })
    expect(parseAuthorizationHeader(`Api-Token ${BAD_CHECKSUM}`)).toEqual({
      ok: false,
      code: 'token_bad_checksum',
    })
  })

  it('refuses values over the length limit as token_malformed, even if blank', () => {
    expect(MAX_AUTHORIZATION_HEADER_LENGTH).toBe(1024)
    const padded = `Bearer ${TOKEN}`.padEnd(MAX_AUTHORIZATION_HEADER_LENGTH, ' ')
    expect(parseAuthorizationHeader(padded)).toMatchObject({ ok: true })
    expect(parseAuthorizationHeader(`${padded} `)).toEqual({ ok: false, code: 'token_malformed' })
    expect(parseAuthorizationHeader(' '.repeat(2000))).toEqual({
      ok: false,
      code: 'token_malformed',
    })
  })

  it('rejects 1 MB headers as token_malformed', () => {
    const shapes = [
      `Bearer ${'a'.repeat(1024 * 1024)}`,
      ' '.repeat(1024 * 1024),
      `${' \t'.repeat(512 * 1024)}Bearer ${TOKEN}`,
      `Bearer${' '.repeat(1024 * 1024)}${TOKEN}`,
    ]
    for (let i = 0; i < 200; i++) {
      for (const header of shapes) {
        expect(parseAuthorizationHeader(header)).toEqual({ ok: false, code: 'token_malformed' })
      }
    }
  })

  it('never throws, for any string or array of strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary', minLength: 1000, maxLength: 1100 }),
          fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
          fc
            .tuple(fc.constantFrom('Bearer', 'Api-Token', 'bearer', 'basic'), gap, fc.string())
            .map(([scheme, between, rest]) => scheme + between + rest),
        ),
        (value) => {
          const verdict = parseAuthorizationHeader(value)
          if (verdict.ok) {
            expect(verdict.token).toHaveLength(53)
          } else {
            expect([
              'token_missing',
              'invalid_scheme',
              'token_malformed',
              'token_bad_checksum',
            ]).toContain(verdict.code)
          }
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('never throws for values that are not strings (untyped callers)', () => {
    for (const value of [42, {}, true, Symbol('x'), [42], [null], [undefined]]) {
      const verdict = parseAuthorizationHeader(value as unknown as string)
      expect(verdict.ok).toBe(false)
    }
  })
})
