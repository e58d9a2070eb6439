/**
 * A small HTTP server that speaks the parts of the Tessera REST contract the extension uses, on
 * a loopback port, with real tokens from @tessera/core. The integration tests run the same
 * client against the real API, which keeps this fake honest.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MeResponse, Token } from '@tessera/api/contract'
import {
  type AuthFailureCode,
  checkTokenFormat,
  ERROR_HINTS,
  generateToken,
  tokenDisplayPrefix,
} from '@tessera/core'

interface Row {
  id: string
  name: string
  scopes: string[]
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  user: { id: string; name: string; email: string; disabled: boolean }
}

export interface IssueOptions {
  name?: string
  expiresAt?: string | null
  scopes?: string[]
  userName?: string
  userEmail?: string
}

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | undefined
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void

export interface FakeTessera {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string
  readonly requests: RecordedRequest[]
  issue(options?: IssueOptions): string
  revoke(token: string): void
  expire(token: string): void
  disableUser(token: string): void
  /** Answers the next request for `path` (e.g. `/api/v1/me`) with `handler` instead (once). */
  overrideOnce(path: string, handler: Handler): void
  /** Answers every request with `handler` until cleared. */
  overrideAll(handler: Handler | undefined): void
  close(): Promise<void>
}

export async function startFakeTessera(): Promise<FakeTessera> {
  const rows = new Map<string, Row>()
  const requests: RecordedRequest[] = []
  const once = new Map<string, Handler>()
  let all: Handler | undefined

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    requests.push({
      method: request.method ?? 'GET',
      path,
      authorization: request.headers.authorization,
    })
    const special = once.get(path)
    if (special) {
      once.delete(path)
      return special(request, response)
    }
    if (all) return all(request, response)
    route(request, response, path)
  })

  function send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    response.end(JSON.stringify(body))
  }

  function fail(response: ServerResponse, code: AuthFailureCode): void {
    const { message, hint } = ERROR_HINTS[code]
    send(response, 401, { status: 401, code, message, hint })
  }

  /** The request's token and its row, or the code to refuse it with (the real API's order). */
  function authenticate(
    request: IncomingMessage,
  ): { token: string; row: Row } | { refused: AuthFailureCode } {
    const header = request.headers.authorization
    if (!header) return { refused: 'token_missing' }
    const match = /^(bearer|api-token) +(\S+)$/i.exec(header)
    if (!match?.[2]) return { refused: 'invalid_scheme' }
    const token = match[2]
    const format = checkTokenFormat(token)
    if (!format.ok) {
      return { refused: format.code === 'token_malformed' ? 'token_malformed' : 'token_invalid' }
    }
    const row = rows.get(token)
    if (!row) return { refused: 'token_invalid' }
    if (row.revokedAt) return { refused: 'token_revoked' }
    if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now())
      return { refused: 'token_expired' }
    if (row.user.disabled) return { refused: 'user_disabled' }
    return { token, row }
  }

  function present(token: string, row: Row): Token {
    return {
      id: row.id,
      name: row.name,
      prefix: tokenDisplayPrefix(token),
      scopes: row.scopes,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      lastUsedAt: new Date().toISOString(),
      lastUsedIp: '127.0.0.1',
      revokedAt: row.revokedAt,
      status: row.revokedAt ? 'revoked' : 'active',
    }
  }

  const ROUTES = ['GET /api/v1/me', 'GET /api/v1/tokens/self', 'POST /api/v1/tokens/self/rotate']

  function route(request: IncomingMessage, response: ServerResponse, path: string): void {
    const key = `${request.method} ${path}`
    if (!ROUTES.includes(key)) {
      send(response, 404, { status: 404, code: 'not_found', message: `Route ${key} not found` })
      return
    }
    const auth = authenticate(request)
    if ('refused' in auth) {
      fail(response, auth.refused)
      return
    }
    const { token, row } = auth
    if (key === 'GET /api/v1/me') {
      const body: MeResponse = {
        user: { id: row.user.id, email: row.user.email, name: row.user.name, role: 'member' },
        permissions: ['ManageApiTokens'],
        auth: {
          method: 'token',
          token: {
            id: row.id,
            name: row.name,
            prefix: tokenDisplayPrefix(token),
            scopes: row.scopes,
            expiresAt: row.expiresAt,
          },
        },
      }
      send(response, 200, body)
    } else if (key === 'GET /api/v1/tokens/self') {
      send(response, 200, { token: present(token, row) })
    } else {
      // Rotate: same row, new secret, same lifetime; the old secret is unknown from now on.
      const secret = generateToken()
      rows.delete(token)
      if (row.expiresAt) {
        const lifetime = Date.parse(row.expiresAt) - Date.parse(row.createdAt)
        row.createdAt = new Date().toISOString()
        row.expiresAt = new Date(Date.now() + lifetime).toISOString()
      }
      rows.set(secret, row)
      send(response, 200, { token: present(secret, row), secret })
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const rowOf = (token: string): Row => {
    const row = rows.get(token)
    if (!row) throw new Error('unknown token')
    return row
  }

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issue(options = {}) {
      const token = generateToken()
      rows.set(token, {
        id: randomUUID(),
        name: options.name ?? 'laptop',
        scopes: options.scopes ?? ['read', 'write'],
        createdAt: new Date().toISOString(),
        expiresAt: options.expiresAt === undefined ? null : options.expiresAt,
        revokedAt: null,
        user: {
          id: randomUUID(),
          name: options.userName ?? 'Ada Lovelace',
          email: options.userEmail ?? 'ada@example.com',
          disabled: false,
        },
      })
      return token
    },
    revoke(token) {
      rowOf(token).revokedAt = new Date().toISOString()
    },
    expire(token) {
      rowOf(token).expiresAt = new Date(Date.now() - 1000).toISOString()
    },
    disableUser(token) {
      rowOf(token).user.disabled = true
    },
    overrideOnce(path, handler) {
      once.set(path, handler)
    },
    overrideAll(handler) {
      all = handler
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Helpers for `overrideOnce`/`overrideAll`. */
export const reply = {
  json:
    (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers })
      response.end(JSON.stringify(body))
    },
  html:
    (status: number, body: string): Handler =>
    (_request, response) => {
      response.writeHead(status, { 'content-type': 'text/html' })
      response.end(body)
    },
  redirect:
    (location: string, status = 301): Handler =>
    (_request, response) => {
      response.writeHead(status, { location })
      response.end()
    },
}
