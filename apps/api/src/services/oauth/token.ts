import OAuth2Server from '@node-oauth/oauth2-server'
import { generateToken, tokenDisplayPrefix } from '@tessera/core'
import { and, eq, isNull } from 'drizzle-orm'
import type { Db, Executor } from '../../db/client.js'
import {
  apiTokens,
  oauthAuthorizations,
  oauthClients,
  oauthGrants,
  oauthRefreshTokens,
  users,
} from '../../db/schema/index.js'
import { randomSecret, sha256Hex } from '../../lib/secrets.js'
import { recordActivity } from '../activity/record.js'
import type { Actor } from '../context.js'
import { expiryFrom } from '../tokens/policy.js'
import { oauthDisabled, oauthError } from './errors.js'
import { clientStatus } from './find-client.js'
import { getOAuthSettings } from './get-settings.js'
import { ACCESS_TOKEN_LIFETIME_SECONDS, type OAuthUrls } from './protocol.js'
import { type MetadataFetching, resolveClient } from './resolve-client.js'
import { endGrant, grantActor } from './revoke-grant.js'

/** The user part the library hands back to saveToken: which grant to start or continue. */
type GrantUser =
  | { kind: 'code'; id: string; authorizationId: string; lifetimeDays: number | null }
  | { kind: 'refresh'; id: string; grantId: string; refreshTokenId: string }

interface TesseraClient extends OAuth2Server.Client {
  name: string
}

const GRANT_TYPES = ['authorization_code', 'refresh_token']

const userColumns = { id: users.id, email: users.email, name: users.name, role: users.role }

/** Refresh tokens are recognisable, and never accepted as access tokens (not `tsr_`). */
const newRefreshToken = () => `tsrf_${randomSecret()}`

/**
 * The model of @node-oauth/oauth2-server over Tessera's tables. The library parses and checks the
 * token request (grant type, client, PKCE, redirect URI, expiry, scope narrowing) and formats
 * the answer; the model stores codes, grants and refresh tokens hashed, and issues access tokens
 * as ordinary `tsr_` API tokens.
 */
