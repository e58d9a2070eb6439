/**
 * The one fetch client of the console. It owns what every request shares: the `/api/v1` base,
 * JSON bodies, the CSRF token for cookie sessions, turning error answers into `ApiError`, and
 * what happens when the session is gone (401): the registered handler sends the user to sign-in.
 */
import type { MeResponse, Problem } from '@tessera/api/contract'

export const API_BASE = '/api/v1'

/** What an `ApiError` is made of: a Problem Details answer, `message` taken from its `detail`. */
export interface ApiErrorInit extends Pick<Problem, 'status' | 'code' | 'hint'> {
  message: string
}

/** An error answer from the API (Problem Details), or a network failure (`status` 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly hint: string | undefined
  /** Seconds from the Retry-After header of a 429, when the server sent one. */
  readonly retryAfterSeconds: number | null

  constructor(problem: ApiErrorInit, retryAfterSeconds: number | null = null) {
    super(problem.message)
    this.name = 'ApiError'
    this.status = problem.status
    this.code = problem.code
    this.hint = problem.hint
    this.retryAfterSeconds = retryAfterSeconds
  }
}

type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /**
   * A 401 is an expected answer for this call (sign-in, the first "who am I?"): report it to the
   * caller without treating it as a lost session.
   */
  expectUnauthorized?: boolean
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// Kept in memory only: a CSRF token in storage would outlive the session it belongs to.
let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null
}

/** Called once at startup: what to do when a request finds the session gone. */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

function buildUrl(path: string, query: Query | undefined): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `${API_BASE}${path}${search ? `?${search}` : ''}`
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (STATE_CHANGING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  try {
    return await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: 'Could not reach the Tessera server. Check your connection and try again.',
    })
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10)
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : null
  let body: Partial<Problem> | null = null
  try {
    body = (await response.json()) as Partial<Problem>
  } catch {
    // Not JSON (a proxy's error page, an empty body): described from the status below.
  }
  return new ApiError(
    {
      status: response.status,
      code: typeof body?.code === 'string' ? body.code : `http_${response.status}`,
      message:
        typeof body?.detail === 'string'
          ? body.detail
          : `The server answered ${response.status} ${response.statusText}`.trim(),
      hint: typeof body?.hint === 'string' ? body.hint : undefined,
    },
    retryAfterSeconds,
  )
}

/** A CSRF token can go stale (a new session in another tab): fetch the current one. */
async function refreshCsrfToken(): Promise<boolean> {
  const response = await send('GET', '/me', {})
  if (!response.ok) return false
  const me = (await response.json()) as MeResponse
  setCsrfToken(me.auth.csrfToken)
  return Boolean(me.auth.csrfToken)
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  let response = await send(method, path, options)
  if (response.status === 403 && STATE_CHANGING.has(method)) {
    const error = await toApiError(response.clone())
    if (error.code === 'csrf_invalid' && (await refreshCsrfToken())) {
      response = await send(method, path, options)
    }
  }
  if (response.status === 401 && !options.expectUnauthorized) {
    csrfToken = null
    unauthorizedHandler?.()
  }
  if (!response.ok) throw await toApiError(response)
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
}
