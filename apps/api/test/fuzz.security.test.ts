import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { encodeToken } from '@tessera/core'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_DB } from './helper.js'
import { durableDatabase, startServerProcess } from './server-process.js'

/**
 * Fuzzing the real server process (dist/server.js) over raw sockets: generated Authorization
 * headers, request lines and headers, and JSON bodies. Whatever arrives, the server answers below
 * 500, in time, keeps serving, logs no error, and writes no secret to its log, even at trace
 * level. The seed is fixed so that a failure reproduces; change it to explore further.
 */
const SEED = 414_243
const COUNTS = { authorization: 3_000, raw: 3_000, body: 4_500 }
const CONCURRENCY = 16
const PER_REQUEST_TIMEOUT_MS = 10_000
/**
 * Fastify's default body limit. A body over it is refused (413) from its Content-Length, often
 * before the client has finished sending it; the server then closes a `Connection: close`
 * exchange with the rest unread, and TCP may reset the connection before the client reads the
 * answer (EPIPE or ECONNRESET on the client's side). That, and only for such a body, is not a
 * request left unanswered.
 */
const BODY_LIMIT = 1024 * 1024
const RESET_WHILE_SENDING = new Set(['EPIPE', 'ECONNRESET'])

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** `'a b c'` -> `'a' | 'b' | 'c'`, for lists of plain words. */
const word = (words: string) => fc.constantFrom(...words.trim().split(/\s+/))
/** One line of the text each, for lists of values with spaces. */
const line = (text: string) => fc.constantFrom(...text.trim().split('\n'))

// --- the server process ----------------------------------------------------------------------

// --- raw HTTP --------------------------------------------------------------------------------

/** A header line as sent: `Name: value`, any bytes (a newline inside smuggles another line). */
type Header = string

interface Probe {
  kind: string
  bytes: Buffer
  /**
   * A complete, well-formed request within Node's limits: the server must answer it. Others may
   * be answered by closing the connection, and are followed by the end of the stream.
   */
  mustAnswer: boolean
}

interface Answer {
  /** Every status line in the answer (interim 100 Continue, pipelined requests). */
  statuses: number[]
  timedOut: boolean
  /** The first response's status line and headers. */
  head: string
  text: string
  error?: string
}

function rawRequest(parts: {
  method: string
  target: string
  version?: string
  headers: readonly Header[]
  body?: Buffer
  eol?: string
}): Buffer {
  const eol = parts.eol ?? '\r\n'
  const head = [`${parts.method} ${parts.target} ${parts.version ?? 'HTTP/1.1'}`, ...parts.headers]
  return Buffer.concat([
    Buffer.from(`${head.join(eol)}${eol}${eol}`),
    parts.body ?? Buffer.alloc(0),
  ])
}

/**
 * Sends the bytes on a connection of their own and reads until the server closes it. A request
 * that may be incomplete is followed by the end of the stream after `halfCloseAfterMs`, so that
 * the server sees nothing more is coming instead of waiting for its own timeouts. Complete
 * requests are never half-closed: Node's server then ends the connection at once, unanswered.
 */
function exchange(port: number, request: Buffer, halfCloseAfterMs?: number): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let timedOut = false
    let error: string | undefined
    let halfClose: NodeJS.Timeout | undefined
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(request)
      if (halfCloseAfterMs !== undefined) {
        halfClose = setTimeout(() => socket.end(), halfCloseAfterMs)
      }
    })
    const timer = setTimeout(() => {
      timedOut = true
      socket.destroy()
    }, PER_REQUEST_TIMEOUT_MS)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message
    })
    socket.on('close', () => {
      clearTimeout(timer)
      clearTimeout(halfClose)
      const text = Buffer.concat(chunks).toString('latin1')
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) =>
        Number(m[1]),
      )
      const end = text.indexOf('\r\n\r\n')
      const head = end === -1 ? text.slice(0, 300) : text.slice(0, end)
      resolve({ statuses, timedOut, head, text, ...(error ? { error } : {}) })
    })
  })
}

/** Runs `work` over the items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T)
    }),
  )
}

/** The status line and the start of the body. */
function summary(answer: Answer): string {
  const body = answer.text.indexOf('\r\n\r\n')
  if (body === -1) return JSON.stringify(answer.text.slice(0, 300))
  const status = answer.text.slice(0, answer.text.indexOf('\r\n'))
  return JSON.stringify(`${status} ... ${answer.text.slice(body + 4, body + 304)}`)
}

/** What the MCP endpoint answers (with HTTP 200) where a REST route would answer 500. */
const MCP_SERVER_FAULT =
  /The tool failed on the server|The request failed on the server|The server closed before answering/

// --- what the generators know ------------------------------------------------------------------

