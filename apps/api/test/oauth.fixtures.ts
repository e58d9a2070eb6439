import { createHash, randomBytes } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { App } from '../src/app.js'
import type { OAuthRequest } from '../src/contract/index.js'
import type { Session } from './helper.js'

/** The origin app.inject requests reach (no TESSERA_PUBLIC_URL: the request's own). */
export const ORIGIN = 'http://localhost:80'
export const RESOURCE = `${ORIGIN}/api/v1/mcp`
export const REDIRECT_URI = 'http://127.0.0.1:33418/callback'

/** A PKCE pair (RFC 7636): a random verifier and its S256 challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  return { verifier, challenge }
}

export interface RegisteredClient {
  clientId: string
  redirectUri: string
}

/** Registers a public client (RFC 7591) as an MCP host would. */
export async function registerClient(
  app: App,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const res = await app.inject({
    method: 'POST',
    url: '/oauth/register',
    payload: {
      client_name: 'Test MCP host',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json() as { client_id: string; redirect_uris: string[] }
  return { clientId: body.client_id, redirectUri: body.redirect_uris[0] as string }
}

/** The authorization endpoint's URL for these parameters (undefined ones left out). */
export function authorizeUrl(params: Record<string, string | undefined>) {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) query.set(name, value)
  return `/oauth/authorize?${query}`
}

/** The usual authorization parameters for a client, with `overrides` applied. */
export function authorizeParams(
  client: RegisteredClient,
  challenge: string,
  overrides: Record<string, string | undefined> = {},
) {
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: `state-${randomBytes(4).toString('hex')}`,
    scope: 'read write',
    resource: RESOURCE,
    ...overrides,
  }
}

/** Where a redirect goes, parsed. */
export function locationOf(res: LightMyRequestResponse): URL {
  expect(res.statusCode, res.body).toBe(302)
  const location = res.headers.location
  if (typeof location !== 'string') throw new Error('no Location header')
  return new URL(location, ORIGIN)
}

/** Starts an authorization and answers the pending request's id from the consent page URL. */
export async function startAuthorization(app: App, params: Record<string, string | undefined>) {
  const res = await app.inject({ method: 'GET', url: authorizeUrl(params) })
  const location = locationOf(res)
  expect(location.pathname).toBe('/oauth/consent')
  const id = location.searchParams.get('request')
  if (!id) throw new Error('no request id')
  return id
}

/** What the consent page shows for a request. */
export async function describeRequest(app: App, session: Session, id: string) {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/oauth/requests/${encodeURIComponent(id)}`,
    headers: session.headers,
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as OAuthRequest
}

/** The user's decision on the consent page; answers the URL the browser is sent to. */
export async function decide(
  app: App,
  session: Session,
  id: string,
  body: Record<string, unknown> = { approve: true },
): Promise<URL> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/oauth/requests/${encodeURIComponent(id)}`,
    headers: session.headers,
    payload: body,
  })
  expect(res.statusCode, res.body).toBe(200)
  return new URL((res.json() as { redirectTo: string }).redirectTo)
}

/**
 * The browser part of a real client's flow against a listening server: it opens the authorization
 * URL, is sent on to the console's consent page, and the signed-in user approves there. Answers
 * the URL the browser is then sent to (the client's callback).
 */
export async function approveInConsole(
  app: App,
  session: Session,
  authorizationUrl: URL,
): Promise<URL> {
  const opened = await fetch(authorizationUrl, { redirect: 'manual' })
  const consent = new URL(opened.headers.get('location') ?? '', authorizationUrl.origin)
  expect(consent.pathname).toBe('/oauth/consent')
  return decide(app, session, consent.searchParams.get('request') ?? '')
}

/** A token endpoint request, form-encoded as RFC 6749 requires. */
export function tokenRequest(app: App, params: Record<string, string | undefined>) {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) form.set(name, value)
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form.toString(),
  })
}

export interface IssuedTokens {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  scope: string
}

/** Register, authorize, approve and exchange: a connected client's first tokens. */
export async function connectClient(
  app: App,
  session: Session,
  options: { decision?: Record<string, unknown>; client?: RegisteredClient } = {},
) {
  const client = options.client ?? (await registerClient(app))
  const { verifier, challenge } = pkce()
  const id = await startAuthorization(app, authorizeParams(client, challenge))
  const back = await decide(app, session, id, options.decision ?? { approve: true })
  const code = back.searchParams.get('code')
  if (!code) throw new Error(`no code: ${back}`)
  const res = await tokenRequest(app, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirectUri,
    client_id: client.clientId,
    code_verifier: verifier,
    resource: RESOURCE,
  })
  expect(res.statusCode, res.body).toBe(200)
  return { client, code, verifier, tokens: res.json() as IssuedTokens }
}

/** An OAuth error answer: status, `error`, and Tessera's `code` beside it. */
export function expectOAuthError(res: LightMyRequestResponse, status: number, error: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.json()).toMatchObject({ error, code: error })
  expect(typeof res.json().error_description).toBe('string')
}
