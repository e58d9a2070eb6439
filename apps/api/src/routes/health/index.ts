import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Problem } from '../../contract/index.js'
import { AppError } from '../../lib/errors.js'

const Status = z.object({ status: z.literal('ok') })

/** Liveness and readiness, at the root and under /api/v1. */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const prefix of ['', '/api/v1']) {
    app.get(
      `${prefix}/healthz`,
      {
        config: { auth: 'public' },
        schema: { tags: ['health'], summary: 'Liveness', response: { 200: Status } },
      },
      async () => ({ status: 'ok' as const }),
    )
    app.get(
      `${prefix}/readyz`,
      {
        config: { auth: 'public' },
        schema: {
          tags: ['health'],
          summary: 'Readiness: the database answers',
          response: { 200: Status, 503: Problem },
        },
      },
      async () => {
        try {
          await app.database.ping()
        } catch {
          throw new AppError(503, 'database_unavailable', 'The database is not reachable.')
        }
        return { status: 'ok' as const }
      },
    )
  }
}

export default healthRoutes
