/**
 * The extension's HTTP client for the Tessera REST API. Every outcome is data: a value, or an
 * `ApiFailure` saying precisely what went wrong (the server's `code`, an unreachable host, an
 * untrusted certificate, a redirect...). Only programming errors throw.
 */
import type { MeResponse, Token, TokenWithSecret } from '@tessera/api/contract'
import { apiUrl } from './server-url.js'

export type ApiFailure =
  /** The server answered 4xx with a Tessera error body (401 token_*, 403, 429...). */
  | {
      kind: 'rejected'
      status: number
      code: string
      message?: string
      hint?: string
      retryAfterSeconds?: number
    }
  /** No connection: DNS, refused, reset, wrong protocol on the port... */
  | { kind: 'unreachable'; url: string; errorCode?: string; detail: string }
  /** TLS worked but the certificate is not trusted (self-signed, expired, wrong name...). */
  | { kind: 'certificate'; url: string; errorCode?: string; detail: string }
  | { kind: 'timeout'; url: string; seconds: number }
  /** VS Code does not send headers across redirects, so a redirecting URL cannot work. */
  | { kind: 'redirect'; url: string; status: number; location?: string }
  /** Something answered, but not the Tessera API (a 404, an HTML page, a proxy's login...). */
  | { kind: 'not_tessera'; url: string; status: number }
  /** The Tessera server failed (5xx). */
  | { kind: 'server_error'; url: string; status: number; code?: string }

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure }

/** What `GET /tokens/self` returns. */
export type TokenSelfResponse = { token: Token }

export interface TesseraClient {
  readonly serverUrl: string
  /** Unauthenticated request that proves a Tessera API answers at this address. */
  probe(): Promise<ApiResult<void>>
  tokenSelf(token: string): Promise<ApiResult<TokenSelfResponse>>
  me(token: string): Promise<ApiResult<MeResponse>>
  /** Rotates the calling token: the old secret stops working at once. */
  rotateSelf(token: string): Promise<ApiResult<TokenWithSecret>>
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface ClientOptions {
  serverUrl: string
  fetch?: FetchLike
  timeoutMs?: number
  userAgent?: string
}

const CERTIFICATE_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
])

export function createTesseraClient(options: ClientOptions): TesseraClient {
  const serverUrl = options.serverUrl
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init))
  const timeoutMs = options.timeoutMs ?? 10_000

  async function request(
    method: 'GET' | 'POST',
    path: string,
    token: string | undefined,
  ): Promise<{ ok: true; status: number; body: unknown } | { ok: false; failure: ApiFailure }> {
    const url = apiUrl(serverUrl, path)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    if (options.userAgent) headers['user-agent'] = options.userAgent
    let response: Response
    try {
      response = await doFetch(url, {
        method,
        headers,
        // A redirect would drop the Authorization header in VS Code's MCP client: report it.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      return { ok: false, failure: classifyNetworkError(error, url, timeoutMs) }
    }
    const body = await readJson(response)
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? undefined
      return {
        ok: false,
        failure: {
          kind: 'redirect',
          url,
          status: response.status,
          ...(location ? { location } : {}),
        },
      }
    }
    return { ok: true, status: response.status, body }
  }

  function errorFor(url: string, status: number, body: unknown): ApiFailure {
    const problem = asProblem(body)
    if (status >= 500) {
      return { kind: 'server_error', url, status, ...(problem ? { code: problem.code } : {}) }
    }
    if (!problem) return { kind: 'not_tessera', url, status }
    return { kind: 'rejected', status, ...problem }
  }

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    parse: (body: unknown) => T | undefined,
  ): Promise<ApiResult<T>> {
    const result = await request(method, path, token)
    if (!result.ok) return result
    const url = apiUrl(serverUrl, path)
    if (result.status < 200 || result.status >= 300) {
      const failure = errorFor(url, result.status, result.body)
      return { ok: false, failure }
    }
    const value = parse(result.body)
    if (value === undefined)
      return { ok: false, failure: { kind: 'not_tessera', url, status: result.status } }
    return { ok: true, value }
  }

  return {
    serverUrl,
    async probe() {
      const result = await request('GET', '/me', undefined)
      if (!result.ok) return result
      const url = apiUrl(serverUrl, '/me')
      const problem = asProblem(result.body)
      // Without a token, Tessera answers 401 with its own error body: that is the proof.
      if (result.status === 401 && problem) return { ok: true, value: undefined }
      if (result.status === 429 && problem)
        return { ok: false, failure: { kind: 'rejected', status: 429, ...problem } }
      if (result.status >= 500)
        return { ok: false, failure: errorFor(url, result.status, result.body) }
      return { ok: false, failure: { kind: 'not_tessera', url, status: result.status } }
    },
    tokenSelf: (token) => call('GET', '/tokens/self', token, parseTokenSelf),
    me: (token) => call('GET', '/me', token, parseMe),
    rotateSelf: (token) => call('POST', '/tokens/self/rotate', token, parseTokenWithSecret),
  }
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? ''
  if (!/[/+]json\b/i.test(type)) {
    await response.body?.cancel().catch(() => {})
    return undefined
  }
  try {
    return await response.json()
  } catch {
    return undefined
  }
}

