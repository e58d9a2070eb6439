import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Problem } from '../../contract/index.js'
import { notFound } from '../../lib/errors.js'
import { PROBLEM_TYPE_BASE, PROBLEM_TYPES } from '../../lib/problem-details.js'

const ProblemTypeInfo = z.object({
  type: z.string(),
  code: z.string(),
  title: z.string(),
  description: z.string(),
})

const CATALOGUE = Object.entries(PROBLEM_TYPES).map(([code, info]) => ({
  type: `${PROBLEM_TYPE_BASE}${code}`,
  code,
  title: info.title,
  description: info.description,
}))
const BY_CODE = new Map(CATALOGUE.map((entry) => [entry.code, entry]))

/**
 * The problem types error answers name in `type`: what each `code` means. Public, like the API
 * documentation: it describes the server, nothing in it.
 */
const errorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/errors',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['errors'],
        summary: 'Every problem type error answers can have',
        response: { 200: z.object({ errors: z.array(ProblemTypeInfo) }) },
      },
    },
    async () => ({ errors: CATALOGUE }),
  )
  app.get(
    '/errors/:code',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['errors'],
        summary: 'One problem type: the `type` of an error answer, resolved against the server',
        params: z.object({ code: z.string().max(64) }),
        response: { 200: ProblemTypeInfo, 404: Problem },
      },
    },
    async (request) => {
      const entry = BY_CODE.get(request.params.code)
      if (!entry) throw notFound('Problem type')
      return entry
    },
  )
}

export default errorRoutes
