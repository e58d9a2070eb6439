import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  OAuthClient,
  OAuthClientList,
  OAuthSettings,
  Problem,
  UpdateOAuthClientBody,
  UpdateOAuthSettingsBody,
} from '../../contract/index.js'
import { serviceContext } from '../../plugins/auth.js'
import { getOAuthSettings } from '../../services/oauth/get-settings.js'
import { listClients } from '../../services/oauth/list-clients.js'
import { updateClient } from '../../services/oauth/update-client.js'
import { updateOAuthSettings } from '../../services/oauth/update-settings.js'
import { authErrors, IdParams } from '../schemas.js'

/** OAuth administration: the on/off switch, client approval, registered clients. */
const adminOAuthRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['admin']

  app.get(
    '/admin/oauth/settings',
    {
      config: { permission: 'ManageSettings' },
      schema: { tags, summary: 'OAuth switches', response: { 200: OAuthSettings, ...authErrors } },
    },
    async () => getOAuthSettings(app.db),
  )

  app.put(
    '/admin/oauth/settings',
    {
      config: { permission: 'ManageSettings' },
      schema: {
        tags,
        summary:
          'Turn OAuth on or off; require approval of new clients; allow metadata documents on private addresses',
        body: UpdateOAuthSettingsBody,
        response: { 200: OAuthSettings, 400: Problem, ...authErrors },
      },
    },
    async (request) => updateOAuthSettings({ ctx: serviceContext(request), input: request.body }),
  )

  app.get(
    '/admin/oauth/clients',
    {
      config: { permission: 'ManageAllTokens' },
      schema: {
        tags,
        summary: 'Registered OAuth clients, newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
        response: { 200: OAuthClientList, 400: Problem, ...authErrors },
      },
    },
    async (request) => ({ clients: await listClients({ db: app.db, limit: request.query.limit }) }),
  )

  app.patch(
    '/admin/oauth/clients/:id',
    {
      config: { permission: 'ManageAllTokens' },
      schema: {
        tags,
        summary: 'Block or approve a client; blocking disconnects it everywhere',
        params: IdParams,
        body: UpdateOAuthClientBody,
        response: {
          200: z.object({ client: OAuthClient }),
          400: Problem,
          404: Problem,
          ...authErrors,
        },
      },
    },
    async (request) => ({
      client: await updateClient({
        ctx: serviceContext(request),
        input: { id: request.params.id, ...request.body },
      }),
    }),
  )
}

export default adminOAuthRoutes
