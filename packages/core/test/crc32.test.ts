// Tests run in Node and may use it; src/ must not (the build has no Node types).
/// <reference types="node" />
import { crc32 as zlibCrc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32 } from '../src/crc32.js'

describe('crc32', () => {
  it('gives the standard CRC-32 check value for "123456789"', () => {
    expect(crc32('123456789')).toBe(0xcbf43926)
  })

  it('gives 0 for empty input', () => {
    expect(crc32('')).toBe(0)
    expect(crc32(new Uint8Array())).toBe(0)
  })

  it('matches known zlib values', () => {
    // Values from zlib.crc32 (Node 20.15+), computed once.
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339)
    expect(crc32('a')).toBe(0xe8b7be43)
    expect(crc32(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff)
  })

  it('hashes a string as its UTF-8 bytes', () => {
    expect(crc32('é')).toBe(crc32(new Uint8Array([0xc3, 0xa9])))
  })

  it('always returns an unsigned 32-bit integer', () => {
    for (const input of ['', 'a', 'tsr_', '\u{1F600}'.repeat(9)]) {
      const value = crc32(input)
      expect(Number.isInteger(value)).toBe(true)
      expect(value).toBeGreaterThanOrEqual(0)
      expect(value).toBeLessThanOrEqual(0xffffffff)
    }
  })

  it('agrees with zlib on arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes))
      }),
    )
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(crc32(text)).toBe(zlibCrc32(text))
      }),
    )
  })
})
