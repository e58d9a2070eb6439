import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { forbidden } from '../lib/errors.js'

export interface HostCheckOptions {
  /** The URL users reach the server at; its host name is always allowed. */
  publicUrl?: string | undefined
  /** More host names to accept (`tessera.lan`, `.example.com` for every subdomain, `*` for any). */
  allowedHosts?: string[]
}

/** Health checks come from load balancers and orchestrators with whatever Host they use. */
const UNCHECKED_PATHS = new Set(['/healthz', '/readyz'])

/** `tessera.example.com:8443` -> `tessera.example.com`, `[::1]:3000` -> `[::1]`. */
export function hostName(header: string): string {
  const host = header.trim().toLowerCase()
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return (colon === -1 ? host : host.slice(0, colon)).replace(/\.$/, '')
}

/**
 * Refuses requests whose Host is not one of the server's own names, on every route: a page on a
 * site whose DNS name was rebound to this server's address sends its own name as Host (and a
 * matching Origin), and would otherwise be treated as same-origin, e.g. to claim first-run setup.
 * IP addresses and `localhost` cannot be rebound and are always accepted; any other name must be
 * the host of TESSERA_PUBLIC_URL or listed in TESSERA_ALLOWED_HOSTS.
 */
export function hostChecker(options: HostCheckOptions): (host: string | undefined) => boolean {
  const exact = new Set(['localhost'])
  const suffixes = ['.localhost']
  let any = false
  if (options.publicUrl) exact.add(new URL(options.publicUrl).hostname.toLowerCase())
  for (const entry of options.allowedHosts ?? []) {
    const name = entry.trim().toLowerCase()
    if (name === '*') any = true
    else if (name.startsWith('.')) suffixes.push(name)
    else if (name) exact.add(hostName(name))
  }
  const judge = (header: string) => {
    const name = hostName(header)
    if (exact.has(name)) return true
    if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true
    return suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length)
  }
  // Nearly every request repeats one of a few Host values: judge each once. Bounded, so a client
  // sending made-up names cannot grow it.
  const judged = new Map<string, boolean>()
  return (header) => {
    // HTTP/1.0 clients may send none; a browser (and so a rebinding page) always does.
    if (header === undefined || any) return true
    let verdict = judged.get(header)
    if (verdict === undefined) {
      verdict = judge(header)
      if (judged.size >= 256) judged.clear()
      judged.set(header, verdict)
    }
    return verdict
  }
}

export default fp<HostCheckOptions>(
  async (app, opts) => {
    const allowed = hostChecker(opts)
    app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
      if (allowed(request.headers.host)) return done()
      if (UNCHECKED_PATHS.has(request.url.split('?')[0] ?? '')) return done()
      done(
        forbidden(
          'host_not_allowed',
          'This server does not answer to that host name.',
          'Reach Tessera at the address in TESSERA_PUBLIC_URL, or add this name to TESSERA_ALLOWED_HOSTS.',
        ),
      )
    })
  },
  { name: 'host-check' },
)
