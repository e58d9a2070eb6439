/**
 * # Tessera API token format
 *
 * ```
 * tsr_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP
 *
 * tsr_ 003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf 1Yo7hP
 * │    │                                           └ checksum: 6 base62 chars
 * │    └ random part: 43 base62 chars (256 bits)
 * └ prefix
 * ```
 * (this example is `encodeToken` of the bytes 0, 1, ..., 31; a generated token looks like
 * `tsr_8UGIdCbCOph279NSiXpxncKr5Hii2a6ILALZJHDsgJO0bYKJb`)
 *
 * - **Prefix** `tsr_` (4 chars) says what the secret is, so people, logs and secret scanners
 *   can recognise it.
 * - **Random part** (43 chars): 32 bytes (256 bits) from `crypto.getRandomValues`, read as one
 *   big-endian unsigned integer and written in base62, left-padded with `0` to 43 characters
 *   (62^43 > 2^256, so 43 always suffices).
 * - **Checksum** (6 chars): the standard IEEE CRC-32 (as zlib computes it) of the ASCII bytes of
 *   the 43-char random part, written in base62 and left-padded with `0` to 6 characters.
 *   It lets clients and the server reject typos and truncated copies without a database
 *   lookup: every single-character substitution, and every swap of two adjacent characters in
 *   the random part, is detected. It is not a MAC: anyone can compute it, so it proves nothing about authenticity.
 * - **Alphabet** `0-9A-Za-z`, in that order of digit value.
 * - **Length** 4 + 43 + 6 = 53 characters, all in `[A-Za-z0-9_]`, so a double-click selects
 *   the whole token in terminals, editors and browsers.
 *
 * The server stores only the SHA-256 of the token (`hashToken`) and the non-secret display
 * prefix (`tokenDisplayPrefix`, e.g. `tsr_3fA9c2`).
 *
 * For secret scanners (GitHub push protection, gitleaks, trufflehog...) use
 * `TOKEN_SCAN_REGEX_SOURCE`: `\btsr_[0-9A-Za-z]{49}\b`. The word boundaries keep it from matching
 * inside a longer identifier. A scanner can then confirm a hit with `checkTokenFormat`: a random
 * look-alike passes with odds of 1 in 62^6 (about 57 billion).
 *
 * @module
 */

import { BASE62_ALPHABET, encodeBase62, encodeBase62Bytes } from './base62.js'
import { crc32 } from './crc32.js'

/** Every Tessera API token starts with this. */
export const TOKEN_PREFIX = 'tsr_'

/** Number of random bytes behind each token (256 bits). */
export const TOKEN_RANDOM_BYTES = 32

/** Length of the base62 random part. */
export const TOKEN_RANDOM_LENGTH = 43

/** Length of the base62 CRC-32 checksum at the end of the token. */
export const TOKEN_CHECKSUM_LENGTH = 6

/** Total token length: `tsr_` + 43 random + 6 checksum = 53. */
export const TOKEN_LENGTH = 53

/** Anchored shape check (prefix, length, charset). Does not verify the checksum. */
export const TOKEN_PATTERN: RegExp = /^tsr_[0-9A-Za-z]{49}$/

/**
 * Unanchored regular expression source for secret scanners that search free text, e.g.
 * `new RegExp(TOKEN_SCAN_REGEX_SOURCE, 'g')`. `\b` on both sides stops it matching inside a
 * longer word such as `xtsr_...` or a 60-character run.
 */
export const TOKEN_SCAN_REGEX_SOURCE = '\\btsr_[0-9A-Za-z]{49}\\b'

/** Result of `checkTokenFormat`: data, never an exception. */
export type TokenFormatVerdict =
  | { ok: true }
  | { ok: false; code: 'token_malformed' | 'token_bad_checksum' }

const DISPLAY_PREFIX_RANDOM_CHARS = 6
const BASE62_RUN = /^[0-9A-Za-z]*$/
const utf8Encoder = new TextEncoder()

function checksumOf(randomPart: string): string {
  return encodeBase62(crc32(randomPart), TOKEN_CHECKSUM_LENGTH)
}

