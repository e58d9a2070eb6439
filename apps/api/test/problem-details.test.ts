import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { generateToken } from '@tessera/core'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/app.js'
import type { DatabaseHandle } from '../src/db/client.js'
import { PROBLEM_TYPES, problemBody } from '../src/lib/problem-details.js'
import {
  bearer,
  buildTestApp,
  createToken,
  openTestDatabase,
  problem,
  userWithToken,
} from './helper.js'
import { listen } from './mcp.fixtures.js'
import { rawRequest, SLOW_BODY, slowClient, within } from './slow-client.js'

// One database for the apps of this file; each test makes its own users and tokens.
let database: DatabaseHandle
let app: App
beforeAll(async () => {
  database = await openTestDatabase()
  app = await buildTestApp({ database })
})
afterAll(async () => {
  await app.close()
  await database.close()
})
const cleanups: (() => Promise<unknown> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const RFC_9457_MEMBERS = ['type', 'title', 'status', 'detail']

/**
 * An error answer as RFC 9457 describes it, with our `code`: the members in that order, nothing
 * left from the old shape (`message`), the status in the body the one on the wire, and the type
 * naming the code.
 */
function expectProblem(
  body: Record<string, unknown>,
  contentType: string | undefined,
  status: number,
  code: string,
) {
  expect(contentType).toMatch(/^application\/problem\+json/)
  expect(Object.keys(body).slice(0, 5)).toEqual([...RFC_9457_MEMBERS, 'code'])
  expect(body).toMatchObject({
    type: `/api/v1/errors/${code}`,
    title: PROBLEM_TYPES[code]?.title,
    status,
    code,
  })
  expect(body).not.toHaveProperty('message')
  expect(typeof body.detail).toBe('string')
  expect((body.detail as string).length).toBeGreaterThan(0)
}

function expectInjected(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status)
  expectProblem(res.json(), res.headers['content-type'] as string | undefined, status, code)
  return problem(res)
}

/** A raw HTTP answer split into its status, content type and JSON body. */
function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]),
    contentType: /^content-type: (.+)$/im.exec(head)?.[1]?.trim(),
    body: JSON.parse(body) as Record<string, unknown>,
  }
}

