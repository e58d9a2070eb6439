import { isIP } from 'node:net'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { createMcpHandler } from '../../mcp/server.js'
import { getOAuthSettings } from '../../services/oauth/get-settings.js'
import { SCOPES_SUPPORTED } from '../../services/oauth/protocol.js'
import { clientFromMcpBody, clientFromUserAgent } from '../../services/tokens/usage-client.js'

const methodNotAllowed = {
  jsonrpc: '2.0',
  error: {
    code: -32000,
    message: 'Method not allowed: this MCP server is stateless; send JSON-RPC with POST.',
  },
  id: null,
}

/**
 * The MCP endpoint (Streamable HTTP, stateless). Authentication is the same as REST (the global
 * hook), with API tokens only; writes are checked per tool, so read-only tokens may connect.
 */
const mcpRoutes: FastifyPluginAsync = async (app) => {
  const handle = createMcpHandler({ db: app.db, log: app.log })

  const counted = new WeakSet<FastifyRequest>()

  /**
   * Counts the request in its token's usage (the auth plugin leaves MCP requests to this hook,
   * which runs once the body is read, whatever the answer). The client is the one `initialize`
   * names, remembered for the token and address, so the requests that follow it count for it too;
   * without one, the User-Agent's product.
   */
  async function countTokenUse(request: FastifyRequest, _reply: FastifyReply, payload: unknown) {
    const token = request.auth?.method === 'token' ? request.auth.token : null
    if (!token || counted.has(request)) return payload
    counted.add(request)
    const ip = isIP(request.ip) ? request.ip : null
    const named = clientFromMcpBody(request.body)
    if (named) app.lastUsed.rememberMcpClient(token.id, ip, named)
    const client =
      named ??
      app.lastUsed.mcpClient(token.id, ip) ??
      clientFromUserAgent(request.headers['user-agent'])
    app.lastUsed.touch(token, ip, client)
    return payload
  }

  /**
   * Every 401 points to the protected resource metadata (RFC 9728 §5.1) and names the scopes to
   * ask for, so MCP clients can start OAuth; the reason a token was refused stays in the
   * challenge's error_description and in the body's code and hint. Not while OAuth is off.
   */
  async function addOAuthChallenge(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const challenge = reply.getHeader('www-authenticate')
    if (reply.statusCode !== 401 || typeof challenge !== 'string') return payload
    try {
      if (!(await getOAuthSettings(app.db)).enabled) return payload
    } catch {
      return payload
    }
    const { resourceMetadata } = app.oauthUrls(request)
    reply.header(
      'www-authenticate',
      challenge.replace(
        /^Bearer realm="tessera"/,
        `Bearer realm="tessera", resource_metadata="${resourceMetadata}", scope="${SCOPES_SUPPORTED.join(' ')}"`,
      ),
    )
    return payload
  }

  app.post(
    '/mcp',
    {
      // Any origin may call with an API token (browser-based MCP clients, CORS in plugins/cors.ts):
      // a page holds a token only if the user gave it one. What a foreign page could use without
      // the user's consent stays refused: a console session never authenticates here
      // (tokenOnly: 403 token_required), and a rebound host name is refused by the host check
      // (DNS rebinding).
      config: { via: 'mcp', scope: 'read', tokenOnly: true },
      onSend: [countTokenUse, addOAuthChallenge],
      schema: { hide: true },
    },
    handle,
  )

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (_request, reply) =>
        reply.status(405).header('allow', 'POST').send(methodNotAllowed),
    })
  }
}

export default mcpRoutes
