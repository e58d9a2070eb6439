import type { FastifyInstance } from 'fastify'

/**
 * The console's policy: a same-origin SPA with its own scripts only, never framed. Plain-HTTP
 * servers on a LAN are common, so browsers are not asked to upgrade requests.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
].join(';')

/**
 * The API docs' policy: Swagger UI's own, with its scripts still limited to the page's own, and
 * three changes. Plain-HTTP servers on a LAN are common, so browsers are not asked to upgrade
 * requests; the page is never framed, like the console; and inline styles are allowed, because
 * Swagger UI adds `<style>` elements and style attributes as it renders, which its `style-src
 * 'self' https:` refuses (a CSP violation in the console of every visit). A style cannot run
 * code; the console's policy allows inline styles for the same reason.
 */
export function docsCsp(header: string): string {
  return header
    .replace(/\s*upgrade-insecure-requests;?/, '')
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
}

/**
 * What browsers act on when they render a page (the set helmet sends), for HTML answers only: the
 * console's pages and the API docs. The docs page brings its own CSP, which is kept.
 */
const PAGE_HEADERS: [string, string][] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
]

export interface SecurityHeaderOptions {
  /** Served over HTTPS (directly or behind a proxy): add Strict-Transport-Security. */
  hsts: boolean
}

/**
 * Security headers, paid for where they matter. Every answer says `nosniff` and may not be framed
 * (OWASP's REST Security Cheat Sheet: `X-Content-Type-Options`, `X-Frame-Options: DENY`);
 * answers to an authenticated request are not stored by any cache (`Cache-Control: no-store`,
 * unless the route chose its own); HTML answers also get the CSP and the browser-facing set above.
 * JSON answers skip the rest: a browser never renders them as a page, and their size is most of
 * the per-request cost of a small answer. One synchronous onSend hook, no allocation for JSON.
 */
export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions) {
  const hsts = options.hsts ? 'max-age=31536000; includeSubDomains' : undefined
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'DENY')
    if (hsts) reply.header('strict-transport-security', hsts)
    if (request.auth && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    const type = reply.getHeader('content-type')
    if (typeof type === 'string' && type.startsWith('text/html')) {
      if (!reply.hasHeader('content-security-policy')) {
        reply.header('content-security-policy', CONSOLE_CSP)
      }
      for (const [name, value] of PAGE_HEADERS) reply.header(name, value)
    }
    done(null, payload)
  })
}