/**
 * Encodes 32 random bytes as a token. Deterministic: the same bytes always give the same token,
 * which is what makes golden test vectors possible. Use `generateToken()` for a new token.
 *
 * @param random exactly 32 bytes, most significant first
 * @returns a 53-character token that passes `checkTokenFormat`
 * @throws {TypeError} if `random` is not a `Uint8Array` of exactly 32 bytes (a programming error)
 */
export function encodeToken(random: Uint8Array): string {
  if (!(random instanceof Uint8Array) || random.length !== TOKEN_RANDOM_BYTES) {
    throw new TypeError(`encodeToken: expected a Uint8Array of exactly ${TOKEN_RANDOM_BYTES} bytes`)
  }
  const randomPart = encodeBase62Bytes(random, TOKEN_RANDOM_LENGTH)
  return TOKEN_PREFIX + randomPart + checksumOf(randomPart)
}

/**
 * Creates a new token from 32 bytes of `globalThis.crypto.getRandomValues` (a CSPRNG in Node 20+
 * and in browsers). Show it to the user once; persist only `hashToken(token)`.
 *
 * @returns a fresh 53-character token
 */
export function generateToken(): string {
  const random = new Uint8Array(TOKEN_RANDOM_BYTES)
  globalThis.crypto.getRandomValues(random)
  return encodeToken(random)
}

/**
 * Checks a candidate token's shape and checksum without any I/O, so a server can refuse typos,
 * truncations and junk before touching its database.
 *
 * - `token_malformed`: wrong length, wrong prefix, or a character outside `0-9A-Za-z` after it.
 * - `token_bad_checksum`: the shape is right but the last 6 characters do not match the CRC-32
 *   of the random part (a typo or a made-up token).
 *
 * Never throws, whatever it is given; the length is checked first, so absurdly long input costs
 * nothing.
 *
 * @param token the candidate, e.g. the value taken from an `Authorization` header
 * @returns `{ ok: true }` or `{ ok: false, code }`
 */
export function checkTokenFormat(token: string): TokenFormatVerdict {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH) {
    return { ok: false, code: 'token_malformed' }
  }
  if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, code: 'token_malformed' }
  const body = token.slice(TOKEN_PREFIX.length)
  if (!BASE62_RUN.test(body)) return { ok: false, code: 'token_malformed' }

  // The checksum is derived from public data, so a plain comparison leaks nothing secret. It is
  // compared as a number (6 base62 digits fit a double exactly): no BigInt on every request.
  const randomPart = body.slice(0, TOKEN_RANDOM_LENGTH)
  let checksum = 0
  for (let i = TOKEN_RANDOM_LENGTH; i < body.length; i++) {
    checksum = checksum * 62 + BASE62_ALPHABET.indexOf(body.charAt(i))
  }
  if (checksum !== crc32(randomPart)) return { ok: false, code: 'token_bad_checksum' }
  return { ok: true }
}

/**
 * SHA-256 of the token's UTF-8 bytes, as 64 lowercase hex digits. This is what the server stores
 * and looks tokens up by (unique index); the token itself is never stored. A plain hash is
 * enough because a token carries 256 bits of entropy, so there is nothing to brute-force.
 *
 * @param token the full token (any string is accepted; nothing is validated here)
 * @returns lowercase hex digest, 64 characters
 */
export async function hashToken(token: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', utf8Encoder.encode(token))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * The non-secret prefix shown in token lists so people can tell their tokens apart:
 * `tsr_` + the first 6 characters of the random part, e.g. `tsr_3fA9c2`. It reveals about 36 of
 * the 256 random bits, which leaves the rest far beyond guessing.
 *
 * @param token a token with the right shape (`TOKEN_PATTERN`); the checksum is not checked
 * @returns 10 characters, e.g. `tsr_3fA9c2`
 * @throws {TypeError} if `token` does not have the token shape: a programming error, such as
 *   passing the stored hash instead of the token
 */
export function tokenDisplayPrefix(token: string): string {
  if (typeof token !== 'string' || token.length !== TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
    throw new TypeError('tokenDisplayPrefix: expected a tsr_ token')
  }
  return token.slice(0, TOKEN_PREFIX.length + DISPLAY_PREFIX_RANDOM_CHARS)
}
