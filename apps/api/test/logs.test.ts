import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loggerOptions } from '../src/lib/logger.js'
import { bearer, buildTestApp, createTestUser, PASSWORD, signIn } from './helper.js'

/** A pino destination that keeps every line in memory. */
function memoryStream() {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return {
    stream,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

describe('logs', () => {
  it('never contain a token secret, a session cookie or a password; request lines carry the token id', async () => {
    const log = memoryStream()
    // The production logger settings (redaction included), writing to memory instead of stdout.
    const app = await buildTestApp({
      logger: { ...(loggerOptions('info') as object), stream: log.stream },
    })
    try {
      const user = await createTestUser(app)
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: `${PASSWORD} but wrong` },
      })
      const session = await signIn(app, user)
      const cookieValue = session.cookie.slice('tessera_session='.length)
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: session.headers,
        payload: { name: 'logged' },
      })
      const { token, secret } = created.json() as { token: { id: string }; secret: string }
      await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(secret) })
      // A secret put where it does not belong: the query string is not logged either.
      await app.inject({
        method: 'GET',
        url: `/api/v1/me?token=${secret}`,
        headers: bearer(secret),
      })
      await app.inject({ method: 'GET', url: `/healthz?access_token=${secret}` })
      const rotated = await app.inject({
        method: 'POST',
        url: '/api/v1/tokens/self/rotate',
        headers: bearer(secret),
      })
      const newSecret = rotated.json().secret as string
      // Refused requests are logged too: the now-invalid secret and a garbage header.
      await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(secret) })
      await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: 'Basic c2VjcmV0' },
      })
      await app.inject({ method: 'GET', url: '/api/v1/me', headers: session.headers })
      await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session.headers })

      const text = log.text()
      const lines = log.lines()
      expect(lines.length).toBeGreaterThanOrEqual(10)
      for (const needle of [secret, newSecret, cookieValue, session.csrf, PASSWORD, 'c2VjcmV0']) {
        expect(text).not.toContain(needle)
      }
      expect(text).not.toContain(secret.slice(4))

      const requestLines = lines.filter((l) => l.msg === 'request')
      const byToken = requestLines.filter((l) => l.path === '/api/v1/me' && l.status === 200)
      expect(byToken.filter((l) => l.tokenId === token.id)).toHaveLength(2)
      for (const line of byToken.filter((l) => l.tokenId)) expect(line.userId).toBe(user.id)
      const bySession = byToken.filter((l) => l.tokenId === undefined)
      expect(bySession).toHaveLength(1)
      expect(bySession[0]?.userId).toBe(user.id)
      const refused = lines.filter((l) => l.msg === 'request refused')
      expect(refused.map((l) => l.code)).toEqual(
        expect.arrayContaining(['invalid_credentials', 'token_invalid', 'invalid_scheme']),
      )
    } finally {
      await app.close()
    }
  })
})
