/**
 * `vscode://tessera.tessera-vscode/connect?server=<url>` starts the connect flow with the server
 * URL filled in (the console's "Connect VS Code" button). Links never carry tokens: a token in a
 * link would sit in browser history and logs, so any token-like parameter is dropped.
 *
 * `/oauth/callback` is where the browser comes back after "Sign in with browser": the
 * authorization response (RFC 6749 §4.1.2), handed to the sign-in that is waiting for its `state`.
 */
import { normalizeServerUrl } from './server-url.js'

/** The authorization response's parameters, as the browser brought them back. */
export interface AuthorizationResponse {
  state?: string
  code?: string
  error?: string
  errorDescription?: string
  iss?: string
}

export const CALLBACK_PATH = '/oauth/callback'

export type UriIntent =
  | { kind: 'connect'; serverUrl?: string; problem?: string; droppedToken: boolean }
  | { kind: 'oauth_callback'; response: AuthorizationResponse }
  | { kind: 'unknown'; path: string }

const TOKEN_PARAMS = new Set(['token', 'secret', 'api_token', 'apitoken', 'access_token', 'key'])

export function parseUri(path: string, query: string): UriIntent {
  const normalizedPath = path.replace(/\/+$/, '').toLowerCase()
  if (normalizedPath === CALLBACK_PATH)
    return { kind: 'oauth_callback', response: readResponse(query) }
  if (normalizedPath !== '/connect') return { kind: 'unknown', path }
  const params = new URLSearchParams(query)
  let droppedToken = false
  for (const [key, value] of params) {
    if (TOKEN_PARAMS.has(key.toLowerCase()) || /tsr_[0-9A-Za-z]/.test(value)) droppedToken = true
  }
  const server = params.get('server')
  if (server === null || server.trim() === '' || /tsr_[0-9A-Za-z]/.test(server)) {
    return { kind: 'connect', droppedToken }
  }
  const verdict = normalizeServerUrl(server)
  return verdict.ok
    ? { kind: 'connect', serverUrl: verdict.url, droppedToken }
    : { kind: 'connect', problem: verdict.problem, droppedToken }
}

function readResponse(query: string): AuthorizationResponse {
  const params = new URLSearchParams(query)
  const response: AuthorizationResponse = {}
  const take = (name: string) => params.get(name) ?? undefined
  const state = take('state')
  const code = take('code')
  const error = take('error')
  const errorDescription = take('error_description')
  const iss = take('iss')
  if (state !== undefined) response.state = state
  if (code !== undefined) response.code = code
  if (error !== undefined) response.error = error
  if (errorDescription !== undefined) response.errorDescription = errorDescription
  if (iss !== undefined) response.iss = iss
  return response
}