interface Known {
  port: number
  email: string
  password: string
  token: string
  cookie: string
  csrf: string
  projectKey: string
  taskRef: string
}

/** The credentials a request can carry. */
function credentials(k: Known) {
  const session = [`Cookie: tessera_session=${k.cookie}`, `X-CSRF-Token: ${k.csrf}`]
  return {
    none: [],
    token: [`Authorization: Bearer ${k.token}`],
    apiToken: [`Authorization: Api-Token ${k.token}`],
    session,
    sessionWithoutCsrf: session.slice(0, 1),
    both: [`Authorization: Bearer ${k.token}`, ...session],
  } satisfies Record<string, Header[]>
}

/** A well-formed request: Host, Connection: close, and a correct Content-Length for the body. */
function request(
  k: Known,
  method: string,
  target: string,
  headers: readonly Header[],
  body?: Buffer,
  contentType = 'application/json',
): Buffer {
  const all = [`Host: 127.0.0.1:${k.port}`, 'Connection: close', ...headers]
  if (body) {
    if (contentType) all.push(`Content-Type: ${contentType}`)
    all.push(`Content-Length: ${body.length}`)
  }
  return rawRequest({ method, target, headers: all, ...(body ? { body } : {}) })
}

/** Characters that break or smuggle things inside a header value or a token. */
const nasty = fc.constantFrom(
  ...['\x00', '\x01', '\x7f', '\t', '\x0b', '\x0c', '\r', '\n', '\r\n', '\x1b[31m', '%00'],
  ...['\u2028', '\ufeff', '\u200b', '\u00a0', '\u212a', ';', ',', '"', '\\'],
)

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The real secret, changed a little: what a client holding a damaged copy would send. */
function mutated(secret: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: secret.length })
  const base62 = fc.constantFrom(...BASE62)
  return fc.oneof(
    fc.constant(secret),
    fc.tuple(at, base62).map(([i, c]) => secret.slice(0, i) + c + secret.slice(i + 1)),
    at.map((i) => secret.slice(0, i)),
    fc.string({ maxLength: 20 }).map((tail) => secret + tail),
    fc.constantFrom(
      ...[secret.toUpperCase(), secret.toLowerCase(), secret.slice(4), `tsr_${secret}`],
      ...[secret + secret, `${secret} ${secret}`, `"${secret}"`, `tsr_${'0'.repeat(49)}`, 'tsr_'],
    ),
    fc.tuple(at, nasty).map(([i, c]) => secret.slice(0, i) + c + secret.slice(i)),
    fc
      .tuple(at, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }))
      .map(([i, s]) => secret.slice(0, i) + s + secret.slice(i)),
    fc.string({ unit: base62, minLength: 6, maxLength: 6 }).map((c) => secret.slice(0, -6) + c),
    // Well-formed with a valid checksum, but unknown: goes all the way to the database lookup.
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeToken),
  )
}

// --- (a) Authorization headers ------------------------------------------------------------------

