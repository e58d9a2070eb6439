import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { MeResponse } from '../../contract/index.js'
import { csrfTokenFor } from '../../lib/secrets.js'
import { presentUser } from '../../services/users/present.js'
import { authErrors } from '../schemas.js'

const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Who is calling: user, permissions and how they authenticated',
        response: { 200: MeResponse, ...authErrors },
      },
    },
    async (request) => {
      // biome-ignore lint/style/noNonNullAssertion: the auth hook guarantees it on this route
      const auth = request.auth!
      return {
        user: presentUser(auth.user),
        permissions: auth.permissions,
        auth: auth.token
          ? {
              method: 'token' as const,
              token: {
                id: auth.token.id,
                name: auth.token.name,
                prefix: auth.token.prefix,
                scopes: auth.token.scopes,
                expiresAt: auth.token.expiresAt?.toISOString() ?? null,
              },
            }
          : { method: 'session' as const, csrfToken: csrfTokenFor(auth.sessionSecret ?? '') },
      }
    },
  )
}

export default meRoutes
