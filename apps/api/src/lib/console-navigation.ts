import type { FastifyRequest } from 'fastify'

/**
 * Paths the console never owns, whatever the request looks like: the API, well-known metadata
 * (RFC 8615) and the endpoints OAuth clients probe after a 401 (RFC 8414, RFC 7591, RFC 6749).
 * MCP clients parse whatever answers there as JSON; the console's HTML made them fail with
 * `Unexpected token '<'` instead of showing why the token was refused. The one exception is
 * `/oauth/consent`, the console page the authorization endpoint sends the browser to.
 */
const NOT_CONSOLE =
  /^\/(?:api|\.well-known|register|token|authorize|oauth(?!\/consent(?:\/|$)))(?:\/|$)/i

/** True when the Accept header asks for HTML (what a browser sends to load a page). */
function acceptsHtml(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    if (type !== 'text/html' && type !== 'application/xhtml+xml') return false
    const q = params.find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/**
 * Whether a request no route served is a browser loading one of the console's pages, which the
 * console routes itself (history mode; it has its own not-found view). Anything else (fetch
 * clients sending `application/json` or `*\/*`, other methods, missing files, the paths above)
 * gets the JSON 404.
 */
export function isConsoleNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const path = request.url.split('?')[0] ?? '/'
  if (NOT_CONSOLE.test(path)) return false
  // A path with an extension is a file; a missing one is a 404, not a page.
  if (/\.[a-z0-9]+$/i.test(path)) return false
  return acceptsHtml(request.headers.accept)
}
