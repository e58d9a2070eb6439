import { lookup as dnsLookup } from 'node:dns/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { request } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { type AddressVerdict, judgeAddress } from './address-policy.js'

/** Name resolution: every address of a host name (the OS resolver, /etc/hosts included). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

export interface FetchDocumentOptions {
  /** Private and loopback addresses too (an admin's choice); special-use ones never. */
  allowPrivate: boolean
  /** Bytes of body read at most; more is a failure, found while reading. */
  maxBytes: number
  /** For the whole fetch: resolving, connecting, TLS, headers and body. */
  timeoutMs: number
  headers?: Record<string, string>
  resolve?: Resolver
}

export type FetchDocumentResult =
  | { ok: true; headers: IncomingHttpHeaders; body: Buffer }
  | { ok: false; failure: FetchFailure }

export type FetchFailure =
  | { code: 'not_https' }
  | { code: 'address_refused'; verdict: Extract<AddressVerdict, { ok: false }> }
  | { code: 'dns_failed'; detail: string }
  | { code: 'connect_failed'; detail: string }
  | { code: 'tls_failed'; detail: string }
  | { code: 'timeout' }
  | { code: 'too_large' }
  | { code: 'redirect'; status: number }
  | { code: 'http_status'; status: number }

/**
 * GETs a small document over HTTPS from a URL someone else chose, without letting that URL reach
 * what the server can reach but the world cannot (SSRF):
 * - https only; the host name is resolved once, every address it has is judged
 *   (`judgeAddress`), and the connection goes to a judged address through a `lookup` that
 *   answers with it: no second resolution a rebinding DNS server could answer differently.
 *   TLS is still verified against the host name.
 * - no redirects are followed (a 3xx is a failure), no proxy, no connection reuse, no cookies,
 *   no compression.
 * - one deadline for everything, and the body is counted while it streams in.
 * A refusal or a failure is a verdict (`ok: false`), never a throw.
 */
export async function fetchDocument(
  url: URL,
  options: FetchDocumentOptions,
): Promise<FetchDocumentResult> {
  if (url.protocol !== 'https:') return failed({ code: 'not_https' })
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs)
  try {
    const target = await resolveTarget(url, options, deadline.signal)
    if (!target.ok) return target
    return await get(url, target.addresses, options, deadline.signal)
  } finally {
    clearTimeout(timer)
  }
}

type Address = { address: string; family: number }

async function resolveTarget(
  url: URL,
  options: FetchDocumentOptions,
  signal: AbortSignal,
): Promise<{ ok: true; addresses: Address[] } | { ok: false; failure: FetchFailure }> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: Address[]
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }]
  } else {
    const resolve = options.resolve ?? systemResolver
    try {
      addresses = await abortable(resolve(host), signal)
    } catch (error) {
      if (signal.aborted) return failed({ code: 'timeout' })
      return failed({ code: 'dns_failed', detail: errorCode(error) })
    }
    if (addresses.length === 0) return failed({ code: 'dns_failed', detail: 'ENOTFOUND' })
  }
  // Every address, not only the first: a name with one public and one private address would
  // otherwise reach the private one whenever the connection falls back to it.
  for (const { address } of addresses) {
    const verdict = judgeAddress(address, options.allowPrivate)
    if (!verdict.ok) return failed({ code: 'address_refused', verdict })
  }
  return { ok: true, addresses }
}

function get(
  url: URL,
  addresses: Address[],
  options: FetchDocumentOptions,
  signal: AbortSignal,
): Promise<FetchDocumentResult> {
  // Connections go to the addresses judged above, whatever the resolver would say now.
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) return callback(null, addresses)
    const [first] = addresses as [Address]
    callback(null, first.address, first.family)
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    let settled = false
    const settle = (result: FetchDocumentResult) => {
      if (settled) return
      settled = true
      req.destroy()
      resolve(result)
    }
    const req = request(
      {
        protocol: 'https:',
        hostname,
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { ...options.headers, 'accept-encoding': 'identity' },
        lookup,
        agent: false,
        signal,
        maxHeaderSize: 16 * 1024,
      },
      (res) => {
        const status = res.statusCode ?? 0
        if (status >= 300 && status < 400) return settle(failed({ code: 'redirect', status }))
        if (status !== 200) return settle(failed({ code: 'http_status', status }))
        const declared = Number(res.headers['content-length'])
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          return settle(failed({ code: 'too_large' }))
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > options.maxBytes) return settle(failed({ code: 'too_large' }))
          chunks.push(chunk)
        })
        res.on('end', () => settle({ ok: true, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', (error) => settle(failureOf(error, signal)))
        // Cut before the end (the deadline, or the server): settled once, whichever comes first.
        res.on('close', () => settle(failureOf({ code: 'ECONNRESET' }, signal)))
      },
    )
    req.on('error', (error) => settle(failureOf(error, signal)))
    req.end()
  })
}

function failureOf(error: unknown, signal: AbortSignal): FetchDocumentResult {
  if (signal.aborted) return failed({ code: 'timeout' })
  const code = errorCode(error)
  if (/CERT|SSL|TLS|SELF_SIGNED|HOSTNAME|ALTNAME|EPROTO/i.test(code)) {
    return failed({ code: 'tls_failed', detail: code })
  }
  return failed({ code: 'connect_failed', detail: code })
}

const failed = (failure: FetchFailure) => ({ ok: false as const, failure })

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : 'ERROR'
}

/** The promise, or a rejection as soon as the signal aborts (a DNS lookup cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'))
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