function tokenModel(db: Db, urls: OAuthUrls, fetching: MetadataFetching) {
  const model = {
    async getClient(clientId: string) {
      // A metadata document client is fetched again once its stored copy is stale; one never
      // stored cannot hold a code or a refresh token, so nothing is fetched for it.
      const row = await resolveClient({ db, clientId, fetching, ip: null, unknown: 'null' })
      if (!row) return null
      const oauth = await getOAuthSettings(db)
      if (clientStatus(row, oauth) !== 'active') return null
      return {
        id: row.id,
        name: row.name,
        grants: GRANT_TYPES,
        redirectUris: row.redirectUris,
        accessTokenLifetime: ACCESS_TOKEN_LIFETIME_SECONDS,
      } satisfies TesseraClient
    },

    async getAuthorizationCode(code: string) {
      const [row] = await db
        .select()
        .from(oauthAuthorizations)
        .where(eq(oauthAuthorizations.codeHash, sha256Hex(code)))
      if (!row?.userId || !row.codeExpiresAt || !row.approvedScopes) return null
      if (row.codeUsedAt) {
        // RFC 6749 §4.1.2: a code used twice was stolen or replayed; what it gave is revoked.
        if (row.grantId)
          await db.transaction((tx) => endGrant(tx, row.grantId as string, 'code_reused', null))
        return null
      }
      if (row.resource !== urls.resource) return null
      return {
        authorizationCode: code,
        expiresAt: row.codeExpiresAt,
        redirectUri: row.redirectUri,
        scope: row.approvedScopes,
        client: { id: row.clientId, grants: [] },
        user: {
          kind: 'code',
          id: row.userId,
          authorizationId: row.id,
          lifetimeDays: row.grantLifetimeDays,
        } satisfies GrantUser,
        codeChallenge: row.codeChallenge,
        codeChallengeMethod: 'S256',
      }
    },

    async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode) {
      const user = code.user as GrantUser
      if (user.kind !== 'code') return false
      const used = await db
        .update(oauthAuthorizations)
        .set({ codeUsedAt: new Date() })
        .where(
          and(
            eq(oauthAuthorizations.id, user.authorizationId),
            isNull(oauthAuthorizations.codeUsedAt),
          ),
        )
        .returning({ id: oauthAuthorizations.id })
      return used.length === 1
    },

    async getRefreshToken(refreshToken: string) {
      const [row] = await db
        .select({
          refresh: oauthRefreshTokens,
          grant: oauthGrants,
          tokenRevokedAt: apiTokens.revokedAt,
          userDisabled: users.disabled,
        })
        .from(oauthRefreshTokens)
        .innerJoin(oauthGrants, eq(oauthGrants.id, oauthRefreshTokens.grantId))
        .innerJoin(apiTokens, eq(apiTokens.id, oauthGrants.tokenId))
        .innerJoin(users, eq(users.id, oauthGrants.userId))
        .where(eq(oauthRefreshTokens.secretHash, sha256Hex(refreshToken)))
      if (!row || row.grant.revokedAt || row.userDisabled) return null
      if (row.refresh.usedAt) {
        // Rotation means each refresh token is used once: a replay means two parties hold the
        // grant's tokens, so the whole grant ends (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2).
        await db.transaction((tx) => endGrant(tx, row.grant.id, 'refresh_token_reused', null))
        return null
      }
      if (row.tokenRevokedAt) {
        // The user revoked the access token from the token list: the app is disconnected.
        await db.transaction((tx) => endGrant(tx, row.grant.id, 'revoked', null))
        return null
      }
      return {
        refreshToken,
        refreshTokenExpiresAt: row.grant.expiresAt ?? undefined,
        scope: row.grant.scopes,
        client: { id: row.grant.clientId, grants: [] },
        user: {
          kind: 'refresh',
          id: row.grant.userId,
          grantId: row.grant.id,
          refreshTokenId: row.refresh.id,
        } satisfies GrantUser,
      }
    },

    async revokeToken(token: OAuth2Server.RefreshToken) {
      const user = token.user as GrantUser
      if (user.kind !== 'refresh') return false
      const used = await db
        .update(oauthRefreshTokens)
        .set({ usedAt: new Date() })
        .where(
          and(eq(oauthRefreshTokens.id, user.refreshTokenId), isNull(oauthRefreshTokens.usedAt)),
        )
        .returning({ id: oauthRefreshTokens.id })
      return used.length === 1
    },

    // Access tokens are judged by Tessera's own authentication (they are API tokens), never here.
    getAccessToken: async () => null,

    generateAccessToken: async () => generateToken(),
    generateRefreshToken: async () => newRefreshToken(),

    async saveToken(token: OAuth2Server.Token, client: OAuth2Server.Client, user: GrantUser) {
      const scopes = token.scope ?? []
      const accessTokenExpiresAt =
        token.accessTokenExpiresAt ?? new Date(Date.now() + ACCESS_TOKEN_LIFETIME_SECONDS * 1000)
      const refreshToken = token.refreshToken ?? newRefreshToken()
      const saved = await db.transaction(async (tx) =>
        user.kind === 'code'
          ? startGrant(tx, {
              user,
              client: client as TesseraClient,
              scopes,
              token,
              accessTokenExpiresAt,
              refreshToken,
            })
          : continueGrant(tx, { user, scopes, token, accessTokenExpiresAt, refreshToken }),
      )
      if (!saved) {
        throw new OAuth2Server.InvalidGrantError('Invalid grant: the grant has been revoked')
      }
      return {
        accessToken: token.accessToken,
        accessTokenExpiresAt,
        refreshToken,
        scope: scopes,
        client,
        user,
      }
    },
  }

  /** The first tokens of a grant: one API token row, the grant, its first refresh token. */
  async function startGrant(
    tx: Executor,
    args: {
      user: Extract<GrantUser, { kind: 'code' }>
      client: TesseraClient
      scopes: string[]
      token: OAuth2Server.Token
      accessTokenExpiresAt: Date
      refreshToken: string
    },
  ) {
    const [owner] = await tx
      .select({ ...userColumns, disabled: users.disabled })
      .from(users)
      .where(eq(users.id, args.user.id))
    if (!owner || owner.disabled) return false
    const now = new Date()
    const [apiToken] = await tx
      .insert(apiTokens)
      .values({
        userId: owner.id,
        name: `${args.client.name} (OAuth)`,
        secretHash: sha256Hex(args.token.accessToken),
        prefix: tokenDisplayPrefix(args.token.accessToken),
        scopes: args.scopes,
        createdAt: now,
        expiresAt: args.accessTokenExpiresAt,
      })
      .returning({ id: apiTokens.id, name: apiTokens.name })
    if (!apiToken) throw new Error('insert returned no row')
    const [grant] = await tx
      .insert(oauthGrants)
      .values({
        clientId: args.client.id,
        userId: owner.id,
        tokenId: apiToken.id,
        scopes: args.scopes,
        resource: urls.resource,
        createdAt: now,
        expiresAt: expiryFrom(now, args.user.lifetimeDays),
      })
      .returning({ id: oauthGrants.id, expiresAt: oauthGrants.expiresAt })
    if (!grant) throw new Error('insert returned no row')
    await tx
      .insert(oauthRefreshTokens)
      .values({ grantId: grant.id, secretHash: sha256Hex(args.refreshToken), createdAt: now })
    await tx
      .update(oauthAuthorizations)
      .set({ grantId: grant.id })
      .where(eq(oauthAuthorizations.id, args.user.authorizationId))
    const actor: Actor = grantActor(owner, apiToken.id, apiToken.name)
    await recordActivity(tx, actor, {
      action: 'oauth.connected',
      target: { type: 'oauth_grant', id: grant.id, label: args.client.name },
      changes: {
        scopes: { before: null, after: args.scopes },
        expiresAt: { before: null, after: grant.expiresAt?.toISOString() ?? null },
      },
    })
    return true
  }

  /** A refresh: the grant's API token gets a new secret; the used refresh token is replaced. */
  async function continueGrant(
    tx: Executor,
    args: {
      user: Extract<GrantUser, { kind: 'refresh' }>
      scopes: string[]
      token: OAuth2Server.Token
      accessTokenExpiresAt: Date
      refreshToken: string
    },
  ) {
    const [grant] = await tx
      .select()
      .from(oauthGrants)
      .where(and(eq(oauthGrants.id, args.user.grantId), isNull(oauthGrants.revokedAt)))
      .for('update')
    if (!grant) return false
    const now = new Date()
    const [apiToken] = await tx
      .update(apiTokens)
      .set({
        secretHash: sha256Hex(args.token.accessToken),
        prefix: tokenDisplayPrefix(args.token.accessToken),
        scopes: args.scopes,
        expiresAt: args.accessTokenExpiresAt,
      })
      .where(and(eq(apiTokens.id, grant.tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix })
    if (!apiToken) return false
    await tx
      .insert(oauthRefreshTokens)
      .values({ grantId: grant.id, secretHash: sha256Hex(args.refreshToken), createdAt: now })
    await tx.update(oauthGrants).set({ lastRefreshedAt: now }).where(eq(oauthGrants.id, grant.id))
    const [owner] = await tx.select(userColumns).from(users).where(eq(users.id, grant.userId))
    if (!owner) return false
    const [client] = await tx
      .select({ name: oauthClients.name })
      .from(oauthClients)
      .where(eq(oauthClients.id, grant.clientId))
    await recordActivity(tx, grantActor(owner, apiToken.id, apiToken.name), {
      action: 'oauth.refreshed',
      target: { type: 'oauth_grant', id: grant.id, label: client?.name ?? null },
      changes: { prefix: { before: null, after: apiToken.prefix } },
    })
    return true
  }

  return model
}

