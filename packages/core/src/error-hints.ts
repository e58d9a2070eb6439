import type { AuthorizationVerdict } from './authorization-header.js'
import type { TokenVerdict } from './token-status.js'

/**
 * Every reason a request can fail authentication, as sent to clients (HTTP 401). Stable
 * snake_case: clients may switch on these.
 */
export type AuthFailureCode =
  | 'token_missing'
  | 'invalid_scheme'
  | 'token_malformed'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'user_disabled'

/** A short explanation for people: what went wrong, and what to check. */
export interface ErrorHint {
  message: string
  hint: string
}

/** Any failure code produced by this package's verdicts, plus the database-lookup miss. */
export type AuthVerdictFailureCode =
  | Extract<AuthorizationVerdict, { ok: false }>['code']
  | Extract<TokenVerdict, { ok: false }>['code']
  | 'token_invalid'

/**
 * Human text for each authentication failure, shared by the API (problem details), the admin
 * console and the VS Code extension so that all three say the same thing.
 */
export const ERROR_HINTS: Readonly<Record<AuthFailureCode, Readonly<ErrorHint>>> = {
  token_missing: {
    message: 'No API token was sent.',
    hint: 'Send the header `Authorization: Api-Token <token>` (or `Authorization: Bearer <token>`). If the token comes from an environment variable, check that the variable is set.',
  },
  invalid_scheme: {
    message: 'The Authorization header is not in a supported form.',
    hint: 'The header must be exactly `Authorization: Api-Token <token>` or `Authorization: Bearer <token>`.',
  },
  token_malformed: {
    message: 'The API token is not in the Tessera token format.',
    hint: 'A Tessera token starts with tsr_ and is exactly 53 characters long, letters and digits after the tsr_. Check for missing characters, extra spaces or quotes.',
  },
  token_invalid: {
    message: 'The API token is not valid.',
    hint: 'This token is not known to this server. Check you copied the whole token (it starts with tsr_) and that it was created on this server.',
  },
  token_expired: {
    message: 'The API token has expired.',
    hint: 'Create a new token in the console under API Tokens, then replace the old one wherever it is used.',
  },
  token_revoked: {
    message: 'The API token has been revoked.',
    hint: 'A revoked token cannot be restored. Create a new one in the console under API Tokens, then replace the old one wherever it is used.',
  },
  user_disabled: {
    message: 'The account that owns this API token is disabled.',
    hint: 'Ask a workspace administrator to re-enable the account. Its tokens are refused while it is disabled.',
  },
}

/**
 * Maps a verdict's failure code to the code sent to clients. `token_bad_checksum` becomes
 * `token_invalid`: to the user a mistyped token and an unknown one are the same problem (check
 * the copy), and one public code keeps how the server validates tokens out of its contract.
 * Every other code passes through unchanged.
 *
 * @param code a failure code from `parseAuthorizationHeader`, `checkTokenFormat` or `judgeToken`,
 *   or `token_invalid` for a token that was not found
 * @returns the client-facing code; look up its text in `ERROR_HINTS`
 */
export function toAuthFailureCode(code: AuthVerdictFailureCode): AuthFailureCode {
  return code === 'token_bad_checksum' ? 'token_invalid' : code
}
