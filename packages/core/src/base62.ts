/** Base62 digits in ascending value: `0-9`, then `A-Z`, then `a-z` (ASCII order). */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

const BASE = 62n

/**
 * Encodes a non-negative integer in base62, most significant digit first, left-padded with `'0'`
 * to exactly `width` characters.
 *
 * @param value the integer to encode (a `number` must be a safe non-negative integer)
 * @param width the exact length of the result
 * @returns the base62 digits, exactly `width` long
 * @throws {RangeError} if `value` is negative, not an integer, or needs more than `width` digits
 *   (a programming error, never a verdict about user input)
 */
export function encodeBase62(value: bigint | number, width: number): string {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`encodeBase62: ${value} is not a safe integer`)
  }
  if (!Number.isSafeInteger(width) || width < 0) {
    throw new RangeError(`encodeBase62: width ${width} is not a non-negative integer`)
  }
  let n = BigInt(value)
  if (n < 0n) throw new RangeError('encodeBase62: value must not be negative')

  const digits = new Array<string>(width).fill('0')
  for (let i = width - 1; i >= 0 && n > 0n; i--) {
    digits[i] = BASE62_ALPHABET.charAt(Number(n % BASE))
    n /= BASE
  }
  if (n > 0n) throw new RangeError(`encodeBase62: value does not fit in ${width} base62 digits`)
  return digits.join('')
}

/**
 * Encodes bytes as one big-endian unsigned integer in base62, left-padded with `'0'` to `width`.
 * Leading zero bytes are not preserved as such: they only shrink the number, and the padding
 * restores the fixed width.
 *
 * @param bytes the integer's bytes, most significant first
 * @param width the exact length of the result
 * @returns the base62 digits, exactly `width` long
 * @throws {RangeError} if the number needs more than `width` digits
 */
export function encodeBase62Bytes(bytes: Uint8Array, width: number): string {
  let n = 0n
  for (const byte of bytes) n = (n << 8n) | BigInt(byte)
  return encodeBase62(n, width)
}