function asProblem(
  body: unknown,
): { code: string; message?: string; hint?: string; retryAfterSeconds?: number } | undefined {
  if (!isRecord(body) || typeof body.code !== 'string' || body.code === '') return undefined
  const problem: { code: string; message?: string; hint?: string; retryAfterSeconds?: number } = {
    code: body.code,
  }
  // RFC 9457 `detail`; servers before it sent the same text as `message`.
  if (typeof body.detail === 'string') problem.message = body.detail
  else if (typeof body.message === 'string') problem.message = body.message
  if (typeof body.hint === 'string') problem.hint = body.hint
  const details = body.details
  if (isRecord(details) && typeof details.retryAfterSeconds === 'number') {
    problem.retryAfterSeconds = details.retryAfterSeconds
  }
  return problem
}

/** Maps a fetch exception to a failure, reading Node's error codes from the `cause` chain. */
export function classifyNetworkError(error: unknown, url: string, timeoutMs: number): ApiFailure {
  const codes: string[] = []
  const messages: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    if (isRecord(current)) {
      if (current.name === 'TimeoutError' || current.name === 'AbortError') {
        return { kind: 'timeout', url, seconds: Math.round(timeoutMs / 1000) }
      }
      if (typeof current.code === 'string') codes.push(current.code)
      if (typeof current.message === 'string' && current.message !== '')
        messages.push(current.message)
      current = current.cause
    } else {
      messages.push(String(current))
      break
    }
  }
  const certificateCode = codes.find((code) => CERTIFICATE_ERRORS.has(code))
  const detail = messages.at(-1) ?? 'fetch failed'
  if (certificateCode !== undefined)
    return { kind: 'certificate', url, errorCode: certificateCode, detail }
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) {
    return { kind: 'timeout', url, seconds: Math.round(timeoutMs / 1000) }
  }
  const errorCode = codes.at(-1)
  return { kind: 'unreachable', url, detail, ...(errorCode ? { errorCode } : {}) }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isToken(value: unknown): value is Token {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.prefix === 'string' &&
    (value.expiresAt === null || typeof value.expiresAt === 'string') &&
    Array.isArray(value.scopes)
  )
}

function parseTokenSelf(body: unknown): TokenSelfResponse | undefined {
  return isRecord(body) && isToken(body.token) ? { token: body.token } : undefined
}

function parseMe(body: unknown): MeResponse | undefined {
  if (!isRecord(body) || !isRecord(body.user) || typeof body.user.name !== 'string')
    return undefined
  return body as MeResponse
}

function parseTokenWithSecret(body: unknown): TokenWithSecret | undefined {
  if (!isRecord(body) || typeof body.secret !== 'string' || !isToken(body.token)) return undefined
  return { token: body.token, secret: body.secret }
}
