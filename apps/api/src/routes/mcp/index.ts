import type { FastifyPluginAsync } from 'fastify'
import { createMcpHandler } from '../../mcp/server.js'

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

  app.post(
    '/mcp',
    {
      config: { via: 'mcp', scope: 'read', tokenOnly: true },
      // Browsers must not reach the MCP server from other sites (DNS rebinding, CSRF).
      onRequest: async (request) => app.assertSameOrigin(request),
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