function authorizationProbes(k: Known): fc.Arbitrary<Probe> {
  const scheme = fc.oneof(
    word('Bearer bearer BEARER Api-Token api-token API-TOKEN Basic Token Digest Bearer: Bearer,'),
    fc.constantFrom('Beärer', 'Api-To\u212Aen', 'Api_Token', ''),
  )
  const gap = fc.constantFrom(' ', '  ', '\t', '', ' \t ', '\u00a0', '\u3000', '\r\n ', '\n')
  const secret = mutated(k.token)
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(scheme, gap, secret).map(([s, g, t]) => `${s}${g}${t}`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(secret, fc.string({ maxLength: 20 }))
        .map(([t, p]) => `Basic ${Buffer.from(`${t}:${p}`).toString('base64')}`),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(scheme, fc.integer({ min: 1_000, max: 40_000 }), fc.constantFrom('A', 'tsr_', 'é'))
        .map(([s, n, unit]) => `${s} ${unit.repeat(Math.ceil(n / unit.length))}`),
    },
  )
  const real = `Authorization: Bearer ${k.token}`
  const session = credentials(k).session
  const cookie = mutated(k.cookie)
  const name = fc.constantFrom(
    ...['authorization', 'AUTHORIZATION', 'Authorization ', ' Authorization', 'Author ization'],
    ...['Authorization\x00', 'Authorization\t', 'Proxy-Authorization', 'X-Api-Token', 'Api-Token'],
  )
  const headers: fc.Arbitrary<Header[]> = fc.oneof(
    { weight: 6, arbitrary: value.map((v) => [`Authorization: ${v}`]) },
    // Duplicated: the real one first or second, or twice in different case.
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, fc.boolean())
        .map(([v, first]) =>
          first ? [real, `Authorization: ${v}`] : [`Authorization: ${v}`, real],
        ),
    },
    { weight: 1, arbitrary: fc.constant<Header[]>([real, `authorization: Bearer ${k.token}`]) },
    { weight: 1, arbitrary: fc.tuple(name, value).map(([n, v]) => [`${n}: ${v}`]) },
    // A bad Authorization next to a valid session: the header decides.
    { weight: 2, arbitrary: value.map((v) => [`Authorization: ${v}`, ...session]) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(cookie, fc.boolean())
        .map(([c, csrf]) => [`Cookie: tessera_session=${c}`, ...(csrf ? session.slice(1) : [])]),
    },
    {
      weight: 1,
      arbitrary: cookie.map((c) => [`Cookie: tessera_session=${c}; tessera_session=${k.cookie}`]),
    },
    { weight: 1, arbitrary: cookie.map((c) => [...session, `Cookie: tessera_session=${c}`]) },
  )
  const targets = [
    { method: 'GET', path: '/api/v1/me' },
    { method: 'GET', path: '/api/v1/tasks?limit=1' },
    { method: 'GET', path: '/api/v1/tokens' },
    { method: 'GET', path: '/api/v1/tokens/self' },
    { method: 'GET', path: '/api/v1/activity?limit=1' },
    { method: 'POST', path: '/api/v1/mcp', body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } },
    { method: 'POST', path: '/api/v1/tasks', body: { project: k.projectKey, title: 'auth fuzz' } },
  ] as const
  return fc.tuple(fc.constantFrom(...targets), headers).map(([target, lines]) => {
    const all = [...lines]
    if (target.path === '/api/v1/mcp') all.push('Accept: application/json, text/event-stream')
    const body = 'body' in target ? Buffer.from(JSON.stringify(target.body)) : undefined
    const bytes = request(k, target.method, target.path, all, body)
    const wellFormed = lines.every((h) => /^[A-Za-z-]+: [\t\x20-\x7e]*$/.test(h))
    return {
      kind: `authorization ${target.method} ${target.path}`,
      bytes,
      mustAnswer: wellFormed && bytes.length < 16_000,
    }
  })
}

// --- (b) request lines and raw HTTP --------------------------------------------------------

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD). */
const percentEncode = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')

