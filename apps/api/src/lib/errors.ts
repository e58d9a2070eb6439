import type { AuthFailureCode } from '@tessera/core'
import { ERROR_HINTS } from '@tessera/core'

/**
 * The one error type routes and services throw for expected failures. The error handler turns it
 * into Problem Details JSON with a stable snake_case `code`.
 */
export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      hint?: string
      details?: unknown
      headers?: Record<string, string>
      /** OAuth endpoints: the RFC 6749 §5.2 `error`, sent with `error_description` as well. */
      oauthError?: string
    } = {},
  ) {
    super(message)
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details === undefined ? {} : { details })

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`)

export const conflict = (code: string, message: string) => new AppError(409, code, message)

export const forbidden = (code: string, message: string, hint?: string) =>
  new AppError(403, code, message, hint ? { hint } : {})

/** 401 for a failed authentication, with the hint that tells the user what to check. */
export function unauthorized(code: AuthFailureCode | 'session_invalid'): AppError {
  if (code === 'session_invalid') {
    return new AppError(401, code, 'Your session has ended.', {
      hint: 'Sign in again.',
      headers: { 'www-authenticate': 'Bearer realm="tessera"' },
    })
  }
  const { message, hint } = ERROR_HINTS[code]
  // RFC 6750 §3.1: no error code when no credentials were sent; otherwise say why, for clients
  // that show the challenge rather than the body.
  const error =
    code === 'token_missing'
      ? ''
      : `, error="invalid_token", error_description="${challengeText(message)}"`
  return new AppError(401, code, message, {
    hint,
    headers: { 'www-authenticate': `Bearer realm="tessera"${error}` },
  })
}

/** Drops what RFC 6750 does not allow in `error_description` (quotes, backslashes, non-ASCII). */
function challengeText(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')
}

export function permissionDenied(permission: string): AppError {
  return forbidden(
    'permission_denied',
    `This needs the ${permission} permission, which your account does not have.`,
    'Ask an administrator of this Tessera server to grant it.',
  )
}
