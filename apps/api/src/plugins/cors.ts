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
 * CORS for the paths above, nowhere else: `Access-Control-Allow-Origin: *` and the exposed headers
 * on their answers, refusals included (the hook runs after the host check and before
 * authentication, so a 401 with its challenge is readable by the page), and a 204 preflight
 * answer from an OPTIONS route of their own. Other paths have no OPTIONS route (a preflight gets
 * 404) and get no CORS header at all.
 *
 * Written out rather than through @fastify/cors: with one wildcard origin, no credentials and a
 * fixed set of paths there is nothing to negotiate, and the plugin's per-request option merging
 * and `Vary: Origin` cost every answer of the server (13% of `/healthz`) to serve seven paths.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      const url = request.url
      const query = url.indexOf('?')
      if (CORS_ROUTES.has(query === -1 ? url : url.slice(0, query))) {
        reply.header('access-control-allow-origin', '*')
        reply.header('access-control-expose-headers', EXPOSED_HEADERS)
      }
      done()
    })
    for (const [path, methods] of CORS_ROUTES) {
      app.options(path, { config: { auth: 'public' }, schema: { hide: true } }, (_request, reply) =>
        reply
          .header('access-control-allow-methods', methods)
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .status(204)
          .send(),
      )
    }
  },
  { name: 'cors', dependencies: ['host-check'] },
)
