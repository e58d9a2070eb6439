import type { FastifyInstance } from 'fastify'
import { AppError } from './errors.js'

const nulInText = () =>
  new AppError(400, 'invalid_text', 'Text may not contain NUL (\\u0000) characters.')

const brokenText = () =>
  new AppError(
    400,
    'invalid_text',
    'Text must be valid Unicode: a \\uD800-\\uDFFF escape must be half of a surrogate pair.',
  )

/** Whether any string in a parsed JSON value (keys included) fails `test`. */
function someString(value: unknown, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value)
  if (Array.isArray(value)) return value.some((item) => someString(item, test))
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => test(key) || someString(item, test))
  }
  return false
}

const hasNul = (text: string) => text.includes('\0')
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const isBroken = (text: string) => LONE_SURROGATE.test(text)

// A lone surrogate can only come from a \uD800-\uDFFF escape: raw bytes are decoded as UTF-8.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

/**
 * PostgreSQL cannot store the NUL character in text, nor a lone UTF-16 surrogate in JSON, so a
 * request carrying one would fail deep in the database. Refuse it up front with a clear 400
 * instead: in the URL (path and query) and in JSON bodies. Fastify's own JSON parser (with its
 * prototype-poisoning protection) still parses.
 */
export function installNulGuard(app: FastifyInstance) {
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.url
    done(url.includes('%00') || url.includes('\0') ? nulInText() : undefined)
  })
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    parseJson(request, text, (error, value) => {
      if (error) return done(error)
      // Only walk the value when the text could hold such a character at all.
      if (text.includes('\\u0000') && someString(value, hasNul)) {
        return done(nulInText(), undefined)
      }
      if (SURROGATE_ESCAPE.test(text) && someString(value, isBroken)) {
        return done(brokenText(), undefined)
      }
      done(null, value)
    })
  })
}
