/** Schemes that run or reveal something in the browser instead of reaching an app. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'about:', 'blob:'])

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

export type RedirectUriCheck = { ok: true } | { ok: false; reason: string }

/**
 * Whether a client may register a redirect URI: HTTPS; plain HTTP only to a loopback address
 * (RFC 8252 §7.3); or an app's own scheme such as `vscode://` or `cursor://` (RFC 8252 §7.1).
 * Never a fragment (RFC 6749 §3.1.2).
 */
export function checkRedirectUri(uri: string): RedirectUriCheck {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return { ok: false, reason: `${uri} is not an absolute URI` }
  }
  if (uri.includes('#')) return { ok: false, reason: `${uri} has a fragment` }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) {
    return { ok: false, reason: `${url.protocol} URIs cannot be redirect URIs` }
  }
  if (url.username || url.password) return { ok: false, reason: `${uri} carries credentials` }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return { ok: false, reason: `${uri} must use https (plain http only for loopback addresses)` }
  }
  return { ok: true }
}

function isLoopbackHttp(url: URL) {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
}

/**
 * Whether a redirect URI sent with an authorization request is one the client registered: an
 * exact match, except that a loopback redirect may use any port (RFC 8252 §7.3), since native
 * apps listen on whatever port is free.
 */
export function matchesRegisteredRedirect(registered: readonly string[], requested: string) {
  if (registered.includes(requested)) return true
  let asked: URL
  try {
    asked = new URL(requested)
  } catch {
    return false
  }
  if (!isLoopbackHttp(asked) || requested.includes('#')) return false
  return registered.some((entry) => {
    const known = new URL(entry)
    if (!isLoopbackHttp(known)) return false
    known.port = asked.port
    return known.toString() === asked.toString()
  })
}
