/**
 * `vscode://tessera.tessera-vscode/connect?server=<url>` starts the connect flow with the server
 * URL filled in (the console's "Connect VS Code" button). Links never carry tokens: a token in a
 * link would sit in browser history and logs, so any token-like parameter is dropped.
 */
import { normalizeServerUrl } from './server-url.js'

export type UriIntent =
  | { kind: 'connect'; serverUrl?: string; problem?: string; droppedToken: boolean }
  | { kind: 'unknown'; path: string }

const TOKEN_PARAMS = new Set(['token', 'secret', 'api_token', 'apitoken', 'access_token', 'key'])

export function parseUri(path: string, query: string): UriIntent {
  const normalizedPath = path.replace(/\/+$/, '').toLowerCase()
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
