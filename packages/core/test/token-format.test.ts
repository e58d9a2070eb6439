// Tests run in Node and may use it; src/ must not (the build has no Node types).
/// <reference types="node" />
import { createHash } from 'node:crypto'
import { crc32 as zlibCrc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkTokenFormat,
  encodeToken,
  generateToken,
  hashToken,
  TOKEN_LENGTH,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  TOKEN_SCAN_REGEX_SOURCE,
  tokenDisplayPrefix,
} from '../src/token-format.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

// Golden vectors, computed once by an independent script (BigInt base62 + node:zlib crc32).
const GOLDEN: ReadonlyArray<{ name: string; bytes: Uint8Array; token: string; sha256: string }> = [
  {
    name: '32 zero bytes',
    bytes: new Uint8Array(32),
    token: 'tsr_00000000000000000000000000000000000000000002CZclj',
    sha256: '6e7540ac3c051acbb73672a3b50557b622d41efc8b654475276c29ab5ba802a9',
  },
  {
    name: '32 0xff bytes',
    bytes: new Uint8Array(32).fill(0xff),
    token: 'tsr_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp13sRzl1',
    sha256: 'a1601479ce1e85e00a03bc0a436fb4e675d5f4cc8754906dee0e164a7fb4b4fa',
  },
  {
    name: 'bytes 0..31',
    bytes: Uint8Array.from({ length: 32 }, (_, i) => i),
    token: 'tsr_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP',
    sha256: 'cc8a4c4ddef877551c07ae356d70087e3bae04c450cbd59910e536c815afa4f7',
  },
  {
    name: 'the number 1',
    bytes: Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 1 : 0)),
    token: 'tsr_00000000000000000000000000000000000000000010HNUPx',
    sha256: '4912772298cb5405778b2441e11a9749cb861d9a103820dfe5796d462a7a40b2',
  },
]

/** Independent reference encoder for property tests (BigInt + zlib, no shared code). */
function referenceToken(bytes: Uint8Array): string {
  const toBase62 = (value: bigint, width: number): string => {
    let n = value
    let out = ''
    while (n > 0n) {
      out = ALPHABET[Number(n % 62n)] + out
      n /= 62n
    }
    return out.padStart(width, '0')
  }
  const random = toBase62(BigInt(`0x${Buffer.from(bytes).toString('hex')}`), 43)
  return `tsr_${random}${toBase62(BigInt(zlibCrc32(Buffer.from(random, 'ascii'))), 6)}`
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const tokenArb = bytes32.map(encodeToken)

function substitute(token: string, index: number, char: string): string {
  return token.slice(0, index) + char + token.slice(index + 1)
}

describe('token format constants', () => {
  it('describe a 53-character tsr_ token', () => {
    expect(TOKEN_PREFIX).toBe('tsr_')
    expect(TOKEN_LENGTH).toBe(53)
    expect(TOKEN_PATTERN.source).toBe('^tsr_[0-9A-Za-z]{49}$')
    expect(TOKEN_PATTERN.flags).toBe('')
    expect(TOKEN_SCAN_REGEX_SOURCE).toBe('\\btsr_[0-9A-Za-z]{49}\\b')
  })

  it('give a scan regex that finds tokens in free text but not inside longer words', () => {
    const token = GOLDEN[2]?.token ?? ''
    const scan = new RegExp(TOKEN_SCAN_REGEX_SOURCE, 'g')
    expect(`export TESSERA_TOKEN="${token}"\n`.match(scan)).toEqual([token])
    expect(`a ${token}, b ${token}.`.match(scan)).toEqual([token, token])
    expect(`x${token}`.match(scan)).toBeNull()
    expect(`my_${token}`.match(scan)).toBeNull()
    expect(`${token}0`.match(scan)).toBeNull()
  })
})

describe('encodeToken', () => {
  for (const vector of GOLDEN) {
    it(`encodes ${vector.name} to the golden token`, () => {
      expect(encodeToken(vector.bytes)).toBe(vector.token)
      expect(checkTokenFormat(vector.token)).toEqual({ ok: true })
    })
  }

  it('agrees with an independent reference encoder for any 32 bytes', () => {
    fc.assert(
      fc.property(bytes32, (bytes) => {
        expect(encodeToken(bytes)).toBe(referenceToken(bytes))
      }),
    )
  })

  it('gives different tokens for different bytes', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        fc.pre(Buffer.compare(a, b) !== 0)
        expect(encodeToken(a)).not.toBe(encodeToken(b))
      }),
    )
  })

  it('throws a TypeError unless given exactly 32 bytes', () => {
    expect(() => encodeToken(new Uint8Array(31))).toThrow(TypeError)
    expect(() => encodeToken(new Uint8Array(33))).toThrow(TypeError)
    expect(() => encodeToken(new Uint8Array(0))).toThrow(TypeError)
    expect(() => encodeToken([...new Uint8Array(32)] as unknown as Uint8Array)).toThrow(TypeError)
  })
})

describe('generateToken', () => {
  it('produces well-formed tokens with a valid checksum', () => {
    for (let i = 0; i < 1000; i++) {
      const token = generateToken()
      expect(token).toMatch(TOKEN_PATTERN)
      expect(token).toHaveLength(TOKEN_LENGTH)
      expect(checkTokenFormat(token)).toEqual({ ok: true })
    }
  })

  it('produces a different token each time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken))
    expect(tokens.size).toBe(1000)
  })

  it('uses the whole alphabet in the random part', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateToken().slice(5, 47)).join(''))
    expect(seen.size).toBe(62)
  })
})

