/**
 * Server URL handling. The stored URL is always the normalised base address (scheme, host,
 * optional port, optional base path; no trailing slash, no query), so every other module can
 * append `/api/v1/...` without thinking.
 */

/** Something worth telling the user about an accepted URL. */
export type ServerUrlNote =
  /** Plain http to a host that is not this machine: the token would cross the network unencrypted. */
  | { kind: 'insecure_http'; host: string }
  /** A known Tessera path (an API or console page) was removed from the end of what was pasted. */
  | { kind: 'trimmed_path'; removed: string }
  /** No scheme was given, so https:// was assumed. */
  | { kind: 'assumed_https' }

export type ServerUrlVerdict =
  | { ok: true; url: string; notes: ServerUrlNote[] }
  | { ok: false; problem: string }

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
// Everything from /api on is the API, never part of a base path; these are console pages and
// probes that people copy from the browser's address bar.
const API_SUFFIX = /\/api(?:\/.*)?$/i
const PAGE_SUFFIXES = ['/tokens', '/healthz', '/readyz', '/login']

/**
 * Turns what a user typed or pasted into the server's base URL, or explains what is wrong.
 * Accepts a missing scheme (assumes https), trailing slashes and pasted API/console paths.
 */
export function normalizeServerUrl(input: string): ServerUrlVerdict {
  const trimmed = input.trim()
  if (trimmed === '') {
    return {
      ok: false,
      problem: 'Enter the address of your Tessera server, e.g. https://tessera.example.com',
    }
  }
  if (/\s/.test(trimmed)) return { ok: false, problem: 'The address must not contain spaces.' }

  const notes: ServerUrlNote[] = []
  let candidate = trimmed
  if (!SCHEME.test(candidate)) {
    candidate = `https://${candidate}`
    notes.push({ kind: 'assumed_https' })
  }

  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    return { ok: false, problem: `"${trimmed}" is not a valid address.` }
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `Use an https:// (or http://) address, not ${url.protocol}//.` }
  }
  if (url.hostname === '') return { ok: false, problem: 'The address has no host name.' }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      problem:
        'Remove the user name and password from the address: Tessera signs in with an API token.',
    }
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, problem: 'Remove the part after ? or # from the address.' }
  }

  let path = url.pathname.replace(/\/+$/, '')
  const apiMatch = API_SUFFIX.exec(path)
  if (apiMatch) {
    notes.push({ kind: 'trimmed_path', removed: apiMatch[0] })
    path = path.slice(0, apiMatch.index).replace(/\/+$/, '')
  } else {
    const page = PAGE_SUFFIXES.find((suffix) => path.toLowerCase().endsWith(suffix))
    if (page !== undefined) {
      notes.push({ kind: 'trimmed_path', removed: path.slice(path.length - page.length) })
      path = path.slice(0, path.length - page.length).replace(/\/+$/, '')
    }
  }

  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    notes.push({ kind: 'insecure_http', host: url.hostname })
  }
  return { ok: true, url: `${url.protocol}//${url.host}${path}`, notes }
}

/** True for names and addresses that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(host) ||
    host === '[::1]' ||
    host === '::1'
  )
}

/** `<base>/api/v1<path>`. */
export function apiUrl(serverUrl: string, path: string): string {
  return `${serverUrl}/api/v1${path}`
}

/** The MCP endpoint (Streamable HTTP, POST only). */
export function mcpEndpoint(serverUrl: string): string {
  return apiUrl(serverUrl, '/mcp')
}

/** The console page where users create and revoke tokens. */
export function tokensPage(serverUrl: string): string {
  return `${serverUrl}/tokens`
}

/** Human sentence for a note, or undefined when it needs no mention. */
export function describeNote(note: ServerUrlNote): string | undefined {
  switch (note.kind) {
    case 'insecure_http':
      return `The address uses plain http, so your token would travel unencrypted to ${note.host}. Use https unless you trust every network in between.`
    case 'trimmed_path':
      return `Removed "${note.removed}" from the end: Tessera adds the API path itself.`
    case 'assumed_https':
      return undefined
  }
}
