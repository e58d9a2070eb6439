import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'

/**
 * A self-signed certificate (its own CA) for the loopback addresses the test document servers
 * listen on, made with the openssl CLI: what a client publishing its metadata document has, and
 * what the server trusts only through NODE_EXTRA_CA_CERTS.
 */
export function documentCertificate(dir: string) {
  const certFile = join(dir, 'cimd-cert.pem')
  const keyFile = join(dir, 'cimd-key.pem')
  const names = [
    'DNS:localhost',
    ...Array.from({ length: 60 }, (_, i) => `IP:127.0.0.${i + 1}`),
  ].join(',')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=Tessera test MCP client',
      '-addext',
      `subjectAltName=${names}`,
    ],
    { stdio: 'ignore' },
  )
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) }
}

export type DocumentHandler = (req: IncomingMessage, res: ServerResponse, url: string) => void

/**
 * An HTTPS server on one loopback address of its own (127.0.0.N: each test its own host, so the
 * per-host fetch limit of one test never touches another), answering with `handler`. It records
 * every request path and every TCP connection, so a test can tell that nothing was fetched.
 */
export async function documentServer(
  address: string,
  certificate: { cert: Buffer; key: Buffer },
  handler: DocumentHandler,
) {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    requests.push(req.url ?? '')
    handler(req, res, `${origin}${req.url ?? ''}`)
  })
  server.on('connection', (socket: Socket) => {
    connections += 1
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // TLS refused by the fetching side: not an error here.
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  const { port } = server.address() as AddressInfo
  const origin = `https://${address}:${port}`
  return {
    origin,
    port,
    /** A URL on this server, for a fresh path each time. */
    url: (path = `/clients/${randomBytes(4).toString('hex')}.json`) => `${origin}${path}`,
    requests,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A valid metadata document for a client at `clientId` returning to `redirectUri`. */
export function metadataDocument(
  clientId: string,
  redirectUri: string,
  extra: Record<string, unknown> = {},
) {
  return {
    client_id: clientId,
    client_name: 'Browser MCP client',
    client_uri: 'https://client.example.test',
    logo_uri: 'https://client.example.test/logo.png',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  }
}

/**
 * An OAuthClientProvider that identifies itself by a metadata document URL, as hosts using Client
 * ID Metadata Documents do, and keeps the rest in memory.
 */
export class MetadataUrlProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined
  information: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ''
  readonly sentState = randomBytes(8).toString('hex')
  constructor(
    readonly clientMetadataUrl: string,
    readonly redirectUrl: string,
    readonly name: string,
  ) {}
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
  }
  state() {
    return this.sentState
  }
  clientInformation() {
    return this.information
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(authorizationUrl: URL) {
    this.authorizationUrl = authorizationUrl
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
}

/** A signed-in console session on a server reached over HTTP (not app.inject). */
export interface RemoteSession {
  headers: Record<string, string>
}

export async function remoteSignIn(
  base: string,
  email: string,
  password: string,
): Promise<RemoteSession> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  const cookie = /tessera_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]
  if (!cookie) throw new Error('no session cookie')
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  return { headers: { cookie: `tessera_session=${cookie}`, 'x-csrf-token': csrfToken } }
}

/** A JSON request with a session; answers the status and the parsed body. */
export async function remoteCall<T = Record<string, unknown>>(
  base: string,
  session: RemoteSession,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...session.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T }
}