function rawProbes(k: Known): fc.Arbitrary<Probe> {
  const method = fc.oneof(
    { weight: 6, arbitrary: word('GET POST PUT PATCH DELETE HEAD OPTIONS TRACE CONNECT PROPFIND') },
    { weight: 2, arbitrary: fc.constantFrom('get', 'Get', 'G\x00T', 'GET\x7f', 'GET GET', '') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'X'.repeat(n)) },
  )
  // Never the routes that would end the fuzzer's own credentials (logout, rotate, revoke).
  const path = line(`
/api/v1/me
/api/v1/tasks
/api/v1/tasks/${k.taskRef}
/api/v1/tasks/${k.taskRef}/comments
/api/v1/projects
/api/v1/projects/${k.projectKey}
/api/v1/projects/${k.projectKey}/members
/api/v1/tokens
/api/v1/tokens/self
/api/v1/tokens/00000000-0000-0000-0000-000000000000
/api/v1/activity
/api/v1/mcp
/api/v1/admin/users
/api/v1/admin/tokens
/api/v1/admin/settings
/api/v1/settings/token-policy
/api/v1/auth/login
/api/v1/setup
/api/v1/healthz
/healthz
/readyz
/api/docs
/api/docs/json
/api/docs/static/index.html
/
/index.html
/assets/app.js
/.well-known/oauth-authorization-server`)
  const mutation = fc.constantFrom<(p: string) => string>(
    (p) => p,
    (p) => `${p}%00`,
    (p) => `${p}/%00/x`,
    (p) => p.replace('/v1', '/v1%00'),
    (p) => `${p}/../../../../etc/passwd`,
    (p) => `/..${p}`,
    (p) => `${p}/..%2f..%2f..%2fetc%2fpasswd`,
    (p) => `${p}/%2e%2e/%2e%2e/`,
    (p) => p.replaceAll('/', '%2f'),
    (p) => p.replaceAll('/', '\\'),
    (p) => `//${p}`,
    (p) => `${p}%`,
    (p) => `${p}%zz`,
    (p) => `${p}%c0%ae%c0%ae/`,
    (p) => `${p}%0d%0aSet-Cookie:%20injected=1`,
    (p) => `${p}%0d%0aX-Injected:%201`,
    (p) => p.toUpperCase(),
    (p) => `${p}/`,
    (p) => `${p};jsessionid=1`,
    (p) => `${p}#fragment`,
    (p) => `http://127.0.0.1:${k.port}${p}`,
    (p) => `http://evil.example${p}`,
    () => '*',
    (p) => p.replace('v1', 'v%31'),
    (p) => `${p}/é`,
    (p) => `${p}\x7f`,
  )
  const queryKey = word(
    'limit cursor project status assignee q via actor includeArchived __proto__ constructor token',
  )
  const queryValue = fc.oneof(
    word('1 -1 0 1e309 NaN -0 9007199254740993 true me'),
    fc.string({ maxLength: 50 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 30 }).map(percentEncode),
    fc.string({ maxLength: 30 }),
    fc.constant(k.token),
  )
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 5 })
        .map((pairs) => `?${pairs.map(([key, v]) => `${key}=${v}`).join('&')}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(queryKey, fc.integer({ min: 1_000, max: 100_000 }))
        .map(([key, n]) => `?${key}=${'a'.repeat(n)}`),
    },
    { weight: 1, arbitrary: word('? ?? ?&&& ?a[b]=1 ?a=1&a=2&a=3 ?=') },
  )
  const version = fc.oneof(
    { weight: 4, arbitrary: fc.constant('HTTP/1.1') },
    { weight: 1, arbitrary: word('HTTP/1.0 HTTP/2.0 HTTP/0.9 HTTP/1.2 HTTP/9.Z HTTP/1 http/1.1') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('HTTP/1.1 ', 'HTTP/1.1x', 'HTTPS/1.1', '', 'HTTP/1.1\0'),
    },
  )
  const ownHost = `Host: 127.0.0.1:${k.port}`
  const host = fc.constantFrom<Header[]>(
    [ownHost],
    [ownHost],
    ['Host: localhost'],
    ['Host: evil.example'],
    ['Host: '],
    [],
    [ownHost, 'Host: evil.example'],
    [`${ownHost}\r\nX-Injected: 1`],
    ['Host: [::1]'],
    ['Host: tessera.localhost'],
  )
  const header = fc.oneof(
    line(`
Transfer-Encoding: chunked
Transfer-Encoding: gzip, chunked
Transfer-Encoding: identity
Transfer-Encoding:  chunked
Content-Length: 5
Content-Length: -1
Content-Length: 99999999999999999999
Content-Length: 0x10
Content-Length: 1, 2
Content-Length:
Expect: 100-continue
Expect: junk
Content-Type: application/json
Content-Type: application/json; charset=utf-16
Content-Type: text/plain
Content-Type: multipart/form-data; boundary=x
Content-Type: application/x-www-form-urlencoded
Content-Type:
Content-Encoding: gzip
Content-Encoding: br
Accept: text/html
Accept: application/json, text/event-stream
Accept-Encoding: gzip, deflate, br
Origin: http://evil.example
Origin: null
Origin: http://127.0.0.1:${k.port}
X-Forwarded-For: 1.2.3.4, not-an-ip
X-Forwarded-Host: evil.example
X-Forwarded-Proto: https
Upgrade: websocket
Connection: Upgrade
Connection: keep-alive, Upgrade
Upgrade: h2c
HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA
Range: bytes=0-1,2-3
If-None-Match: *
 X-Leading-Space: y
X-CSRF-Token:
Cookie: tessera_session=
Cookie: =; ;;==`),
    // Header injection, folding, NUL: bytes that node:http refuses to send.
    fc.constantFrom(
      'X-Test: a\r\nX-Injected: 1',
      'X-Test: a\nX-Injected: 1',
      'X-Test: a\rX-Injected: 1',
      'X-Test: folded\r\n continued',
      'Transfer-Encoding: chunked\0',
      'X-Test\0: 1',
    ),
    fc
      .tuple(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        fc.string({ unit: 'binary' }),
      )
      .map(([n, v]) => `${n}: ${v}`),
    fc
      .tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 100 }))
      .map(([n, v]) => `${n}: ${v}`),
  )
  const body = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('', '{}', '0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\n'),
    fc.constant(`{"project":"${k.projectKey}","title":"raw"}`),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
  )
  const next = [
    `GET /healthz HTTP/1.1\r\n${ownHost}\r\n\r\n`,
    `GET /api/v1/me HTTP/1.1\r\n${ownHost}\r\n\r\n`,
  ]
  return fc
    .record({
      method,
      path,
      mutation,
      query,
      version,
      host,
      headers: fc.array(header, { maxLength: 6 }),
      credentials: fc.constantFrom(...Object.values(credentials(k))),
      body,
      declareLength: fc.boolean(),
      eol: fc.constantFrom('\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r'),
      pipelined: fc.constantFrom(undefined, undefined, undefined, ...next),
    })
    .map((r) => {
      const body = r.body === undefined ? undefined : Buffer.from(r.body)
      const headers = [...r.host, 'Connection: close', ...r.credentials, ...r.headers]
      if (body && r.declareLength) headers.push(`Content-Length: ${body.length}`)
      const first = rawRequest({
        method: r.method,
        target: r.mutation(r.path) + r.query,
        version: r.version,
        headers,
        eol: r.eol,
        ...(body ? { body } : {}),
      })
      return {
        kind: `raw ${JSON.stringify(r.method.slice(0, 12))} ${r.path}`,
        bytes: r.pipelined ? Buffer.concat([first, Buffer.from(r.pipelined)]) : first,
        mustAnswer: false,
      }
    })
}

// --- (c) JSON bodies ---------------------------------------------------------------------------

/** Deeply nested JSON, optionally with a NUL character (which the server looks for) at the bottom. */
function deepJson(depth: number, open: string, nul: boolean): string {
  const close = open === '[' ? ']' : '}'
  return `{"title":${open.repeat(depth)}${nul ? '"\\u0000"' : '1'}${close.repeat(depth)}}`
}

/** Bytes that are not UTF-8: a lone continuation, overlong forms, a surrogate half, 0xff. */
const invalidUtf8 = fc
  .constantFrom(
    ...[[0xff], [0xc3, 0x28], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80]],
    ...[
      [0xf4, 0x90, 0x80, 0x80],
      [0xfe, 0xfe, 0xff, 0xff],
    ],
  )
  .map((b) => Buffer.from(b))

/** Lone surrogates, NUL, noncharacters, bidi overrides, BOM, combining marks, astral. */
const oddCodePoint = fc.constantFrom(
  ...['\ud800', '\udfff', '\udbff\udbff', '\u0000', '\uffff', '\ufffe', '\u202e', '\ufeff'],
  ...['\u0301', '\u{10ffff}', '\u{1f600}'],
)

function bodyProbes(k: Known): fc.Arbitrary<Probe> {
  const hugeNumber = fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53 + 2, 2 ** 31, 2 ** 63, -0)
  const scalar = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.string({ unit: 'grapheme', maxLength: 50 }),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', '', ' ', '\u202e', 'null', 'me'),
    fc.integer({ min: 200, max: 120_000 }).map((n) => 'x'.repeat(n)),
    fc.integer(),
    fc.double(),
    hugeNumber,
    fc.boolean(),
    fc.constant(null),
    word(
      '2024-02-30 0000-01-01 9999-12-31 10000-01-01 1899-12-31 2024-01-01T00:00:00Z +275760-09-13',
    ),
    fc.uuid(),
    fc.emailAddress(),
    // The secrets themselves, as data: the log must not show them either.
    fc.constantFrom(k.token, k.password, k.csrf, k.cookie),
  )
  const key = fc.oneof(
    word('project title description status priority assignee dueDate key name email password'),
    word('body ref toString valueOf hasOwnProperty'),
    fc.string({ maxLength: 10 }),
  )
  const { wild } = fc.letrec<{ wild: unknown }>((tie) => ({
    wild: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('wild'), { maxLength: 4 }),
      fc.dictionary(key, tie('wild'), { maxKeys: 4 }),
    ),
  }))
  /** Mostly a plausible value, sometimes anything at all. */
  const or = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: wild })
  const status = or(word('todo in_progress done TODO closed'))
  const priority = or(word('none low medium high urgent critical'))
  /** Text a user could type, or text with a code point that no encoder or database likes. */
  const prose = (maxLength: number) =>
    fc.oneof(
      fc.string({ minLength: 1, maxLength }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength }),
      fc
        .tuple(fc.string({ maxLength: 20 }), oddCodePoint, fc.string({ maxLength: 20 }))
        .map((parts) => parts.join('')),
    )
  const title = or(prose(60))
  const text = or(prose(300))
  const task = fc.record(
    {
      project: or(fc.constantFrom(k.projectKey, k.projectKey.toLowerCase(), 'NOPE', '')),
      title,
      description: text,
      status,
      priority,
      assignee: or(fc.constantFrom('me', k.email, 'nobody@example.test', null)),
      dueDate: or(fc.constantFrom('2030-01-01', '2024-02-29', '1900-01-01', null)),
    },
    { requiredKeys: [] },
  )
  const project = fc.record(
    { key: or(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/)), name: title, description: text },
    { requiredKeys: [] },
  )
  const login = fc.record(
    {
      email: or(fc.constantFrom(k.email, k.email.toUpperCase(), ` ${k.email} `, 'x@example.test')),
      password: or(
        fc.oneof(
          fc.constant(k.password),
          fc.string({ maxLength: 20 }).map((s) => k.password + s),
          fc.nat({ max: k.password.length }).map((n) => k.password.slice(0, n)),
        ),
      ),
    },
    { requiredKeys: [] },
  )
  const toolArguments = fc.record(
    {
      project: or(fc.constant(k.projectKey)),
      // Prompt arguments (standup, work_on_task).
      task: or(fc.constantFrom(k.taskRef, `${k.projectKey}-`, 'login')),
      days: or(fc.constantFrom('1', '14', '0', '1.5')),
      title,
      ref: or(fc.constantFrom(k.taskRef, `${k.projectKey}-0`, `${k.projectKey}-99999999999`)),
      body: text,
      status,
      priority,
      query: or(fc.string()),
      limit: or(fc.integer({ min: -5, max: 500 })),
      cursor: or(fc.string({ maxLength: 100 })),
      includeArchived: or(fc.boolean()),
    },
    { requiredKeys: [] },
  )
  const tool = word(
    'whoami list_activity list_projects list_tasks search_tasks get_task create_task update_task add_comment',
  )
  const rpc = fc.record(
    {
      jsonrpc: or(fc.constant('2.0')),
      id: or(fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), hugeNumber)),
      method: or(
        word(
          'initialize tools/list tools/call tools/call tools/call ping resources/list prompts/list notifications/initialized logging/setLevel resources/read resources/templates/list prompts/get completion/complete',
        ),
      ),
      params: or(
        fc.record(
          {
            name: or(fc.oneof(tool, word('standup triage work_on_task'))),
            arguments: or(toolArguments),
            // resources/read, resources/list, completion/complete.
            uri: or(
              fc.oneof(
                fc.constantFrom(
                  `tessera://tasks/${k.taskRef}`,
                  `tessera://projects/${k.projectKey}`,
                  'tessera://tasks/%E0%A4%A',
                  'tessera://projects/{key}',
                ),
                fc.string(),
              ),
            ),
            cursor: or(fc.string({ maxLength: 100 })),
            ref: or(
              fc.record(
                {
                  type: or(word('ref/prompt ref/resource')),
                  name: or(word('standup triage work_on_task')),
                  uri: or(word('tessera://projects/{key} tessera://tasks/{ref}')),
                },
                { requiredKeys: [] },
              ),
            ),
            argument: or(
              fc.record(
                { name: or(word('project task key ref days')), value: or(fc.string()) },
                { requiredKeys: [] },
              ),
            ),
            protocolVersion: or(word('2025-06-18 2025-03-26 1999-01-01')),
            capabilities: wild,
            clientInfo: wild,
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  )
  const mcp = fc.oneof(
    { weight: 5, arbitrary: rpc },
    { weight: 1, arbitrary: fc.array(rpc, { maxLength: 5 }) },
  )
  const comment = fc.record({ body: text }, { requiredKeys: [] })
  const endpoints = [
    { weight: 5, method: 'POST', path: '/api/v1/tasks', shape: task },
    { weight: 3, method: 'POST', path: '/api/v1/projects', shape: project },
    { weight: 5, method: 'POST', path: '/api/v1/mcp', shape: mcp },
    { weight: 2, method: 'POST', path: '/api/v1/auth/login', shape: login },
    { weight: 1, method: 'POST', path: `/api/v1/tasks/${k.taskRef}/comments`, shape: comment },
    { weight: 1, method: 'PATCH', path: `/api/v1/tasks/${k.taskRef}`, shape: task },
  ] as const

  const fixed = [
    `{"__proto__":{"role":"admin"},"project":"${k.projectKey}","title":"proto"}`,
    `{"constructor":{"prototype":{"role":"admin"}},"project":"${k.projectKey}","title":"c"}`,
    `{"project":"${k.projectKey}","title":"dup","title":"dup2"}`,
    ...['', ' ', 'null', 'true', '"string"', '[]', 'NaN', 'undefined', '{', '}', '{"a":1,}'],
    ...["{'a':1}", '\ufeff{}', '{"a":1}{"b":2}', '{"title":"\\ud800"}', '{"title":"\\x00"}'],
    // Secrets in JSON that does not parse: parse errors quote the text they choke on.
    `{"email":"${k.email}","password":"${k.password}`,
    `{"email":"${k.email}","password":${k.password}}`,
    `{"title":"${k.token}`,
    `{"title":${k.token}}`,
  ]
  const oddNumber = word(
    `1e999999 -1e999999 123456789012345678901234567890123456789 -0 0x10 Infinity NaN 0.${'0'.repeat(10_000)}1 ${'1'.repeat(100_000)}`,
  )
  /** The JSON text of a body, sometimes broken: truncated, not UTF-8, odd numbers, nesting. */
  const json = (shape: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 12, arbitrary: shape.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
      {
        weight: 2,
        arbitrary: fc.tuple(shape, fc.nat()).map(([v, n]) => {
          const text = JSON.stringify(v) ?? 'null'
          return Buffer.from(text.slice(0, n % Math.max(1, text.length)))
        }),
      },
      {
        weight: 2,
        arbitrary: fc.tuple(shape, invalidUtf8, fc.nat()).map(([v, bad, n]) => {
          const text = Buffer.from(JSON.stringify(v) ?? 'null')
          const quote = text.indexOf('"', n % Math.max(1, text.length))
          const at = quote === -1 ? n % (text.length + 1) : quote + 1
          return Buffer.concat([text.subarray(0, at), bad, text.subarray(at)])
        }),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(word('title project id limit key password'), oddNumber)
          .map(([field, n]) => Buffer.from(`{"project":"${k.projectKey}","${field}":${n}}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.integer({ min: 100, max: 300_000 }),
            fc.constantFrom('[', '{"a":'),
            fc.boolean(),
          )
          .map(([depth, open, nul]) => Buffer.from(deepJson(depth, open, nul))),
      },
      { weight: 1, arbitrary: fc.constantFrom(...fixed).map((t) => Buffer.from(t)) },
    )
  const contentType = fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: line(`
application/json; charset=utf-8
APPLICATION/JSON
application/json; charset=latin1
application/json, text/plain
text/plain
application/x-www-form-urlencoded`),
    },
    { weight: 1, arbitrary: fc.constant('') },
  )
  const sets = credentials(k)
  const credentialSet = fc.oneof(
    { weight: 3, arbitrary: fc.constant<Header[]>(sets.token) },
    { weight: 1, arbitrary: fc.constant<Header[]>(sets.apiToken) },
    { weight: 3, arbitrary: fc.constant<Header[]>(sets.session) },
    { weight: 1, arbitrary: fc.constant<Header[]>(sets.sessionWithoutCsrf) },
    { weight: 1, arbitrary: fc.constant<Header[]>(sets.none) },
    { weight: 1, arbitrary: fc.constant<Header[]>(sets.both) },
  )
  const origin = fc.constantFrom<Header[]>(
    [],
    [],
    [],
    [`Origin: http://127.0.0.1:${k.port}`],
    ['Origin: http://evil.example'],
  )
  return fc
    .oneof(
      ...endpoints.map((endpoint) => ({
        weight: endpoint.weight,
        arbitrary: fc.record({
          endpoint: fc.constant(endpoint),
          body: json(endpoint.shape as fc.Arbitrary<unknown>),
          contentType,
          credentials: credentialSet,
          origin,
          accept: fc.boolean(),
        }),
      })),
    )
    .map((r) => {
      const headers = [...r.credentials, ...r.origin]
      if (r.accept) headers.push('Accept: application/json, text/event-stream')
      const { method, path } = r.endpoint
      return {
        kind: `body ${method} ${path}`,
        bytes: request(k, method, path, headers, r.body, r.contentType),
        mustAnswer: true,
      }
    })
}

// --- the secrets in the log --------------------------------------------------------------------

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
  for (const entry of logText.split('\n')) {
    if (entry.startsWith('{')) visit(JSON.parse(entry))
  }
  return [logText, ...decoded].join('\n')
}

/** The names of the secrets found in the text: as they are, base64 or percent-encoded. */
function leaked(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) =>
      [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('base64url'),
        encodeURIComponent(secret),
      ].some((form) => text.includes(form)),
    )
    .map(([name]) => name)
}

