import { STATUS_CODES } from 'node:http'

/**
 * Where each problem type is described. Error answers name their type relative to the server
 * (RFC 9457 §3.1.1 allows a relative reference): the same string on every Tessera server, so
 * clients can compare it, and it resolves against the server that answered, which describes the
 * type at that address (`GET /api/v1/errors/{code}`).
 */
export const PROBLEM_TYPE_BASE = '/api/v1/errors/'

export interface ProblemTypeInfo {
  /** Short and the same for every occurrence (RFC 9457 `title`). */
  title: string
  /** What it means, for people reading the catalogue; each answer's `detail` says more. */
  description: string
}

/**
 * Every `code` the API answers with. A code missing here still answers, typed `about:blank`
 * with the HTTP status text as its title, as RFC 9457 §4.2.1 prescribes.
 */
export const PROBLEM_TYPES: Readonly<Record<string, ProblemTypeInfo>> = {
  // 401: who are you?
  token_missing: {
    title: 'No credentials',
    description: 'No Authorization header and no console session came with the request.',
  },
  invalid_scheme: {
    title: 'Unsupported authorization scheme',
    description: 'The Authorization header is not `Bearer <token>` or `Api-Token <token>`.',
  },
  token_malformed: {
    title: 'Malformed token',
    description: 'Not a Tessera token: `tsr_` followed by 49 letters and digits.',
  },
  token_invalid: {
    title: 'Invalid token',
    description:
      'Mistyped (its checksum fails), unknown to this server, or replaced by a rotation.',
  },
  token_expired: { title: 'Token expired', description: 'The token is past its expiry date.' },
  token_revoked: {
    title: 'Token revoked',
    description: 'The token was revoked; a revoked token can neither be used nor rotated.',
  },
  user_disabled: {
    title: 'Account disabled',
    description: "The account (the token's owner, or the one signing in) is disabled.",
  },
  session_invalid: {
    title: 'Session ended',
    description: 'The console session has ended or is unknown; sign in again.',
  },
  invalid_credentials: {
    title: 'Wrong email or password',
    description: 'Sign-in failed: the email or the password is wrong.',
  },
  // 403: you may not.
  insufficient_scope: {
    title: 'Insufficient scope',
    description: "The token's scopes do not allow this (a `read` token making a change, say).",
  },
  permission_denied: {
    title: 'Permission denied',
    description: "The account's role does not have the permission this needs.",
  },
  project_permission_denied: {
    title: 'Project permission denied',
    description: 'Only the project owner or an admin can do this.',
  },
  project_archived: {
    title: 'Project archived',
    description: 'The project is archived: unarchive it before changing it.',
  },
  session_required: {
    title: 'Console session required',
    description: 'Administration and managing tokens by id need a signed-in console session.',
  },
  token_required: {
    title: 'API token required',
    description: 'This route takes an API token, not a console session.',
  },
  csrf_invalid: {
    title: 'Invalid CSRF token',
    description:
      "A cookie-authenticated change without the session's `X-CSRF-Token` header (from sign-in or `GET /api/v1/me`).",
  },
  origin_not_allowed: {
    title: 'Origin not allowed',
    description: 'The request came from a web page on another origin.',
  },
  host_not_allowed: {
    title: 'Host not allowed',
    description: "The `Host` is not one of this server's names (see `TESSERA_ALLOWED_HOSTS`).",
  },
  current_password_invalid: {
    title: 'Wrong current password',
    description:
      'Changing the password needs the current one; wrong ones count like wrong passwords at sign-in.',
  },
  password_change_required: {
    title: 'Password change required',
    description:
      'An administrator requires a new password: until it is changed with `PUT /api/v1/me/password`, the session can do nothing else. API tokens are not affected.',
  },
  setup_code_invalid: {
    title: 'Invalid setup code',
    description: 'Creating the first admin needs the one-time setup code printed at start.',
  },
  oauth_disabled: {
    title: 'OAuth turned off',
    description: 'Connecting apps with OAuth is turned off on this server.',
  },
  unauthorized_client: {
    title: 'Client not allowed',
    description: 'The OAuth client is blocked, awaits approval, or may not use this grant.',
  },
  // 404
  not_found: {
    title: 'Not found',
    description: 'The object does not exist, or is not visible to you.',
  },
  route_not_found: {
    title: 'No such route',
    description: 'No route answers this method and path.',
  },
  // 400: bad input.
  validation_failed: {
    title: 'Invalid request',
    description: "The path, query or body does not match the route's schema; `details` lists why.",
  },
  invalid_json: { title: 'Invalid JSON', description: 'The body is not valid JSON.' },
  invalid_text: {
    title: 'Invalid text',
    description: 'The request holds text that cannot be stored (a NUL character).',
  },
  invalid_cursor: {
    title: 'Invalid cursor',
    description: 'The paging cursor is not valid; start again without one.',
  },
  invalid_scope: { title: 'Invalid scope', description: 'A scope asked for cannot be granted.' },
  assignee_not_found: {
    title: 'Assignee not found',
    description: 'No user matches the assignee given.',
  },
  assignee_not_member: {
    title: 'Assignee not a member',
    description: 'The assignee is not a member of the project.',
  },
  last_owner: {
    title: 'Last owner',
    description: 'A project needs at least one owner.',
  },
  password_unchanged: {
    title: 'Password unchanged',
    description: 'The new password is the same as the current one.',
  },
  cannot_demote_self: {
    title: 'Cannot change own account',
    description: 'Admins cannot disable themselves or remove their own admin role.',
  },
  token_lifetime_exceeded: {
    title: 'Token lifetime too long',
    description: "The expiry asked for is beyond the token policy's maximum lifetime.",
  },
  token_expiry_required: {
    title: 'Token expiry required',
    description: 'The token policy requires every token to expire.',
  },
  malformed_request: {
    title: 'Malformed request',
    description: 'The request is not valid HTTP.',
  },
  bad_request: { title: 'Bad request', description: 'The request cannot be processed as sent.' },
  invalid_content_length: {
    title: 'Invalid Content-Length',
    description: 'The Content-Length header does not match the body.',
  },
  invalid_request: {
    title: 'Invalid OAuth request',
    description: 'An OAuth request is missing a parameter or has a wrong one.',
  },
  invalid_client: {
    title: 'Invalid client',
    description: 'The OAuth client is unknown to this server.',
  },
  invalid_client_metadata: {
    title: 'Invalid client metadata',
    description: 'The OAuth client registration has a wrong or missing field.',
  },
  invalid_redirect_uri: {
    title: 'Invalid redirect URI',
    description: 'The redirect URI is not one the OAuth client registered.',
  },
  invalid_target: {
    title: 'Invalid resource',
    description: "The OAuth `resource` is not this server's MCP endpoint.",
  },
  invalid_grant: {
    title: 'Invalid grant',
    description: 'The authorization code or refresh token is invalid, expired or used up.',
  },
  unsupported_grant_type: {
    title: 'Unsupported grant type',
    description: 'The OAuth token endpoint does not support this grant type.',
  },
  // 409 / 410: state.
  email_taken: {
    title: 'Email taken',
    description: 'A user with this email already exists.',
  },
  project_key_taken: {
    title: 'Project key taken',
    description: 'A project with this key already exists.',
  },
  setup_done: {
    title: 'Setup done',
    description: 'This server already has users; sign in instead.',
  },
  token_limit_reached: {
    title: 'Token limit reached',
    description: 'The account has as many active tokens as the token policy allows.',
  },
  token_managed_by_app: {
    title: 'Token managed by an app',
    description: 'The token belongs to a connected app, which renews it by itself.',
  },
  oauth_request_decided: {
    title: 'Request already answered',
    description: 'This OAuth authorization request has already been approved or denied.',
  },
  oauth_request_expired: {
    title: 'Request expired',
    description: 'This OAuth authorization request is too old; start connecting the app again.',
  },
  // Transport and limits.
  request_timeout: {
    title: 'Request timeout',
    description: 'The request took longer than `TESSERA_REQUEST_TIMEOUT_MS` to arrive.',
  },
  body_too_large: { title: 'Body too large', description: 'The request body is too large.' },
  unsupported_media_type: {
    title: 'Unsupported media type',
    description: 'The Content-Type is not one this route accepts (JSON, for most).',
  },
  headers_too_large: {
    title: 'Headers too large',
    description: 'The request headers are too large.',
  },
  rate_limited: {
    title: 'Too many attempts',
    description: 'Too many failures (or requests) from your address; see `Retry-After`.',
  },
  internal_error: {
    title: 'Internal error',
    description: 'Something went wrong on the server; details are in its log.',
  },
  database_unavailable: {
    title: 'Database unavailable',
    description: 'The database cannot be reached; retry after `Retry-After` seconds.',
  },
}

/** The RFC 9457 `type` and `title` of an answer with this `code` and status. */
export function problemType(code: string, status: number): { type: string; title: string } {
  const known = Object.hasOwn(PROBLEM_TYPES, code) ? PROBLEM_TYPES[code] : undefined
  if (known) return { type: `${PROBLEM_TYPE_BASE}${code}`, title: known.title }
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error' }
}

/**
 * An error answer: RFC 9457 Problem Details (`type`, `title`, `status`, `detail`) with our stable
 * snake_case `code` and, where there is something to do about it, a `hint`.
 */
export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  code: string
  hint?: string
  details?: unknown
  /** OAuth endpoints (RFC 6749 §5.2): the same answer in the fields OAuth clients read. */
  error?: string
  error_description?: string
}

/** The body of an error answer; every place that answers an error builds it here. */
export function problemBody(
  status: number,
  code: string,
  detail: string,
  extra: { hint?: string | undefined; details?: unknown } = {},
): ProblemBody {
  const body: ProblemBody = { ...problemType(code, status), status, detail, code }
  if (extra.hint) body.hint = extra.hint
  if (extra.details !== undefined) body.details = extra.details
  return body
}
