import type { Db } from '../../db/client.js'
import { type OAuthClientRow, oauthClients } from '../../db/schema/index.js'
import { type FetchFailure, fetchDocument, type Resolver } from '../../lib/fetch-document.js'
import { VERSION } from '../../version.js'
import { oauthError } from './errors.js'
import { findClient } from './find-client.js'
import { getOAuthSettings } from './get-settings.js'
import {
  checkClientIdUrl,
  checkMetadataDocument,
  isClientIdUrl,
  METADATA_DOCUMENT_MAX_BYTES,
  METADATA_DOCUMENT_TIMEOUT_MS,
  metadataLifetimeMs,
} from './metadata-document.js'

/** What fetching metadata documents needs from the server around it. */
export interface MetadataFetching {
  /** Counts a fetch from this host; throws 429 when the host has been fetched from too often. */
  limit(host: string): Promise<void>
  /** Name resolution; the OS resolver unless given. */
  resolve?: Resolver
}

/**
 * The client behind a `client_id`. A registered client (`tsc_...`) is looked up. A metadata
 * document URL is checked, then served from its stored copy while that is fresh; otherwise the
 * document is fetched (SSRF defences in fetchDocument, a rate limit per host), judged, and stored
 * as the client, new or updated, so that admins see it and block or approve it like any other.
 * A blocked client is answered without fetching anything. `unknown: 'null'` answers null for a
 * document URL seen for the first time instead of fetching it: codes and refresh tokens exist only
 * for clients that were stored when they asked to connect.
 * Errors are OAuth `invalid_client` answers (400) saying what was wrong with the document.
 */
export async function resolveClient({
  db,
  clientId,
  fetching,
  ip,
  unknown = 'fetch',
  now = new Date(),
}: {
  db: Db
  clientId: string
  fetching: MetadataFetching
  ip: string | null
  unknown?: 'fetch' | 'null'
  now?: Date
}): Promise<OAuthClientRow | null> {
  if (!isClientIdUrl(clientId)) return findClient(db, clientId)
  const check = checkClientIdUrl(clientId)
  // Not echoed back: a malformed URL may carry credentials.
  if (!check.ok) throw invalidClient(`client_id is not a usable client ID URL: ${check.reason}.`)
  const stored = await findClient(db, clientId)
  if (stored?.blockedAt) return stored
  if (stored?.metadataExpiresAt && stored.metadataExpiresAt > now) return stored
  if (!stored && unknown === 'null') return null

  const settings = await getOAuthSettings(db)
  const url = check.url
  await fetching.limit(url.hostname.toLowerCase())
  const fetched = await fetchDocument(url, {
    allowPrivate: settings.clientMetadataFromPrivateAddresses,
    maxBytes: METADATA_DOCUMENT_MAX_BYTES,
    timeoutMs: METADATA_DOCUMENT_TIMEOUT_MS,
    headers: {
      accept: 'application/json',
      'user-agent': `Tessera/${VERSION} (OAuth client metadata)`,
    },
    resolve: fetching.resolve,
  })
  // Failures and invalid documents are never stored (draft §4.3): the next request tries again.
  if (!fetched.ok) throw fetchFailed(clientId, fetched.failure)
  const judged = checkMetadataDocument(clientId, fetched.body)
  if (!judged.ok) {
    throw invalidClient(
      `The client metadata document at ${clip(clientId)} was refused: ${judged.reason}.`,
    )
  }
  const document = judged.document
  const fetchedAt = new Date()
  const values = {
    name: document.client_name ?? url.host,
    redirectUris: [...new Set(document.redirect_uris)],
    clientUri: document.client_uri ?? null,
    softwareId: document.software_id ?? null,
    softwareVersion: document.software_version ?? null,
    scope: document.scope ?? null,
    metadataFetchedAt: fetchedAt,
    metadataExpiresAt: new Date(fetchedAt.getTime() + metadataLifetimeMs(url, fetched.headers)),
  }
  // Two requests may fetch a new client at once: one inserts, the other updates the same row.
  // Approval and blocking are the admins' and stay as they are.
  const [row] = await db
    .insert(oauthClients)
    .values({ clientId, registrationType: 'metadata_document', registeredIp: ip, ...values })
    .onConflictDoUpdate({ target: oauthClients.clientId, set: values })
    .returning()
  if (!row) throw new Error('upsert returned no row')
  return row
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}...` : text)

const invalidClient = (description: string, hint?: string) =>
  oauthError(400, 'invalid_client', description, hint ? { hint } : {})

function fetchFailed(clientId: string, failure: FetchFailure) {
  const where = `The client metadata document at ${clip(clientId)}`
  switch (failure.code) {
    case 'not_https':
      return invalidClient(`${where} must be fetched over https.`)
    case 'address_refused':
      return failure.verdict.reason === 'private'
        ? invalidClient(
            `${where} is on a private or loopback address, which this server does not fetch from.`,
            'An administrator can allow private addresses under OAuth apps, for clients on the same network as the server.',
          )
        : invalidClient(
            `${where} is on a special-use address (${failure.verdict.range}), which this server never fetches from.`,
          )
    case 'dns_failed':
      return invalidClient(`${where} could not be fetched: its host name does not resolve.`)
    case 'connect_failed':
      return invalidClient(`${where} could not be fetched: connecting failed (${failure.detail}).`)
    case 'tls_failed':
      return invalidClient(
        `${where} could not be fetched: its TLS certificate was not accepted (${failure.detail}).`,
      )
    case 'timeout':
      return invalidClient(
        `${where} did not arrive within ${METADATA_DOCUMENT_TIMEOUT_MS / 1000} seconds.`,
      )
    case 'too_large':
      return invalidClient(
        `${where} is larger than ${METADATA_DOCUMENT_MAX_BYTES / 1024} KB, the most this server reads.`,
      )
    case 'redirect':
      return invalidClient(
        `${where} answered with a redirect (HTTP ${failure.status}); documents must be served at their client_id URL itself, redirects are not followed.`,
      )
    case 'http_status':
      return invalidClient(`${where} answered HTTP ${failure.status} instead of 200.`)
  }
}
