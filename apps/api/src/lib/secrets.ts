import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh 256-bit random value, base64url. */
export const randomSecret = () => randomBytes(32).toString('base64url')

/** Node's one-shot digest: what token and session lookups hash on every request. */
export const sha256Hex = (value: string) => hash('sha256', value, 'hex')

/**
 * The CSRF token of a console session: an HMAC keyed by the session secret, so only someone who
 * holds the cookie's value can produce it, and any API instance can check it without state.
 */
export const csrfTokenFor = (sessionSecret: string) =>
  createHmac('sha256', sessionSecret).update('tessera-csrf-v1').digest('base64url')

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
