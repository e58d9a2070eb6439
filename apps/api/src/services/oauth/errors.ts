import { AppError } from '../../lib/errors.js'

/**
 * An OAuth protocol error (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 8707 §2): answered with `error`
 * and `error_description` for OAuth clients, and as Problem Details (`detail`, `code`, `hint`)
 * like every other Tessera error.
 */
export function oauthError(
  status: number,
  error: string,
  description: string,
  extra: { hint?: string; headers?: Record<string, string> } = {},
) {
  return new AppError(status, error, description, { ...extra, oauthError: error })
}

export const oauthDisabled = () =>
  oauthError(403, 'oauth_disabled', 'Connecting apps with OAuth is turned off on this server.', {
    hint: 'Ask an administrator to turn OAuth on, or use an API token in the Authorization header.',
  })
