/**
 * Lookup table for the reflected IEEE 802.3 polynomial 0xEDB88320, built once at module load.
 * Building it eagerly keeps `crc32()` branch-free and costs 1 KiB.
 */
const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    }
    table[n] = c >>> 0
  }
  return table
})()

const utf8Encoder = new TextEncoder()

/**
 * Standard CRC-32 (IEEE 802.3, the one zlib, gzip and PNG use): reflected polynomial
 * 0xEDB88320, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.
 *
 * Strings are hashed as their UTF-8 bytes (for the ASCII inputs tokens use, that is one byte per
 * character). The check value holds: `crc32('123456789') === 0xCBF43926`.
 *
 * @param input bytes, or a string to encode as UTF-8
 * @returns the checksum as an unsigned 32-bit integer (0 to 0xFFFFFFFF)
 */
export function crc32(input: string | Uint8Array): number {
  if (typeof input === 'string') {
    // ASCII (every token) is its own UTF-8: hashed straight from the string, with no copy.
    let crc = 0xffffffff
    for (let i = 0; i < input.length; i++) {
      const code = input.charCodeAt(i)
      if (code > 0x7f) return crc32(utf8Encoder.encode(input))
      crc = (CRC32_TABLE[(crc ^ code) & 0xff] ?? 0) ^ (crc >>> 8)
    }
    return (crc ^ 0xffffffff) >>> 0
  }
  const bytes = input
  let crc = 0xffffffff
  for (const byte of bytes) {
    // The index is always 0..255, so the lookup cannot miss; `?? 0` only satisfies the compiler.
    crc = (CRC32_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}