describe('checkTokenFormat', () => {
  it('accepts every encoded token', () => {
    fc.assert(
      fc.property(tokenArb, (token) => {
        expect(token).toMatch(TOKEN_PATTERN)
        expect(checkTokenFormat(token)).toEqual({ ok: true })
      }),
    )
  })

  it('rejects every single-character substitution after the prefix (exhaustive, golden tokens)', () => {
    const tokens = [...GOLDEN.map((v) => v.token), generateToken(), generateToken()]
    let checked = 0
    for (const token of tokens) {
      for (let i = TOKEN_PREFIX.length; i < TOKEN_LENGTH; i++) {
        for (const char of ALPHABET) {
          if (char === token[i]) continue
          expect(checkTokenFormat(substitute(token, i, char))).toEqual({
            ok: false,
            code: 'token_bad_checksum',
          })
          checked++
        }
      }
    }
    expect(checked).toBe(tokens.length * 49 * 61)
  })

  it('rejects a random single-character substitution as a bad checksum', () => {
    fc.assert(
      fc.property(
        tokenArb,
        fc.integer({ min: TOKEN_PREFIX.length, max: TOKEN_LENGTH - 1 }),
        fc.constantFrom(...ALPHABET),
        (token, index, char) => {
          fc.pre(token[index] !== char)
          expect(checkTokenFormat(substitute(token, index, char))).toEqual({
            ok: false,
            code: 'token_bad_checksum',
          })
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('rejects a swap of two different adjacent characters in the random part', () => {
    fc.assert(
      fc.property(tokenArb, fc.integer({ min: 4, max: 4 + 41 }), (token, i) => {
        fc.pre(token[i] !== token[i + 1])
        const swapped = token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2)
        expect(checkTokenFormat(swapped)).toEqual({ ok: false, code: 'token_bad_checksum' })
      }),
      { numRuns: 1000 },
    )
  })

  it('rejects a character outside the alphabet anywhere as malformed', () => {
    fc.assert(
      fc.property(
        tokenArb,
        fc.integer({ min: 0, max: TOKEN_LENGTH - 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        (token, index, char) => {
          fc.pre(!/[0-9A-Za-z]/.test(char) && char !== token[index])
          expect(checkTokenFormat(substitute(token, index, char))).toEqual({
            ok: false,
            code: 'token_malformed',
          })
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('rejects a changed prefix as malformed', () => {
    const token = GOLDEN[2]?.token ?? ''
    for (const prefix of ['TSR_', 'Tsr_', 'tsr-', 'tsk_', 'ts_r', 'xsr_']) {
      expect(checkTokenFormat(prefix + token.slice(4))).toEqual({
        ok: false,
        code: 'token_malformed',
      })
    }
  })

  it('rejects truncated, extended and padded tokens as malformed', () => {
    const token = GOLDEN[2]?.token ?? ''
    for (const candidate of [
      '',
      'tsr_',
      token.slice(0, -1),
      token.slice(1),
      `${token}0`,
      ` ${token}`,
      `${token}\n`,
      `"${token}"`,
      token.slice(4),
    ]) {
      expect(checkTokenFormat(candidate)).toEqual({ ok: false, code: 'token_malformed' })
    }
  })

  it('never throws, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (value) => {
        const verdict = checkTokenFormat(value)
        expect(verdict.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 49, maxLength: 49 }), (body) => {
        const verdict = checkTokenFormat(TOKEN_PREFIX + body)
        expect(['token_malformed', 'token_bad_checksum']).toContain(
          verdict.ok ? 'ok' : verdict.code,
        )
      }),
    )
  })

  it('never throws for values that are not strings (untyped callers)', () => {
    for (const value of [undefined, null, 53, {}, [], Symbol('x'), { length: 53 }]) {
      expect(checkTokenFormat(value as unknown as string)).toEqual({
        ok: false,
        code: 'token_malformed',
      })
    }
  })

  it('rejects a 1 MB string as malformed', () => {
    const huge = TOKEN_PREFIX + 'a'.repeat(1024 * 1024)
    for (let i = 0; i < 1000; i++) {
      expect(checkTokenFormat(huge)).toEqual({ ok: false, code: 'token_malformed' })
    }
  })
})

describe('hashToken', () => {
  for (const vector of GOLDEN) {
    it(`hashes the ${vector.name} token to its golden SHA-256`, async () => {
      await expect(hashToken(vector.token)).resolves.toBe(vector.sha256)
    })
  }

  it('equals node:crypto SHA-256 hex of the UTF-8 string, for any string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(tokenArb, fc.string({ unit: 'grapheme' })), async (value) => {
        const expected = createHash('sha256').update(value, 'utf8').digest('hex')
        expect(await hashToken(value)).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('returns 64 lowercase hex digits', async () => {
    expect(await hashToken(generateToken())).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('tokenDisplayPrefix', () => {
  it('is tsr_ plus the first 6 characters of the random part', () => {
    expect(tokenDisplayPrefix('tsr_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP')).toBe(
      'tsr_003aUl',
    )
    fc.assert(
      fc.property(tokenArb, (token) => {
        const prefix = tokenDisplayPrefix(token)
        expect(prefix).toHaveLength(10)
        expect(token.startsWith(prefix)).toBe(true)
      }),
    )
  })

  it('throws a TypeError for something that is not a token, such as its hash', async () => {
    const token = generateToken()
    const hash = await hashToken(token)
    expect(() => tokenDisplayPrefix(hash)).toThrow(TypeError)
    expect(() => tokenDisplayPrefix('')).toThrow(TypeError)
    expect(() => tokenDisplayPrefix(token.slice(0, 20))).toThrow(TypeError)
  })
})
