import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ActivityFilters, ActivityList, Problem } from '../../contract/index.js'
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
          "The activity feed, newest first: entries in the projects you can reach and your own account's (everyone's for administrators in the console), narrowed by the filters",
        description:
          'Filters combine, and each applies within what you may see: `via`, `actor` (a user id or `me`), `project` (key or id), `token` (a token id, or `mine` for all of yours) and `task` (a reference such as WEB-12: its history, comments included). A project, task or token you cannot see answers 404, as it does everywhere.',
        querystring: ActivityFilters.extend({
          cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: ActivityList, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const { actor: actorId, ...query } = request.query
      // Tokens never carry administrator permissions, so only a console session sees everything.
      const seesAll = request.auth?.permissions.includes('ViewAllActivity') ?? false
      return listActivity({
        db: app.db,
        input: { ...query, actorId, viewer: { all: seesAll, access: accessOf(actor) } },
      })
    },
  )
}

export default activityRoutes
