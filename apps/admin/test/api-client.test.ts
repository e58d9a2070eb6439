import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { login, logout } from '../src/api/auth'
import { ApiError, http, onUnauthorized, setCsrfToken } from '../src/api/client'

type Handler = (url: string, init: RequestInit) => Response

let handler: Handler
const calls: { url: string; init: RequestInit }[] = []

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

beforeEach(() => {
  calls.length = 0
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    return handler(url, init)
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(null)
  onUnauthorized(null)
})

const header = (index: number, name: string) =>
  (calls[index]?.init.headers as Record<string, string> | undefined)?.[name]

describe('fetch client', () => {
  it('sends the CSRF token on state changes and not on reads', async () => {
    handler = () => json(200, {})
    setCsrfToken('csrf-1')
    await http.get('/tokens')
    await http.post('/tokens', { name: 'x' })
    expect(header(0, 'X-CSRF-Token')).toBeUndefined()
    expect(header(1, 'X-CSRF-Token')).toBe('csrf-1')
    expect(calls[1]?.url).toBe('/api/v1/tokens')
  })

  it('drops empty query parameters', async () => {
    handler = () => json(200, { tokens: [] })
    await http.get('/admin/tokens', { query: { userId: '', status: 'active', cursor: undefined } })
    expect(calls[0]?.url).toBe('/api/v1/admin/tokens?status=active')
  })

  it('hands a lost session (401) to the unauthorized handler once', async () => {
    handler = () => json(401, { status: 401, code: 'session_invalid', detail: 'Sign in' })
    const lost = vi.fn()
    onUnauthorized(lost)
    await expect(http.get('/tokens')).rejects.toMatchObject({ status: 401 })
    expect(lost).toHaveBeenCalledTimes(1)
  })

  it('leaves an expected 401 (wrong password) to the caller', async () => {
    handler = () =>
      json(401, { status: 401, code: 'invalid_credentials', detail: 'Wrong email or password' })
    const lost = vi.fn()
    onUnauthorized(lost)
    await expect(http.post('/auth/login', {}, { expectUnauthorized: true })).rejects.toMatchObject({
      code: 'invalid_credentials',
    })
    expect(lost).not.toHaveBeenCalled()
  })

  it('refreshes a stale CSRF token from /me and retries the change once', async () => {
    setCsrfToken('stale')
    let attempts = 0
    handler = (url) => {
      if (url.endsWith('/me')) {
        return json(200, {
          user: {},
          permissions: [],
          auth: { method: 'session', csrfToken: 'fresh' },
        })
      }
      attempts += 1
      return attempts === 1
        ? json(403, { status: 403, code: 'csrf_invalid', detail: 'Bad CSRF token' })
        : new Response(null, { status: 204 })
    }
    await http.delete('/tokens/abc')
    expect(attempts).toBe(2)
    expect(header(2, 'X-CSRF-Token')).toBe('fresh')
  })

  it('turns a Problem Details answer into an ApiError with its detail and Retry-After', async () => {
    handler = () =>
      json(
        429,
        {
          type: '/api/v1/errors/rate_limited',
          title: 'Too many attempts',
          status: 429,
          detail: 'Slow down',
          code: 'rate_limited',
          hint: 'Wait a minute.',
        },
        { 'Retry-After': '42' },
      )
    const error = await http.post('/auth/login', {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 42,
      message: 'Slow down',
      hint: 'Wait a minute.',
    })
  })

  it('reports an unreachable server as a network error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(http.get('/me')).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })
})

describe('signing out', () => {
  it('sends the session’s CSRF token with the logout, then forgets it', async () => {
    handler = (url) =>
      url.endsWith('/auth/login')
        ? json(200, { user: {}, csrfToken: 'csrf-of-session' })
        : new Response(null, { status: 204 })
    await login({ email: 'ada@example.com', password: 'correct horse battery' })
    await logout()
    expect(calls[1]?.url).toBe('/api/v1/auth/logout')
    expect(calls[1]?.init.method).toBe('POST')
    expect(calls[1]?.init.credentials).toBe('same-origin')
    expect(header(1, 'X-CSRF-Token')).toBe('csrf-of-session')

    // The next change after signing out carries no stale token.
    await http.post('/auth/login', {})
    expect(header(2, 'X-CSRF-Token')).toBeUndefined()
  })

  it('retries the logout once with a fresh token when the server refuses a stale one', async () => {
    setCsrfToken('stale')
    let attempts = 0
    handler = (url) => {
      if (url.endsWith('/me')) {
        return json(200, {
          user: {},
          permissions: [],
          auth: { method: 'session', csrfToken: 'fresh' },
        })
      }
      attempts += 1
      return attempts === 1
        ? json(403, { status: 403, code: 'csrf_invalid', detail: 'Bad CSRF token' })
        : new Response(null, { status: 204 })
    }
    await logout()
    expect(calls.map((call) => call.url)).toEqual([
      '/api/v1/auth/logout',
      '/api/v1/me',
      '/api/v1/auth/logout',
    ])
    expect(header(0, 'X-CSRF-Token')).toBe('stale')
    expect(header(2, 'X-CSRF-Token')).toBe('fresh')
  })
})
