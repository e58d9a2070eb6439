import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { Settings } from '../../contract/index.js'
import { getSettings } from '../../services/settings/get.js'
import { authErrors } from '../schemas.js'

/** The token policy, readable by every signed-in user so the console can explain limits. */
const settingsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/settings/token-policy',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The token policy in force',
        response: { 200: Settings, ...authErrors },
      },
    },
    async () => getSettings(app.db),
  )
}

export default settingsRoutes
