import type { IncomingHttpHeaders } from 'node:http'
import CachePolicy from 'http-cache-semantics'
import { z } from 'zod'
import { checkRedirectUri } from './redirect-uri.js'

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP authorization
 * 2025-11-25): a client whose `client_id` is an HTTPS URL publishes its metadata there, and the
 * server fetches it instead of having the client register.
 */

/** Read at most this much of a document (the draft's recommendation); more is refused. */
export const METADATA_DOCUMENT_MAX_BYTES = 5 * 1024
/** For the whole fetch, the client's host name lookup included. */
export const METADATA_DOCUMENT_TIMEOUT_MS = 5_000
/** A stored document is used this long at least, whatever its Cache-Control says... */
export const METADATA_MIN_TTL_MS = 5 * 60_000
/** ...and fetched again after this at most, so a withdrawn or changed document is noticed. */
export const METADATA_MAX_TTL_MS = 24 * 60 * 60_000

/**
 * Whether a `client_id` is meant as a metadata document URL. Registered clients get `tsc_...`
 * ids, so the two never collide (draft §5.1). Plain `http://` counts too, to be refused with the
 * reason instead of "unknown client".
 */
export function isClientIdUrl(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId)
}

export type ClientIdUrlCheck = { ok: true; url: URL } | { ok: false; reason: string }

/**
 * A Client Identifier URL's rules (draft §3): https, a path other than `/`, no userinfo, no
 * fragment, no `.` or `..` segments. Checked on the string as sent, since URL parsing would
 * quietly resolve dot segments.
 */
export function checkClientIdUrl(clientId: string): ClientIdUrlCheck {
  let url: URL
  try {
    url = new URL(clientId)
  } catch {
    return { ok: false, reason: 'it is not a URL' }
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'it must use https' }
  if (url.username || url.password || /^https:\/\/[^/?#]*@/i.test(clientId)) {
    return { ok: false, reason: 'it must not carry credentials' }
  }
  if (clientId.includes('#')) return { ok: false, reason: 'it must not have a fragment' }
  const rawPath = clientId.replace(/^https:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? ''
  if (rawPath === '' || rawPath === '/') {
    return { ok: false, reason: 'it must have a path (e.g. https://example.com/client.json)' }
  }
  if (rawPath.split('/').some((segment) => /^(\.|\.\.|%2e|%2e%2e|\.%2e|%2e\.)$/i.test(segment))) {
    return { ok: false, reason: 'it must not have . or .. path segments' }
  }
  return { ok: true, url }
}

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional()
const httpsUrl = z
  .string()
  .max(2000)
  .refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', {
    message: 'must be an https URL',
  })

/**
 * A Client ID Metadata Document, as Tessera accepts it: RFC 7591 client metadata for a public
 * client. Unknown fields are ignored; no secret may appear (draft §4.1).
 */
export const ClientMetadataDocument = z.looseObject({
  client_id: z.string().max(2000),
  client_name: optionalText(200),
  redirect_uris: z.array(z.string().max(2000)).min(1).max(10),
  client_uri: httpsUrl.optional(),
  logo_uri: httpsUrl.optional(),
  scope: optionalText(1000),
  grant_types: z
    .array(z.string())
    .max(10)
    .refine((list) => list.every((g) => g === 'authorization_code' || g === 'refresh_token'), {
      message: 'only authorization_code and refresh_token are supported',
    })
    .optional(),
  response_types: z
    .array(z.string())
    .max(10)
    .refine((list) => list.every((r) => r === 'code'), { message: 'only code is supported' })
    .optional(),
  token_endpoint_auth_method: z
    .literal('none', {
      message:
        'must be none: Tessera accepts public clients only, which prove themselves with PKCE',
    })
    .optional(),
  client_secret: z.never({ message: 'must not appear in a metadata document' }).optional(),
  client_secret_expires_at: z
    .never({ message: 'must not appear in a metadata document' })
    .optional(),
  software_id: optionalText(200),
  software_version: optionalText(100),
})
export type ClientMetadataDocument = z.infer<typeof ClientMetadataDocument>

export type MetadataDocumentCheck =
  | { ok: true; document: ClientMetadataDocument }
  | { ok: false; reason: string }

/**
 * A fetched document, judged: JSON, the fields above, `client_id` exactly the URL it was fetched
 * from (simple string comparison, draft §4), redirect URIs acceptable as for registered clients.
 */
export function checkMetadataDocument(clientId: string, body: Buffer): MetadataDocumentCheck {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    return { ok: false, reason: 'it is not valid JSON' }
  }
  const parsed = ClientMetadataDocument.safeParse(json)
  if (!parsed.success) {
    return {
      ok: false,
      reason: `it is not valid client metadata: ${z.prettifyError(parsed.error)}`,
    }
  }
  const document = parsed.data
  if (document.client_id !== clientId) {
    return {
      ok: false,
      reason: `its client_id (${document.client_id.slice(0, 200)}) is not exactly the URL it was fetched from`,
    }
  }
  for (const uri of document.redirect_uris) {
    const check = checkRedirectUri(uri)
    if (!check.ok) return { ok: false, reason: `redirect_uris: ${check.reason}` }
  }
  return { ok: true, document }
}

/**
 * How long a fetched document is used before it is fetched again: what its caching headers allow
 * (RFC 9111, as a private cache would read them; `no-store`/`no-cache` mean "as briefly as
 * possible"), kept between Tessera's bounds.
 */
export function metadataLifetimeMs(url: URL, headers: IncomingHttpHeaders): number {
  const policy = new CachePolicy(
    { url: url.pathname + url.search, method: 'GET', headers: { host: url.host } },
    { status: 200, headers: headers as CachePolicy.Headers },
    { shared: false },
  )
  // In whole seconds, as the headers give it (timeToLive subtracts the instant since parsing).
  const ttl = policy.storable() ? Math.round(policy.timeToLive() / 1000) * 1000 : 0
  return Math.min(METADATA_MAX_TTL_MS, Math.max(METADATA_MIN_TTL_MS, ttl))
}
