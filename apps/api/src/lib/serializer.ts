import fastJson from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify/types/schema.js'
import { z } from 'zod'

/**
 * Response serializer: each route's zod response schema is turned into JSON Schema once, at
 * start, and compiled by fast-json-stringify (what Fastify itself uses). Encoding through zod on
 * every response cost several times more for lists; the shapes are the same, and the route
 * handlers are typed against the zod schemas, so nothing is lost but the per-response check.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) =>
  fastJson(
    z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-7' }) as never,
  )
