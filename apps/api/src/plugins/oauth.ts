import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { baseUrlOf, type OAuthUrls, oauthUrls } from '../services/oauth/protocol.js'

export interface OAuthPluginOptions {
  publicUrl?: string | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The OAuth endpoints' and the MCP resource's URLs, as clients must see them. */
    oauthUrls(request: FastifyRequest): OAuthUrls
  }
}

/**
 * Where the OAuth endpoints are: under TESSERA_PUBLIC_URL, or under the origin a request reached
 * when it is unset (a server on a LAN reached by its address).
 */
export default fp<OAuthPluginOptions>(
  async (app, opts) => {
    app.decorate('oauthUrls', (request: FastifyRequest) =>
      oauthUrls(baseUrlOf(request, opts.publicUrl)),
    )
  },
  { name: 'oauth' },
)
