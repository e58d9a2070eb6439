import fastifyCors from '@fastify/cors'
import fp from 'fastify-plugin'

/**
 * What browser-based MCP clients call across origins, and with which methods: the MCP endpoint,
 * OAuth discovery, and the OAuth endpoints a client calls itself. None of them takes a cookie
 * (the MCP endpoint accepts API tokens only; the OAuth endpoints are public), so any origin may
 * call them and no credentials are ever allowed. `/oauth/authorize` is a browser navigation,
 * not a fetch, and the console's cookie routes (consent included) stay same-origin.
 */
export const CORS_ROUTES: ReadonlyMap<string, string> = new Map([
  // GET and DELETE answer 405 (stateless server); a browser client must be able to read that.
  ['/api/v1/mcp', 'GET, POST, DELETE'],
  ['/.well-known/oauth-protected-resource', 'GET'],
  ['/.well-known/oauth-protected-resource/api/v1/mcp', 'GET'],
  ['/.well-known/oauth-authorization-server', 'GET'],
  ['/oauth/token', 'POST'],
  ['/oauth/register', 'POST'],
  ['/oauth/revoke', 'POST'],
])

/** Request headers MCP clients send (Authorization must be named: `*` would not cover it). */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'mcp-protocol-version',
  'mcp-session-id',
  'last-event-id',
].join(', ')

/**
 * Answer headers a browser client must read: the 401 challenge that starts OAuth discovery,
 * the MCP session and protocol headers, and when to retry after a 429.
 */
const EXPOSED_HEADERS = [
  'www-authenticate',
  'mcp-session-id',
  'mcp-protocol-version',
  'retry-after',
].join(', ')

/**
 * CORS for the paths above, nowhere else. Registered before authentication, so a refusal (401
 * with its challenge, 403, 429) carries the CORS headers too and the client can read why; after
 * the host check, which still refuses a rebound host name first, preflight included.
 */
export default fp(
  async (app) => {
    await app.register(fastifyCors, {
      delegator: (request, callback) => {
        const query = request.url.indexOf('?')
        const path = query === -1 ? request.url : request.url.slice(0, query)
        const methods = CORS_ROUTES.get(path)
        if (!methods) return callback(null, { origin: false })
        callback(null, {
          origin: '*',
          credentials: false,
          methods,
          allowedHeaders: ALLOWED_HEADERS,
          exposedHeaders: EXPOSED_HEADERS,
          maxAge: 600,
        })
      },
    })
  },
  { name: 'cors', dependencies: ['host-check'] },
)
