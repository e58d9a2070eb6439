import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BASE62_ALPHABET, encodeBase62, encodeBase62Bytes } from '../src/base62.js'

// Independent reference: decode by Horner's rule over the alphabet.
function decode(digits: string): bigint {
  let n = 0n
  for (const d of digits) {
    const v = BASE62_ALPHABET.indexOf(d)
    if (v < 0) throw new Error(`not a base62 digit: ${d}`)
    n = n * 62n + BigInt(v)
  }
  return n
}

describe('base62', () => {
  it('uses 0-9, A-Z, a-z in ascending ASCII order', () => {
    expect(BASE62_ALPHABET).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
    expect([...BASE62_ALPHABET].sort().join('')).toBe(BASE62_ALPHABET)
  })

  it('encodes small numbers left-padded to the width', () => {
    expect(encodeBase62(0, 3)).toBe('000')
    expect(encodeBase62(61, 3)).toBe('00z')
    expect(encodeBase62(62, 3)).toBe('010')
    expect(encodeBase62(62n ** 3n - 1n, 3)).toBe('zzz')
    expect(encodeBase62(0xffffffff, 6)).toBe('4gfFC3')
  })

  it('refuses values that do not fit, negatives and non-integers', () => {
    expect(() => encodeBase62(62n ** 3n, 3)).toThrow(RangeError)
    expect(() => encodeBase62(-1, 3)).toThrow(RangeError)
    expect(() => encodeBase62(1.5, 3)).toThrow(RangeError)
    expect(() => encodeBase62(1, -1)).toThrow(RangeError)
  })

  it('encodes bytes as one big-endian number', () => {
    expect(encodeBase62Bytes(new Uint8Array([0x01, 0x00]), 4)).toBe('0048')
    expect(encodeBase62Bytes(new Uint8Array([0, 0, 0, 62]), 2)).toBe('10')
  })

  it('round-trips any 256-bit number through 43 digits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const digits = encodeBase62Bytes(bytes, 43)
        expect(digits).toHaveLength(43)
        let expected = 0n
        for (const b of bytes) expected = expected * 256n + BigInt(b)
        expect(decode(digits)).toBe(expected)
      }),
    )
  })

  it('keeps numeric order as string order at a fixed width', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 62n ** 8n - 1n }),
        fc.bigInt({ min: 0n, max: 62n ** 8n - 1n }),
        (a, b) => {
          const [x, y] = [encodeBase62(a, 8), encodeBase62(b, 8)]
          expect(x < y).toBe(a < b)
        },
      ),
    )
  })
})
