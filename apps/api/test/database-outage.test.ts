import { type AddressInfo, createServer } from 'node:net'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import Fastify from 'fastify'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { installErrorHandler } from '../src/lib/error-handler.js'
import { AppError } from '../src/lib/errors.js'
import { isDatabaseUnavailable, isUniqueViolation } from '../src/lib/pg-errors.js'
import { expectUnavailable } from './helper.js'

async function refusedConnectionErrors() {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const client = postgres(`postgres://postgres@127.0.0.1:${port}/none`, {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  })
  try {
    const direct = await client`select 1`.then(
      () => null,
      (error: unknown) => error,
    )
    const wrapped = await drizzle({ client })
      .execute(sql`select 1`)
      .then(
        () => null,
        (error: unknown) => error,
      )
    return { direct, wrapped }
  } finally {
    await client.end({ timeout: 1 })
  }
}

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code })

describe('recognising a database outage', () => {
  it('connection failures are recognised, directly and wrapped by drizzle', async () => {
    const { direct, wrapped } = await refusedConnectionErrors()
    expect((direct as { code?: string }).code).toBe('ECONNREFUSED')
    expect(isDatabaseUnavailable(direct)).toBe(true)
    expect(wrapped).not.toBe(direct)
    expect(isDatabaseUnavailable(wrapped)).toBe(true)

    const unavailable = [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'CONNECTION_ENDED',
      'CONNECTION_CLOSED',
      'CONNECTION_DESTROYED',
      'CONNECT_TIMEOUT',
      '08000',
      '08001',
      '08006',
      '57P01',
      '57P02',
      '57P03',
      '53300',
    ]
    for (const code of unavailable) {
      expect(isDatabaseUnavailable(withCode(code)), code).toBe(true)
      expect(
        isDatabaseUnavailable(new Error('Failed query', { cause: withCode(code) })),
        code,
      ).toBe(true)
    }
    // Node reports a failed connection to several addresses (localhost: ::1 and 127.0.0.1) so.
    const aggregate = Object.assign(
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
      { code: undefined },
    )
    expect(isDatabaseUnavailable(aggregate)).toBe(true)
  })

  it('query errors, programming errors and expected refusals are not an outage', () => {
    const others = [
      withCode('23505'), // unique violation
      withCode('42P01'), // undefined table
      withCode('57014'), // statement timeout / cancelled
      withCode('22P02'), // invalid input
      withCode('08'), // not a SQLSTATE
      new Error('boom'),
      new AppError(401, 'token_invalid', 'no'),
      new AppError(503, 'database_unavailable', 'already mapped'),
      null,
      undefined,
      'ECONNREFUSED',
    ]
    for (const error of others) expect(isDatabaseUnavailable(error), String(error)).toBe(false)
    // A cycle of causes ends.
    const looped = withCode('XX000') as Error & { cause?: unknown }
    looped.cause = looped
    expect(isDatabaseUnavailable(looped)).toBe(false)
    expect(isUniqueViolation(new Error('Failed query', { cause: withCode('23505') }))).toBe(true)
  })

  it('the error handler answers 503 database_unavailable with Retry-After and a hint', async () => {
    const app = Fastify()
    installErrorHandler(app)
    const { wrapped } = await refusedConnectionErrors()
    app.get('/handler', async () => {
      throw wrapped
    })
    app.addHook('onRequest', async (request) => {
      if (request.url === '/hook') throw withCode('57P03', 'the database system is starting up')
    })
    app.get('/hook', async () => 'unreachable')
    try {
      for (const url of ['/handler', '/hook']) {
        const res = await app.inject({ method: 'GET', url })
        expectUnavailable(res, url)
        expect(res.body).not.toMatch(/ECONNREFUSED|57P03|starting up|select 1/)
      }
    } finally {
      await app.close()
    }
  })
})