export interface TokenRequest {
  headers: Record<string, string | string[] | undefined>
  body: unknown
}

/**
 * The token endpoint (RFC 6749 §3.2): authorization_code with PKCE, and refresh_token with
 * rotation. Answers the token response, or throws an OAuth error (RFC 6749 §5.2).
 */
export async function exchangeToken({
  db,
  urls,
  request,
  fetching,
}: {
  db: Db
  urls: OAuthUrls
  request: TokenRequest
  fetching: MetadataFetching
}): Promise<Record<string, unknown>> {
  if (!(await getOAuthSettings(db)).enabled) throw oauthDisabled()
  const body = (request.body ?? {}) as Record<string, unknown>
  const resource = body.resource
  // RFC 8707 §2.2: tokens are only ever for this server's MCP endpoint.
  if (
    resource !== undefined &&
    (typeof resource !== 'string' || resource.replace(/\/$/, '') !== urls.resource)
  ) {
    throw oauthError(400, 'invalid_target', `This server issues tokens for ${urls.resource} only.`)
  }
  // The library also knows the password and client_credentials grants; Tessera offers neither.
  if (typeof body.grant_type === 'string' && !GRANT_TYPES.includes(body.grant_type)) {
    throw oauthError(
      400,
      'unsupported_grant_type',
      `grant_type ${body.grant_type} is not supported.`,
    )
  }
  const server = new OAuth2Server({
    model: tokenModel(db, urls, fetching),
    accessTokenLifetime: ACCESS_TOKEN_LIFETIME_SECONDS,
    // Unused: a grant's refresh tokens live as long as the user allowed (tokenModel).
    refreshTokenLifetime: 100 * 365 * 24 * 60 * 60,
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
    alwaysIssueNewRefreshToken: true,
  })
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value
  }
  const oauthRequest = new OAuth2Server.Request({ method: 'POST', headers, query: {}, body })
  const oauthResponse = new OAuth2Server.Response({ headers: {} })
  try {
    await server.token(oauthRequest, oauthResponse)
  } catch (error) {
    if (error instanceof OAuth2Server.ServerError || !(error instanceof OAuth2Server.OAuthError)) {
      throw (error as { inner?: unknown }).inner ?? error
    }
    throw oauthError(error.code, error.name, error.message)
  }
  return oauthResponse.body as Record<string, unknown>
}
