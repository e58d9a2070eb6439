import { isIP } from 'node:net'
import fastifyFormbody from '@fastify/formbody'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { Problem } from '../../contract/index.js'
import { routeNotFound } from '../../lib/error-handler.js'
import { AppError } from '../../lib/errors.js'
import { oauthError } from '../../services/oauth/errors.js'
import { getOAuthSettings } from '../../services/oauth/get-settings.js'
import {
  AuthorizationQuery,
  AuthorizationServerMetadata,
  ClientRegistrationRequest,
  ClientRegistrationResponse,
  OAuthErrorBody,
  ProtectedResourceMetadata,
  SCOPES_SUPPORTED,
} from '../../services/oauth/protocol.js'
import { registerClient } from '../../services/oauth/register.js'
import type { MetadataFetching } from '../../services/oauth/resolve-client.js'
import { revokeOAuthToken } from '../../services/oauth/revoke-token.js'
import { startAuthorization } from '../../services/oauth/start.js'
import { exchangeToken } from '../../services/oauth/token.js'

const tags = ['oauth']
/** OAuth errors carry `error` and `error_description`; other refusals (host, limits) do not. */
const OAuthError = Problem.extend(OAuthErrorBody.partial().shape)
const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' }

/**
 * The OAuth 2.1 authorization server and protected-resource metadata that MCP clients discover
 * after a 401 from /api/v1/mcp (MCP authorization, revision 2025-11-25). All public, as the
 * protocol requires; the consent itself is a console page backed by /api/v1/oauth/requests.
 */
const oauthRoutes: FastifyPluginAsyncZod = async (app) => {
  // Token and revocation requests are form-encoded (RFC 6749 §4.1.3); only these routes parse it.
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 })
  // Client metadata documents are fetched at most so often per host, whoever names them.
  const fetching: MetadataFetching = {
    limit: (host) => app.failureLimits.clientMetadataFetch(host),
  }

  for (const url of [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/api/v1/mcp',
  ]) {
    app.get(
      url,
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Protected Resource Metadata for the MCP endpoint (RFC 9728)',
          response: { 200: ProtectedResourceMetadata, 404: Problem },
        },
      },
      async (request, reply) => {
        if (!(await getOAuthSettings(app.db)).enabled) return routeNotFound(request, reply)
        const urls = app.oauthUrls(request)
        return {
          resource: urls.resource,
          authorization_servers: [urls.issuer],
          scopes_supported: [...SCOPES_SUPPORTED],
          bearer_methods_supported: ['header'],
          resource_name: 'Tessera',
        }
      },
    )
  }

  app.get(
    '/.well-known/oauth-authorization-server',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Authorization Server Metadata (RFC 8414)',
        response: { 200: AuthorizationServerMetadata, 404: Problem },
      },
    },
    async (request, reply) => {
      if (!(await getOAuthSettings(app.db)).enabled) return routeNotFound(request, reply)
      const urls = app.oauthUrls(request)
      return {
        issuer: urls.issuer,
        authorization_endpoint: urls.authorization,
        token_endpoint: urls.token,
        registration_endpoint: urls.registration,
        revocation_endpoint: urls.revocation,
        scopes_supported: [...SCOPES_SUPPORTED],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        revocation_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
        client_id_metadata_document_supported: true,
      }
    },
  )

  app.post(
    '/oauth/register',
    {
      // A token sent along (mcp-remote sends its --header everywhere) is judged: a client whose
      // token was revoked is told so here, instead of being led into a sign-in.
      config: { auth: 'optional' },
      schema: {
        tags,
        summary: 'Register a public client (RFC 7591 Dynamic Client Registration)',
        response: {
          201: ClientRegistrationResponse,
          400: OAuthError,
          403: OAuthError,
          429: Problem,
        },
      },
    },
    async (request, reply) => {
      await app.failureLimits.clientRegistration(request)
      const parsed = ClientRegistrationRequest.safeParse(request.body)
      if (!parsed.success) {
        throw oauthError(400, 'invalid_client_metadata', z.prettifyError(parsed.error))
      }
      const client = await registerClient({
        db: app.db,
        input: parsed.data,
        ip: isIP(request.ip) ? request.ip : null,
      })
      return reply.status(201).headers(noStore).send(client)
    },
  )

  app.get(
    '/oauth/authorize',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Start an authorization (code + PKCE S256); redirects to the consent page',
        description:
          'client_id is a registered client id, or the HTTPS URL of a Client ID Metadata Document, which is fetched (https only, public addresses only unless an admin allows private ones, 5 KB, 5 s, no redirects) and cached.',
        querystring: AuthorizationQuery,
        response: { 400: OAuthError, 403: OAuthError, 429: OAuthError },
      },
    },
    async (request, reply) => {
      // Each request is stored until answered: a flood from one address is cut off.
      await app.failureLimits.authorizationRequest(request)
      const { location } = await startAuthorization({
        db: app.db,
        query: request.query,
        urls: app.oauthUrls(request),
        fetching,
        ip: isIP(request.ip) ? request.ip : null,
      })
      return reply.headers(noStore).redirect(location, 302)
    },
  )

  app.post(
    '/oauth/token',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Exchange an authorization code, or a refresh token, for tokens',
        response: {
          200: z.record(z.string(), z.unknown()),
          400: OAuthError,
          401: OAuthError,
          429: OAuthError,
        },
      },
    },
    async (request, reply) => {
      reply.headers(noStore)
      try {
        return await exchangeToken({
          db: app.db,
          urls: app.oauthUrls(request),
          request: { headers: request.headers, body: request.body },
          fetching,
        })
      } catch (error) {
        // Codes and refresh tokens are secrets: unknown ones count as guesses, as tokens do.
        if (error instanceof AppError && error.code === 'invalid_grant') {
          const body = (request.body ?? {}) as Record<string, unknown>
          const guessed = body.code ?? body.refresh_token
          if (typeof guessed === 'string')
            await app.failureLimits.unknownCredential(request, guessed)
        }
        throw error
      }
    },
  )

  app.post(
    '/oauth/revoke',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Revoke an access or refresh token (RFC 7009); ends the grant',
        response: { 200: z.object({}), 400: OAuthError },
      },
    },
    async (request, reply) => {
      await revokeOAuthToken({ db: app.db, input: (request.body ?? {}) as Record<string, unknown> })
      return reply.status(200).headers(noStore).send({})
    },
  )
}

export default oauthRoutes
