import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { AppError } from './errors.js'
import { databaseUnavailable, isDatabaseUnavailable } from './pg-errors.js'
import { type ProblemBody, problemBody } from './problem-details.js'

// Fastify's own client errors (bad JSON, wrong content type, body too large...) keep their
// status; each gets a stable code.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
}

/**
 * One error handler for the whole API: Problem Details JSON, 5xx details hidden. It also answers
 * errors thrown by hooks, authentication's database lookups included.
 */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((thrown: FastifyError | AppError, request, reply) => {
    let body: ProblemBody
    let error = thrown
    // A database outage is a 503 the client can retry, on every route, not an internal error.
    if (!(error instanceof AppError) && isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      error = databaseUnavailable()
    }
    if (error instanceof AppError) {
      body = problemBody(error.status, error.code, error.message, error.extra)
      if (error.extra.oauthError) {
        body.error = error.extra.oauthError
        body.error_description = error.message
      }
      for (const [name, value] of Object.entries(error.extra.headers ?? {}))
        reply.header(name, value)
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      body = problemBody(
        400,
        'validation_failed',
        `Invalid ${error.validationContext ?? 'request'}: ${error.validation
          .map((v) => `${v.instancePath.slice(1).replaceAll('/', '.') || '(root)'} ${v.message}`)
          .join('; ')}`,
        { details: error.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
      )
    } else if (error.statusCode === 429) {
      body = problemBody(429, 'rate_limited', 'Too many requests. Slow down.')
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      body = problemBody(
        error.statusCode,
        FASTIFY_CODES[error.code] ?? 'bad_request',
        error.message,
      )
    } else {
      request.log.error({ err: error }, 'request failed')
      body = problemBody(500, 'internal_error', 'Something went wrong on the server.')
    }
    if (body.status >= 400 && body.status < 500) {
      request.log.info({ code: body.code, status: body.status }, 'request refused')
    }
    const type = body.error ? 'application/json' : 'application/problem+json'
    return reply.status(body.status).type(type).send(body)
  })
}

/**
 * The answer for a path no route serves. Fastify takes one not-found handler per prefix, so
 * buildApp sets it, once it knows whether the console's pages fall back to index.html.
 */
export function routeNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(404)
    .type('application/problem+json')
    .send(
      problemBody(
        404,
        'route_not_found',
        `No route ${request.method} ${request.url.split('?')[0]}`,
      ),
    )
}
