/** Where the extension writes what it did. Messages never contain a token; `redactSecrets` makes sure. */
export interface Log {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export const silentLog: Log = { info() {}, warn() {}, error() {} }

// Anything token-shaped, even truncated or mistyped: keep only the non-secret display prefix.
const TOKEN_LIKE = /tsr_[0-9A-Za-z]{6}[0-9A-Za-z]*/g
// Refresh tokens of a browser sign-in (`tsrf_` + base64url): nothing of them is worth keeping.
const REFRESH_TOKEN_LIKE = /tsrf_[0-9A-Za-z_-]+/g

/** Replaces every token-like string with its display prefix (`tsr_3fA9c2…`). */
export function redactSecrets(text: string): string {
  return text
    .replace(REFRESH_TOKEN_LIKE, 'tsrf_…')
    .replace(TOKEN_LIKE, (match) => `${match.slice(0, 10)}…`)
}

/** Wraps a log so that nothing token-shaped reaches it. */
export function redactingLog(inner: Log): Log {
  return {
    info: (message) => inner.info(redactSecrets(message)),
    warn: (message) => inner.warn(redactSecrets(message)),
    error: (message) => inner.error(redactSecrets(message)),
  }
}
