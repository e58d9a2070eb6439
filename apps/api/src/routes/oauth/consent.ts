import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  DecideOAuthRequestBody,
  OAuthDecision,
  OAuthGrantList,
  OAuthRequest,
  Problem,
} from '../../contract/index.js'
import { actorOf, serviceContext } from '../../plugins/auth.js'
import { decideRequest } from '../../services/oauth/decide.js'
import { describeRequest } from '../../services/oauth/find-request.js'
import { listGrants } from '../../services/oauth/list-grants.js'
import { revokeGrant } from '../../services/oauth/revoke-grant.js'
import { authErrors, IdParams, NoContent } from '../schemas.js'

const RequestParams = z.object({ id: z.string().min(1).max(100) })

/**
 * What the console's consent page and connected-apps list use. Answering a request issues
 * access for the signed-in user, so, like creating a token, it needs a console session (and its
 * CSRF token); API tokens cannot approve OAuth clients.
 */
const oauthConsentRoutes: FastifyPluginAsyncZod = async (app) => {
  const manage = { permission: 'ManageApiTokens', sessionOnly: true } as const
  const tags = ['oauth']

  app.get(
    '/oauth/requests/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'A pending authorization request, for the consent page',
        params: RequestParams,
        response: { 200: OAuthRequest, 404: Problem, 409: Problem, 410: Problem, ...authErrors },
      },
    },
    async (request) => describeRequest(app.db, request.params.id),
  )

  app.post(
    '/oauth/requests/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Approve or deny an authorization request; answers where to send the browser',
        params: RequestParams,
        body: DecideOAuthRequestBody,
        response: {
          200: OAuthDecision,
          400: Problem,
          404: Problem,
          409: Problem,
          410: Problem,
          ...authErrors,
        },
      },
    },
    async (request) =>
      decideRequest({
        ctx: serviceContext(request),
        requestId: request.params.id,
        input: request.body,
      }),
  )

  app.get(
    '/oauth/grants',
    {
      config: { permission: 'ManageApiTokens' },
      schema: {
        tags,
        summary: 'Your connected apps (OAuth grants), newest first',
        response: { 200: OAuthGrantList, ...authErrors },
      },
    },
    async (request) => ({
      grants: await listGrants({ db: app.db, userId: actorOf(request).user.id }),
    }),
  )

  app.delete(
    '/oauth/grants/:id',
    {
      config: manage,
      schema: {
        tags,
        summary:
          'Disconnect an app: its access and refresh tokens stop working on the next request',
        params: IdParams,
        response: { 204: NoContent, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      await revokeGrant({ ctx: serviceContext(request), input: { id: request.params.id } })
      return reply.status(204).send(null)
    },
  )
}

export default oauthConsentRoutes
