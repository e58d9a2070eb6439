/**
 * Everything the extension tells people about a connection, in words, with the buttons that
 * fix the problem. Pure functions: no VS Code, no I/O.
 */
import { type AuthFailureCode, ERROR_HINTS } from '@tessera/core'
import { Action } from './actions.js'
import { type ConnectionState, SIGN_IN_ENDED } from './connection.js'
import { normalizeServerUrl } from './server-url.js'
import type { CheckFailure, Identity } from './token-check.js'

export interface Explanation {
  message: string
  actions: Action[]
  /** For redirects: the address that would work. */
  suggestedServerUrl?: string
}

const DAY_MS = 86_400_000

/** Explains a failed check to a person, with the actions that can fix it. */
export function describeFailure(failure: CheckFailure, serverUrl: string): Explanation {
  switch (failure.kind) {
    case 'format':
      return {
        message:
          failure.code === 'token_bad_checksum'
            ? 'That token has a typo: its last characters do not match the rest. Copy it again, in full, from the console.'
            : `That is not a complete Tessera token. ${ERROR_HINTS.token_malformed.hint}`,
        actions: [Action.ReplaceToken],
      }
    case 'rejected':
      return describeRejection(failure, serverUrl)
    case 'unreachable':
      return {
        message: `Cannot reach ${hostOf(failure.url)}: ${unreachableReason(failure.errorCode, failure.detail)}`,
        actions: [Action.TryAgain, Action.ChangeServerUrl],
      }
    case 'certificate':
      return {
        message: `The certificate of ${hostOf(failure.url)} is not trusted (${failure.errorCode ?? failure.detail}). ${certificateAdvice(failure.errorCode)}`,
        actions: [Action.TryAgain, Action.ChangeServerUrl],
      }
    case 'timeout':
      return {
        message: `${hostOf(failure.url)} did not answer within ${failure.seconds} seconds. Check that the server is running and that no firewall or VPN is in the way.`,
        actions: [Action.TryAgain, Action.ChangeServerUrl],
      }
    case 'redirect': {
      const suggested = redirectTarget(failure.url, failure.location)
      const target = failure.location ? ` to ${failure.location}` : ''
      return {
        message: `${serverUrl} redirects${target} (HTTP ${failure.status}). VS Code does not send your token across redirects, so the server URL must be the final address${suggested ? `: ${suggested}` : ''}.`,
        actions: [Action.ChangeServerUrl],
        ...(suggested ? { suggestedServerUrl: suggested } : {}),
      }
    }
    case 'not_tessera':
      return {
        message: `No Tessera API answered at ${serverUrl} (HTTP ${failure.status} from ${failure.url}). Use the address you open the Tessera console at, without /api.`,
        actions: [Action.ChangeServerUrl],
      }
    case 'server_error':
      return {
        message: `The Tessera server at ${hostOf(failure.url)} had an internal error (HTTP ${failure.status}${failure.code ? `, ${failure.code}` : ''}). Try again later, or tell its administrator.`,
        actions: [Action.TryAgain],
      }
  }
}

function describeRejection(
  failure: Extract<CheckFailure, { kind: 'rejected' }>,
  serverUrl: string,
): Explanation {
  const known = ERROR_HINTS[failure.code as AuthFailureCode] as
    | (typeof ERROR_HINTS)[AuthFailureCode]
    | undefined
  const hint = failure.hint ?? known?.hint
  const withHint = (lead: string) => (hint ? `${lead} ${hint}` : lead)
  const replace = [Action.ReplaceToken, Action.OpenTokenPage]
  switch (failure.code) {
    case 'token_expired':
      return { message: withHint('Your Tessera token has expired.'), actions: replace }
    case 'token_revoked':
      return { message: withHint('Your Tessera token has been revoked.'), actions: replace }
    case 'token_invalid':
      return { message: withHint(`${serverUrl} does not know this token.`), actions: replace }
    case 'token_malformed':
      return { message: withHint('The server says this is not a Tessera token.'), actions: replace }
    case 'user_disabled':
      return {
        message: withHint('Your Tessera account is disabled, so its tokens are refused.'),
        actions: [],
      }
    case 'token_missing':
    case 'invalid_scheme':
      return {
        message: `The server did not receive the token (${failure.code}). A proxy between VS Code and Tessera may be removing the Authorization header.`,
        actions: [Action.TryAgain],
      }
    case 'insufficient_scope':
      return {
        message: `${failure.message ?? 'This token lacks a scope the extension needs.'} Create a token with the read and write scopes and use it instead.`,
        actions: replace,
      }
    case 'rate_limited': {
      const wait = failure.retryAfterSeconds
        ? `in ${failure.retryAfterSeconds} seconds`
        : 'in a minute'
      return {
        message: `Tessera is refusing requests from this address for a while (too many attempts). Try again ${wait}.`,
        actions: [Action.TryAgain],
      }
    }
    default: {
      const message = failure.message ?? known?.message ?? 'The request was refused.'
      return {
        message: withHint(
          `Tessera refused the request: ${message} (${failure.code}, HTTP ${failure.status}).`,
        ),
        actions: failure.status === 401 || failure.status === 403 ? replace : [Action.TryAgain],
      }
    }
  }
}

function unreachableReason(errorCode: string | undefined, detail: string): string {
  switch (errorCode) {
    case 'ECONNREFUSED':
      return 'nothing is listening there. Is the server running, and is the port right?'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve. Check the spelling, your VPN or DNS.'
    case 'ECONNRESET':
      return 'the connection was reset. A proxy or firewall may be in the way.'
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'there is no network route to it. Check your connection or VPN.'
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'EPROTO':
      return 'it did not answer with TLS. If the server serves plain http on that port, use an http:// address.'
    default:
      return `${detail}${errorCode ? ` (${errorCode})` : ''}.`
  }
}