/** Error and fatal entries: each one is a fault, also where the client was answered 200. */
function loggedErrors(logText: string): string[] {
  return logText
    .split('\n')
    .filter((entry) => /^\{"level":(50|60)/.test(entry))
    .map((entry) => {
      const { msg, err } = JSON.parse(entry) as { msg?: string; err?: { message?: string } }
      const message = err?.message ?? ''
      return `${msg}: ${message.slice(0, 150)} ... ${message.slice(-150)}`
    })
}

// --- the test ----------------------------------------------------------------------------------

async function call(url: string, init: RequestInit & { headers?: Record<string, string> }) {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  return { res, body: (await res.json()) as Record<string, unknown> }
}

describe('fuzzing the running server', { timeout: 240_000 }, () => {
  it('answers every generated request below 500, in time, and never logs a secret', async () => {
    const email = `fuzz-${randomBytes(4).toString('hex')}@example.test`
    const password = `fuzz-password-${randomBytes(12).toString('hex')}`
    const server = await startServerProcess(
      {
        ...(await durableDatabase(cleanups)).env,
        LOG_LEVEL: 'trace',
        TESSERA_ADMIN_EMAIL: email,
        TESSERA_ADMIN_PASSWORD: password,
      },
      cleanups,
    )
    const api = `http://127.0.0.1:${server.port}/api/v1`

    const login = await call(`${api}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email, password }),
    })
    expect(login.res.status).toBe(200)
    const cookie = /tessera_session=([^;]+)/.exec(login.res.headers.get('set-cookie') ?? '')?.[1]
    if (!cookie) throw new Error('no session cookie')
    const csrf = login.body.csrfToken as string
    const session = { cookie: `tessera_session=${cookie}`, 'x-csrf-token': csrf }
    const created = await call(`${api}/tokens`, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ name: 'fuzz' }),
    })
    expect(created.res.status).toBe(201)
    const token = created.body.secret as string
    const asToken = { authorization: `Bearer ${token}` }
    const projectKey = 'FUZZ'
    const project = await call(`${api}/projects`, {
      method: 'POST',
      headers: asToken,
      body: JSON.stringify({ key: projectKey, name: 'Fuzz' }),
    })
    expect(project.res.status).toBe(201)
    const task = await call(`${api}/tasks`, {
      method: 'POST',
      headers: asToken,
      body: JSON.stringify({ project: projectKey, title: 'Fuzz target' }),
    })
    expect(task.res.status).toBe(201)
    const taskRef = (task.body.task as { ref: string }).ref

    const known: Known = {
      port: server.port,
      email,
      password,
      token,
      cookie,
      csrf,
      projectKey,
      taskRef,
    }
    const groups = [
      fc.sample(authorizationProbes(known), { seed: SEED, numRuns: COUNTS.authorization }),
      fc.sample(rawProbes(known), { seed: SEED + 1, numRuns: COUNTS.raw }),
      fc.sample(bodyProbes(known), { seed: SEED + 2, numRuns: COUNTS.body }),
    ]
    // Interleaved, so that every kind of request meets the others in flight.
    const probes: Probe[] = []
    for (let i = 0; i < Math.max(...groups.map((g) => g.length)); i++) {
      for (const group of groups) if (group[i]) probes.push(group[i] as Probe)
    }
    expect(probes.length).toBeGreaterThanOrEqual(10_000)

    const failures = {
      'status 500 or above': [] as string[],
      'no answer within 10 s': [] as string[],
      'connection closed unanswered': [] as string[],
      'header injected into the answer': [] as string[],
    }
    const tally: Record<string, number> = {}
    const started = Date.now()
    await pool(probes, CONCURRENCY, async (probe) => {
      const answer = await exchange(server.port, probe.bytes, probe.mustAnswer ? undefined : 250)
      const status = answer.statuses.find((s) => s >= 200) ?? answer.statuses[0]
      const outcome = status ? String(status) : answer.timedOut ? 'timeout' : 'closed'
      tally[outcome] = (tally[outcome] ?? 0) + 1
      const report =
        `${probe.kind}: sent ${JSON.stringify(probe.bytes.subarray(0, 400).toString('latin1'))} ` +
        `(${probe.bytes.length} bytes), got ${answer.timedOut ? 'nothing' : summary(answer)}` +
        `${answer.error ? ` (${answer.error})` : ''}`
      if (answer.statuses.some((s) => s >= 500) || MCP_SERVER_FAULT.test(answer.text)) {
        failures['status 500 or above'].push(report)
      }
      if (answer.timedOut) failures['no answer within 10 s'].push(report)
      else if (
        probe.mustAnswer &&
        answer.statuses.length === 0 &&
        !(probe.bytes.length > BODY_LIMIT && RESET_WHILE_SENDING.has(answer.error ?? ''))
      ) {
        failures['connection closed unanswered'].push(report)
      }
      if (/\r\n(x-injected|set-cookie: injected)/i.test(answer.head)) {
        failures['header injected into the answer'].push(report)
      }
    })
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.info(`fuzz (${TEST_DB}): ${probes.length} requests in ${seconds} s`, tally)

    for (const [failure, list] of Object.entries(failures)) {
      expect.soft(list.slice(0, 5), `${list.length} requests: ${failure}`).toEqual([])
    }
    expect(server.alive()).toBe(true)
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200)
    // Still the same server with the same data: the real token and session work.
    expect((await fetch(`${api}/me`, { headers: asToken })).status).toBe(200)
    expect((await fetch(`${api}/me`, { headers: session })).status).toBe(200)

    expect(await server.stop()).toBe(0)
    const log = server.output()
    // The log did record the fuzzing: the check below reads real entries.
    expect(log.split('\n').length).toBeGreaterThan(probes.length)
    const errors = loggedErrors(log)
    expect.soft(errors.slice(0, 5), `${errors.length} errors in the log`).toEqual([])
    expect(
      leaked(readable(log), {
        'token secret': token,
        'token secret without its prefix': token.slice(4),
        'session cookie': cookie,
        'CSRF token': csrf,
        'admin password': password,
      }),
    ).toEqual([])
  })
})
