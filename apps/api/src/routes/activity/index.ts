import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ActivityList, Problem, Via } from '../../contract/index.js'
import { permissionDenied } from '../../lib/errors.js'
import { actorOf } from '../../plugins/auth.js'
import { listActivity } from '../../services/activity/list.js'
import { authErrors } from '../schemas.js'

const activityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        summary: "The activity feed: your own actions, or everyone's for administrators",
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
      const me = actorOf(request).user.id
      const seesAll = request.auth?.permissions.includes('ViewAllActivity') ?? false
      if (!seesAll && request.query.actor && request.query.actor !== me) {
        throw permissionDenied('ViewAllActivity')
      }
      return listActivity({
        db: app.db,
        input: {
          actorId: seesAll ? request.query.actor : me,
          via: request.query.via,
          cursor: request.query.cursor,
          limit: request.query.limit,
        },
      })
    },
  )
}

export default activityRoutes