function certificateAdvice(errorCode: string | undefined): string {
  switch (errorCode) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'The certificate was issued for another host name: use the name it was issued for in the server URL.'
    case 'CERT_HAS_EXPIRED':
      return "The server's certificate has expired: ask its administrator to renew it."
    default:
      return "If your Tessera server uses a self-signed or company certificate, add it (or its CA) to your operating system's trusted certificates (VS Code reads them while the setting http.systemCertificates is on), or start VS Code with NODE_EXTRA_CA_CERTS=/path/to/ca.pem. Then try again."
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

function redirectTarget(requestUrl: string, location: string | undefined): string | undefined {
  if (!location) return undefined
  let absolute: string
  try {
    absolute = new URL(location, requestUrl).toString()
  } catch {
    return undefined
  }
  const verdict = normalizeServerUrl(absolute.replace(/[?#].*$/, ''))
  return verdict.ok ? verdict.url : undefined
}

/** "in 3 days", "in 5 hours", "2 days ago"... for expiry dates. */
export function describeTimeUntil(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now
  if (ms <= 0) return 'already expired'
  if (ms < DAY_MS) {
    const hours = Math.max(1, Math.round(ms / 3_600_000))
    return `in ${hours} hour${hours === 1 ? '' : 's'}`
  }
  const days = Math.max(1, Math.round(ms / DAY_MS))
  return `in ${days} day${days === 1 ? '' : 's'}`
}

/** `YYYY-MM-DD` (UTC): unambiguous in every locale. */
export function formatDate(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10)
}

/** "as Ada Lovelace (ada@example.com) with token "laptop" (tsr_3fA9c2), expires 2026-03-03 (in 5 days)" */
export function describeIdentity(identity: Identity, now: number): string {
  const who = identity.userName
    ? ` as ${identity.userName}${identity.userEmail ? ` (${identity.userEmail})` : ''}`
    : ''
  const expiry = identity.expiresAt
    ? `expires ${formatDate(identity.expiresAt)} (${describeTimeUntil(identity.expiresAt, now)})`
    : 'does not expire'
  return `${who} with token "${identity.tokenName}" (${identity.tokenPrefix}), which ${expiry}`
}

/** "Connected to https://x as Ada ... which expires 2026-03-03 (in 5 days)." */
export function describeConnected(serverUrl: string, identity: Identity, now: number): string {
  return `Connected to ${serverUrl}${describeIdentity(identity, now)}.`
}

/** "Connected to https://x as Ada (ada@example.com), signed in with the browser." */
export function describeBrowserConnected(serverUrl: string, identity: Identity): string {
  const who = identity.userName
    ? ` as ${identity.userName}${identity.userEmail ? ` (${identity.userEmail})` : ''}`
    : ''
  return `Connected to ${serverUrl}${who}, signed in with the browser.`
}

/**
 * A browser sign-in that no longer works: its grant was revoked or disconnected, it expired,
 * or its access token was refused. The fix is always the same: sign in again.
 */
function describeBrowserRejection(
  state: Extract<ConnectionState, { kind: 'rejected' }>,
): Explanation & { level: 'error' } {
  const failure = state.failure
  const code = failure.kind === 'rejected' || failure.kind === 'format' ? failure.code : ''
  if (code === 'user_disabled') {
    return { level: 'error', ...describeFailure(failure, state.serverUrl) }
  }
  const why =
    code === SIGN_IN_ENDED
      ? `it can no longer be renewed${failure.kind === 'rejected' && failure.message ? ` (${failure.message})` : ''}`
      : code === 'token_revoked'
        ? 'its access was revoked in the console'
        : 'Tessera no longer accepts its access'
  return {
    level: 'error',
    message: `Your browser sign-in to ${state.serverUrl} has ended: ${why}. Sign in again to reconnect.`,
    actions: [Action.SignIn],
  }
}

/** What "Show Connection Status" says for each state, and what it offers. */
export function describeState(
  state: ConnectionState,
  now: number,
): Explanation & { level: 'info' | 'warning' | 'error' } {
  switch (state.kind) {
    case 'starting':
      return { level: 'info', message: 'Checking the Tessera connection…', actions: [] }
    case 'no_server':
      return { level: 'info', message: 'Tessera is not connected.', actions: [Action.Connect] }
    case 'bad_server_url':
      return {
        level: 'warning',
        message: `The tessera.serverUrl setting ("${state.raw}") cannot be used: ${state.problem}`,
        actions: [Action.ChangeServerUrl],
      }
    case 'signed_out':
      return {
        level: 'info',
        message: `Tessera is not connected: no token is stored for ${state.serverUrl}.`,
        actions: [Action.Connect],
      }
    case 'other_server':
      return {
        level: 'warning',
        message: `Your token was saved for ${state.tokenServerUrl}, but tessera.serverUrl is now ${state.serverUrl}. It is not sent to a server it was not checked with.`,
        actions: [Action.UseToken, Action.ReplaceToken],
      }
    case 'checking':
      return { level: 'info', message: `Checking your token with ${state.serverUrl}…`, actions: [] }
    case 'connected':
      return {
        level: 'info',
        message: state.browser
          ? describeBrowserConnected(state.serverUrl, state.identity)
          : describeConnected(state.serverUrl, state.identity, now),
        actions: [Action.OpenTokenPage, Action.SignOut],
      }
    case 'rejected':
      if (state.browser) return describeBrowserRejection(state)
      return { level: 'error', ...describeFailure(state.failure, state.serverUrl) }
    case 'unverified':
      return { level: 'warning', ...describeFailure(state.failure, state.serverUrl) }
  }
}
