import type { FastifyServerOptions } from 'fastify'

/** Pino settings: secrets are redacted wherever they could appear. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.secret',
        '*.token',
        'password',
        'secret',
      ],
      censor: '[redacted]',
    },
  }
}
