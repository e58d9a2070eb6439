import type { FastifyServerOptions } from 'fastify'
import { type DestinationStream, stdSerializers } from 'pino'

type SerializedError = ReturnType<typeof stdSerializers.err>

/**
 * Node's HTTP parser errors carry the request's raw bytes (`rawPacket`), Authorization and Cookie
 * headers included, and Fastify logs them at trace level ("client error"). Pino would write them
 * as a byte array: readable by anyone with the log. They are dropped wherever they appear.
 */
function serializeError(error: Error): SerializedError {
  const serialized = stdSerializers.err(error)
  return withoutRawPacket(serialized) as SerializedError
}

function withoutRawPacket(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value
  const record = value as Record<string, unknown>
  if ('rawPacket' in record) delete record.rawPacket
  for (const key of ['aggregateErrors', 'cause']) {
    const nested = record[key]
    if (Array.isArray(nested)) nested.forEach(withoutRawPacket)
    else withoutRawPacket(nested)
  }
  return record
}

/**
 * Pino settings: secrets are redacted wherever they could appear, at every level. `stream` is
 * where lines go (the server passes `logDestination()`); unset, pino's default.
 */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: { err: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        '*.secret',
        '*.token',
        'password',
        'secret',
      ],
      censor: '[redacted]',
    },
  }
}
