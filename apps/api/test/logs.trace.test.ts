import { connect } from 'node:net'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loggerOptions } from '../src/lib/logger.js'
import { buildTestApp, userWithToken } from './helper.js'
import { listen, mcpPath } from './mcp.fixtures.js'

/** Every log line, kept in memory. */
function memoryStream() {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

/**
 * Everything a reader of the log could recover: the text as written, plus the bytes of any
 * serialised Buffer (`{"type":"Buffer","data":[71,69,84,...]}`) decoded back to text.
 */
function readable(logText: string): string {
  const decoded: string[] = []
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object') return
    const record = value as Record<string, unknown>
    if (record.type === 'Buffer' && Array.isArray(record.data)) {
      decoded.push(Buffer.from(record.data as number[]).toString('latin1'))
    }
    for (const nested of Object.values(record)) visit(nested)
  }
  for (const line of logText.split('\n').filter(Boolean)) visit(JSON.parse(line))
  return [logText, ...decoded].join('\n')
}

/** Writes raw bytes to the server and resolves with whatever it answers before closing. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes, 'latin1'))
    let answer = ''
    socket.setTimeout(5_000, () => socket.destroy())
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(answer))
  })
}

describe('logs at trace level', () => {
  it('never contain a token or session cookie, even from malformed requests', async () => {
    const log = memoryStream()
    const app = await buildTestApp({
      logger: { ...(loggerOptions('trace') as object), stream: log.stream },
    })
    try {
      const { token, session } = await userWithToken(app)
      const secret = token.secret
      const cookieValue = session.cookie.slice('tessera_session='.length)
      const base = await listen(app)
      const port = Number(new URL(base).port)
      const credentials = `Authorization: Bearer ${secret}\r\nCookie: ${session.cookie}\r\n`

      const malformed = [
        // A control character in a header name.
        `GET /api/v1/me HTTP/1.1\r\nHost: x\r\n${credentials}Bad\x01Header: y\r\n\r\n`,
        // A header section larger than Node accepts (431).
        `GET /api/v1/me HTTP/1.1\r\nHost: x\r\n${credentials}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        // A broken request line.
        `GET /api/v1/me HTTP/9.Z\r\nHost: x\r\n${credentials}\r\n`,
        `G\x00T /api/v1/me HTTP/1.1\r\nHost: x\r\n${credentials}\r\n`,
        // An unreadable Content-Length.
        `POST /api/v1/mcp HTTP/1.1\r\nHost: x\r\n${credentials}Content-Length: nope\r\n\r\n{}`,
      ]
      for (const bytes of malformed) {
        expect(await sendRaw(port, bytes)).toMatch(/^HTTP\/1\.1 4\d\d /)
      }

      // Well-formed requests carrying the same credentials, accepted or refused.
      const headers = { authorization: `Bearer ${secret}`, cookie: session.cookie }
      expect((await fetch(`${base}/api/v1/me`, { headers })).status).toBe(200)
      expect((await fetch(`${base}/api/v1/me`, { headers: session.headers })).status).toBe(200)
      expect((await fetch(`${base}/api/v1/nowhere?token=${secret}`, { headers })).status).toBe(404)
      expect(
        (
          await fetch(`${base}${mcpPath}`, {
            method: 'POST',
            headers: {
              ...headers,
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
            },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
          })
        ).status,
      ).toBe(200)
      expect(
        (
          await fetch(`${base}/api/v1/me`, {
            headers: { authorization: `Bearer ${secret.slice(0, -2)}xx` },
          })
        ).status,
      ).toBe(401)

      const text = log.text()
      // The malformed requests were logged: the check below looks at real client-error entries.
      const clientErrors = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; err?: { code?: string } })
        .filter((line) => line.msg?.startsWith('client '))
      expect(clientErrors.length).toBeGreaterThanOrEqual(4)
      expect(clientErrors.map((line) => line.err?.code)).toContain('HPE_HEADER_OVERFLOW')

      const everything = readable(text)
      for (const needle of [secret, secret.slice(4), cookieValue, session.csrf]) {
        // Booleans, so a failure does not print the whole log.
        expect(everything.includes(needle), `${needle.slice(0, 8)}... is in the log`).toBe(false)
        const base64 = Buffer.from(needle).toString('base64')
        expect(everything.includes(base64), `${needle.slice(0, 8)}... is in the log`).toBe(false)
      }
    } finally {
      await app.close()
    }
  })
})