describe('problem details: representative errors', () => {
  it('a validation error names the invalid field in detail and lists it in details', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'someone@example.test' },
    })
    const body = expectInjected(res, 400, 'validation_failed')
    expect(body.detail).toContain('password')
    expect(res.json().details).toEqual([expect.objectContaining({ path: '/password' })])
  })

  it('a 401 for a revoked token is exactly the README sample', async () => {
    const { session, token } = await userWithToken(app)
    const revoke = await app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${token.id}`,
      headers: session.headers,
    })
    expect(revoke.statusCode).toBe(204)
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(token.secret),
    })
    expectInjected(res, 401, 'token_revoked')

    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const sample = /### Errors[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(sample, 'the README has a sample error body').toBeDefined()
    // The same members, values and order as sent.
    expect(res.body).toBe(JSON.stringify(JSON.parse(sample as string)))
  })

  it('a 401 without credentials and a 403 for a read-only token carry a hint', async () => {
    const missing = expectInjected(
      await app.inject({ method: 'GET', url: '/api/v1/me' }),
      401,
      'token_missing',
    )
    expect(missing.hint).toBeTruthy()

    const { session } = await userWithToken(app)
    const readOnly = await createToken(app, session, { name: 'read only', scopes: ['read'] })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: bearer(readOnly.secret),
      payload: { key: 'NOPE', name: 'Nope' },
    })
    expect(expectInjected(res, 403, 'insufficient_scope').detail).toContain('write')
  })

  it('a 404 for a missing object and for a missing route', async () => {
    const { session } = await userWithToken(app)
    const missing = await app.inject({
      method: 'GET',
      url: '/api/v1/projects/NOSUCH',
      headers: session.headers,
    })
    expectInjected(missing, 404, 'not_found')
    const route = await app.inject({ method: 'GET', url: '/api/v1/no/such/route' })
    expect(expectInjected(route, 404, 'route_not_found').detail).toBe(
      'No route GET /api/v1/no/such/route',
    )
  })

  it('a 429 after too many unknown tokens, with Retry-After and a hint', async () => {
    const limited = await buildTestApp({
      database,
      failureLimits: { unknownCredentials: { max: 2, windowMs: 60_000 } },
    })
    cleanups.push(() => limited.close())
    const remoteAddress = `2001:db8::${randomBytes(2).toString('hex')}`
    let res: LightMyRequestResponse | undefined
    for (let i = 0; i < 4; i++) {
      res = await limited.inject({
        method: 'GET',
        url: '/api/v1/me',
        remoteAddress,
        headers: bearer(generateToken()),
      })
    }
    const body = expectInjected(res as LightMyRequestResponse, 429, 'rate_limited')
    expect(body.hint).toBeTruthy()
    expect(Number(res?.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('requests that never became requests (431, 400, 408) get the same shape on the socket', async () => {
    const slowApp = await buildTestApp({
      database,
      limits: { requestTimeoutMs: 1_000, headersTimeoutMs: 500 },
    })
    cleanups.push(() => slowApp.close())
    const port = Number(new URL(await listen(slowApp)).port)

    const huge = parseRaw(
      await rawRequest(
        port,
        `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ),
    )
    expect(huge.status).toBe(431)
    expectProblem(huge.body, huge.contentType, 431, 'headers_too_large')

    const garbage = parseRaw(await rawRequest(port, 'HELLO THERE\r\n\r\n'))
    expect(garbage.status).toBe(400)
    expectProblem(garbage.body, garbage.contentType, 400, 'malformed_request')

    const slow = slowClient(port, SLOW_BODY)
    cleanups.push(slow.destroy)
    const timedOut = parseRaw(await within(10_000, 'slow body', slow.closed))
    expect(timedOut.status).toBe(408)
    expectProblem(timedOut.body, timedOut.contentType, 408, 'request_timeout')
  })

  it('OAuth endpoints add RFC 6749 error and error_description to the same answer', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=password&client_id=tsc_nobody',
    })
    expect(res.statusCode, res.body).toBe(400)
    // OAuth clients expect plain JSON here (RFC 6749 §5.2).
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const body = res.json()
    expect(body).toMatchObject({ status: 400, code: body.error })
    expect(body.type).toBe(`/api/v1/errors/${body.error}`)
    expect(body.error_description).toBe(body.detail)
    expect(body).not.toHaveProperty('message')
  })
})

describe('problem details: types', () => {
  it("an answer's type, resolved against the request, describes its code", async () => {
    const refused = await app.inject({ method: 'GET', url: '/api/v1/me' })
    const type = new URL(problem(refused).type, 'http://127.0.0.1/api/v1/me')
    const res = await app.inject({ method: 'GET', url: type.pathname })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      type: '/api/v1/errors/token_missing',
      code: 'token_missing',
      title: problem(refused).title,
      description: expect.stringContaining('Authorization'),
    })

    const all = await app.inject({ method: 'GET', url: '/api/v1/errors' })
    expect(all.statusCode).toBe(200)
    const codes = (all.json().errors as { code: string }[]).map((entry) => entry.code)
    expect(codes).toEqual(Object.keys(PROBLEM_TYPES))
    expectInjected(
      await app.inject({ method: 'GET', url: '/api/v1/errors/no_such_code' }),
      404,
      'not_found',
    )
  })

  it('a code without a catalogue entry is typed about:blank, titled with the status text', () => {
    expect(problemBody(418, 'brewing', 'No coffee here.')).toEqual({
      type: 'about:blank',
      title: "I'm a Teapot",
      status: 418,
      detail: 'No coffee here.',
      code: 'brewing',
    })
  })
})
