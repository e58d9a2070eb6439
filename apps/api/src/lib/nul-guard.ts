import type { FastifyInstance } from 'fastify'
import { AppError } from './errors.js'

const nulInText = () =>
  new AppError(400, 'invalid_text', 'Text may not contain NUL (\\u0000) characters.')

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (Array.isArray(value)) return value.some(containsNul)
  if (value && typeof value === 'object') return Object.values(value).some(containsNul)
  return false
}

/**
 * PostgreSQL cannot store the NUL character in text, so a request carrying one would fail deep
 * in the database. Refuse it up front with a clear 400 instead: in the URL (path and query) and in
 * JSON bodies. Fastify's own JSON parser (with its prototype-poisoning protection) still parses.
 */
export function installNulGuard(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (/%00|\0/.test(request.url)) throw nulInText()
  })
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    parseJson(request, text, (error, value) => {
      if (error) return done(error)
      // Only walk the value when the text could hold a NUL at all.
      if (text.includes('\\u0000') && containsNul(value)) {
        return done(nulInText(), undefined)
      }
      done(null, value)
    })
  })
}
