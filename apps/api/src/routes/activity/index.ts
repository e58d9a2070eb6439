import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ActivityList, Problem, Via } from '../../contract/index.js'
import { actorOf } from '../../plugins/auth.js'
import { listActivity } from '../../services/activity/list.js'
import { accessOf } from '../../services/workspace/access.js'
import { authErrors } from '../schemas.js'

const activityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        summary:
          "The activity feed: entries in the projects you can reach and your own account's; everyone's for administrators in the console",
        querystring: z.object({
          via: Via.optional(),
          actor: z.uuid().optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: ActivityList, 400: Problem, ...authErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      // Tokens never carry administrator permissions, so only a console session sees everything.
      const seesAll = request.auth?.permissions.includes('ViewAllActivity') ?? false
      return listActivity({
        db: app.db,
        input: {
          viewer: seesAll ? { all: true } : { all: false, access: accessOf(actor) },
          actorId: request.query.actor,
          via: request.query.via,
          cursor: request.query.cursor,
          limit: request.query.limit,
        },
      })
    },
  )
}

export default activityRoutes
