import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Problem } from '../../contract/index.js'
import { databaseUnavailable } from '../../lib/pg-errors.js'

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
      async (request) => {
        try {
          await app.database.ping()
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed')
          throw databaseUnavailable()
        }
        return { status: 'ok' as const }
      },
    )
  }
}

export default healthRoutes
