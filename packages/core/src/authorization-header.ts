import { checkTokenFormat } from './token-format.js'

/** The authentication schemes Tessera accepts, as reported in `AuthorizationVerdict.scheme`. */
export type AuthorizationScheme = 'bearer' | 'api-token'

/** Result of `parseAuthorizationHeader`: data, never an exception. */
export type AuthorizationVerdict =
  | { ok: true; scheme: AuthorizationScheme; token: string }
  | {
      ok: false
      code: 'token_missing' | 'invalid_scheme' | 'token_malformed' | 'token_bad_checksum'
    }

/**
 * Longest `Authorization` value that is parsed at all. A real one is at most ~70 characters
 * (`Api-Token ` + 53); anything beyond 1 KiB is refused before trimming or pattern matching.
 */
export const MAX_AUTHORIZATION_HEADER_LENGTH = 1024

// ASCII-only on purpose: `toLowerCase()` would fold U+212A KELVIN SIGN to `k` and accept
// `Api-To\u212Aen`; the header is ASCII by definition, so anything else is simply not a scheme.
function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

function schemeNamed(name: string): AuthorizationScheme | undefined {
  // The spellings clients send, without building a lower-cased copy on every request.
  if (name === 'Bearer') return 'bearer'
  if (name === 'Api-Token') return 'api-token'
  switch (asciiLowerCase(name)) {
    case 'bearer':
      return 'bearer'
    case 'api-token':
      return 'api-token'
    default:
      return undefined
  }
}

function isSpaceOrTab(char: string | undefined): boolean {
  return char === ' ' || char === '\t'
}

/**
 * Parses an HTTP `Authorization` header value into a token, checking the token's format and
 * checksum on the way (no I/O). Accepts `Bearer <token>` and `Api-Token <token>`; the scheme is
 * matched case-insensitively (ASCII only), separated from the token by one or more spaces or
 * tabs, and surrounding whitespace is ignored.
 *
 * Failure codes, checked in this order:
 * - `token_missing`: no header (`undefined`, `null`, empty array), an empty or whitespace-only
 *   value, or a known scheme with nothing after it (`Bearer`, `Bearer   `). The last case is
 *   almost always an unset variable in `Bearer $TOKEN`, and "no token was sent" says exactly that.
 * - `token_malformed`: a value over `MAX_AUTHORIZATION_HEADER_LENGTH` characters (refused
 *   without further work), or a known scheme followed by something that is not token-shaped
 *   (including two tokens separated by a space).
 * - `invalid_scheme`: any other scheme (`Basic xyz`, `Token x`), a bare token with no scheme, or
 *   several header values (an array of two or more). Duplicate `Authorization` headers are
 *   ambiguous, so none of them is trusted; the hint for this code tells the client to send
 *   exactly one. A one-element array is treated as that single value.
 * - `token_bad_checksum`: a known scheme and a token-shaped value whose checksum is wrong.
 *
 * Never throws, whatever it is given (including non-string values from untyped callers).
 *
 * @param value the raw header, as Node/Fastify expose it (`request.headers.authorization`)
 * @returns `{ ok: true, scheme, token }` or `{ ok: false, code }`
 */
export function parseAuthorizationHeader(
  value: string | string[] | undefined | null,
): AuthorizationVerdict {
  let raw: unknown = value
  if (Array.isArray(raw)) {
    if (raw.length === 0) return { ok: false, code: 'token_missing' }
    if (raw.length > 1) return { ok: false, code: 'invalid_scheme' }
    raw = raw[0]
  }
  if (raw === undefined || raw === null) return { ok: false, code: 'token_missing' }
  if (typeof raw !== 'string') return { ok: false, code: 'invalid_scheme' }
  if (raw.length > MAX_AUTHORIZATION_HEADER_LENGTH) return { ok: false, code: 'token_malformed' }

  const header = raw.trim()
  if (header === '') return { ok: false, code: 'token_missing' }

  let schemeEnd = 0
  while (schemeEnd < header.length && !isSpaceOrTab(header[schemeEnd])) schemeEnd++
  const scheme = schemeNamed(header.slice(0, schemeEnd))
  if (scheme === undefined) return { ok: false, code: 'invalid_scheme' }

  let tokenStart = schemeEnd
  while (isSpaceOrTab(header[tokenStart])) tokenStart++
  const token = header.slice(tokenStart)
  if (token === '') return { ok: false, code: 'token_missing' }

  const format = checkTokenFormat(token)
  if (!format.ok) return { ok: false, code: format.code }
  return { ok: true, scheme, token }
}
