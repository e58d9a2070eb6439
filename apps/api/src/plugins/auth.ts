import { isIP } from 'node:net'
import {
  type AuthFailureCode,
  hasScope,
  judgeToken,
  parseAuthorizationHeader,
  type Scope,
  toAuthFailureCode,
} from '@tessera/core'
import { and, eq, gt, sql } from 'drizzle-orm'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Permission, Via } from '../contract/index.js'
import type { ApiTokenRow, UserRow } from '../db/schema/index.js'
import { sessions, settings, users } from '../db/schema/index.js'
import { BatchLoader } from '../lib/batch-loader.js'
import { isConsoleNavigation } from '../lib/console-navigation.js'
import { AppError, forbidden, permissionDenied, unauthorized } from '../lib/errors.js'
import { ADMIN_PERMISSIONS, permissionsFor, tokenPermissionsFor } from '../lib/permissions.js'
import { csrfTokenFor, safeEqual, sha256Hex } from '../lib/secrets.js'
import type { Actor, ServiceContext } from '../services/context.js'
import { LastSeenRecorder } from '../services/sessions/last-seen.js'
import { LastUsedRecorder } from '../services/tokens/last-used.js'
import { TokenLookup } from '../services/tokens/lookup.js'
import { clientFromUserAgent } from '../services/tokens/usage-client.js'

export const SESSION_COOKIE = 'tessera_session'

export interface AuthContext {
  user: Pick<UserRow, 'id' | 'email' | 'name' | 'role'>
  permissions: Permission[]
  method: 'session' | 'token'
  token: Pick<ApiTokenRow, 'id' | 'name' | 'prefix' | 'scopes' | 'expiresAt' | 'lastUsedAt'> | null
  /** The session cookie's value, kept to check CSRF tokens; never logged. */
  sessionSecret: string | null
  /** Console sessions: the session's row id (not its secret), for the account's session list. */
  sessionId?: string
  /** Console sessions: an administrator requires a new password before anything else. */
  passwordChangeRequired?: boolean
}

/** How a route is protected; set in the route's `config`. */
export interface RouteAuthConfig {
  /**
   * `public` routes skip authentication (default: a signed-in user or a token is required);
   * `optional` ones need none but judge a token that is sent anyway, so its refusal is told.
   */
  auth?: 'public' | 'optional' | 'required'
  permission?: Permission
  /** Scope a token needs; defaults to `read` for GET/HEAD and `write` otherwise. */
  scope?: Scope
  /** Only a console session may call this (e.g. creating tokens). */
  sessionOnly?: boolean
  /** Only a token may call this (e.g. `/tokens/self`). */
  tokenOnly?: boolean
  /** Recorded as `via` for token requests (`mcp` for the MCP endpoint). */
  via?: Via
  /**
   * A session whose user must choose a new password may still call this (who am I, change the
   * password); every other session route answers 403 `password_change_required`.
   */
  allowedBeforePasswordChange?: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null
  }
  interface FastifyContextConfig extends RouteAuthConfig {}
  interface FastifyInstance {
    lastUsed: LastUsedRecorder
    sessionLastSeen: LastSeenRecorder
  }
}

export interface AuthPluginOptions {
  lastUsedFlushMs?: number
  /** Origins allowed to send cookie-authenticated requests besides the server's own. */
  allowedOrigins?: string[]
  publicUrl?: string | undefined
}

/** What services need for a request: the database and who is acting. */
export function serviceContext(request: FastifyRequest): ServiceContext {
  return { db: request.server.db, actor: actorOf(request) }
}

/** The acting user for services, from a request's authentication. */
export function actorOf(request: FastifyRequest): Actor {
  const auth = request.auth
  if (!auth) throw unauthorized('token_missing')
  const via: Via = auth.method === 'session' ? 'web' : (request.routeOptions.config.via ?? 'api')
  return {
    user: auth.user,
    via,
    token: auth.token
      ? {
          id: auth.token.id,
          name: auth.token.name,
          scopes: auth.token.scopes,
          expiresAt: auth.token.expiresAt?.toISOString() ?? null,
        }
      : null,
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Failures that mean "no such credential here", as opposed to a known one that is refused. */
const UNKNOWN_CREDENTIAL = new Set<AuthFailureCode | 'session_invalid'>([
  'invalid_scheme',
  'token_malformed',
  'token_invalid',
  'session_invalid',
])

/**
 * The Authorization header as sent. Node keeps only the first of duplicated Authorization headers;
 * several are ambiguous (a proxy may have read another one), so all of them go to the parser,
 * which refuses them.
 */
function authorizationHeader(request: FastifyRequest): string | string[] | undefined {
  const raw = request.raw.rawHeaders
  const values: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'authorization') values.push(raw[i + 1] ?? '')
  }
  return values.length > 1 ? values : request.headers.authorization
}

export default fp<AuthPluginOptions>(
  async (app, opts) => {
    const recorder = new LastUsedRecorder(
      app.db,
      (error) => app.log.error({ err: error }, 'could not record token last use'),
      opts.lastUsedFlushMs ?? 5_000,
    )
    app.decorate('lastUsed', recorder)
    // After the last request has finished (onClose runs before the database plugin's, which closes it).
    app.addHook('onClose', async () => recorder.close())

    const authUserColumns = {
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: users.disabled,
    }

    // Lookups arriving together share one query, on the connection that keeps its generic plan.
    const tokens = new TokenLookup(app.database)
    const tokenLoader = new BatchLoader((hashes: string[]) => tokens.find(hashes))

    const sessionLastSeen = new LastSeenRecorder(
      app.db,
      (error) => app.log.error({ err: error }, 'could not record session last seen'),
      opts.lastUsedFlushMs ?? 5_000,
    )
    app.decorate('sessionLastSeen', sessionLastSeen)
    app.addHook('onClose', async () => sessionLastSeen.close())

    const sessionQuery = app.db
      .select({
        user: authUserColumns,
        session: { id: sessions.id, lastSeenAt: sessions.lastSeenAt },
        passwordChangeRequired: users.passwordChangeRequired,
        membersCanManageTokens: settings.membersCanManageTokens,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(settings, eq(settings.id, 1))
      .where(
        and(eq(sessions.secretHash, sql.placeholder('hash')), gt(sessions.expiresAt, sql`now()`)),
      )
      .limit(1)
      .prepare('tessera_auth_session')

    /**
     * Refuses the request. Unknown credentials (malformed, mistyped, made up, replaced by a
     * rotation, an ended session) count against the client's address; a known token that was
     * revoked or expired, or whose user is disabled, is told so every time without counting.
     */
    async function fail(
      request: FastifyRequest,
      code: AuthFailureCode | 'session_invalid',
      credential: string,
    ): Promise<never> {
      if (UNKNOWN_CREDENTIAL.has(code)) {
        await app.failureLimits.unknownCredential(request, credential)
      }
      throw unauthorized(code)
    }

    async function authenticateToken(
      request: FastifyRequest,
      header: string | string[] | undefined,
    ) {
      const parsed = parseAuthorizationHeader(header)
      const credential = Array.isArray(header) ? header.join('\n') : (header ?? '')
      if (!parsed.ok) return fail(request, toAuthFailureCode(parsed.code), credential)
      // Node's synchronous SHA-256: same digest as core's hashToken, without a WebCrypto job.
      const row = await tokenLoader.load(sha256Hex(parsed.token))
      if (!row) return fail(request, 'token_invalid', credential)
      const verdict = judgeToken({
        expiresAt: row.token.expiresAt,
        revokedAt: row.token.revokedAt,
        userDisabled: row.user.disabled,
      })
      if (!verdict.ok) return fail(request, verdict.code, credential)
      // MCP names its client in the body of `initialize`: routes/mcp counts those requests.
      if (request.routeOptions.config.via !== 'mcp') {
        const ip = isIP(request.ip) ? request.ip : null
        recorder.touch(row.token, ip, clientFromUserAgent(request.headers['user-agent']))
      }
      const policy = { membersCanManageTokens: row.membersCanManageTokens ?? true }
      request.auth = {
        user: row.user,
        permissions: tokenPermissionsFor(row.user.role, policy),
        method: 'token',
        token: row.token,
        sessionSecret: null,
      }
    }

    async function authenticateSession(request: FastifyRequest, secret: string) {
      const [row] = await sessionQuery.execute({ hash: sha256Hex(secret) })
      if (!row) return fail(request, 'session_invalid', secret)
      if (row.user.disabled) return fail(request, 'user_disabled', secret)
      sessionLastSeen.touch(row.session)
      const policy = { membersCanManageTokens: row.membersCanManageTokens ?? true }
      request.auth = {
        user: row.user,
        permissions: permissionsFor(row.user.role, policy),
        method: 'session',
        token: null,
        sessionSecret: secret,
        sessionId: row.session.id,
        passwordChangeRequired: row.passwordChangeRequired,
      }
    }

    const ownOrigins = new Set(opts.allowedOrigins ?? [])
    if (opts.publicUrl) ownOrigins.add(new URL(opts.publicUrl).origin)

    /** Cookie requests from a page on another origin are refused outright. */
    function assertSameOrigin(request: FastifyRequest) {
      const origin = request.headers.origin
      if (!origin) return
      const host = request.headers.host
      if (ownOrigins.has(origin)) return
      if (host && (origin === `http://${host}` || origin === `https://${host}`)) return
      throw forbidden('origin_not_allowed', 'Requests from this origin are not allowed.')
    }

    app.decorateRequest('auth', null)
    /** A cookie request that changes state: same origin, and the session's own CSRF token. */
    function assertSessionWrite(request: FastifyRequest, sessionSecret: string) {
      assertSameOrigin(request)
      const sent = request.headers['x-csrf-token']
      if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(sessionSecret))) {
        throw forbidden(
          'csrf_invalid',
          'Missing or wrong X-CSRF-Token header.',
          'Reload the console and try again.',
        )
      }
    }

    app.decorate('assertSameOrigin', assertSameOrigin)
    app.decorate('assertSessionWrite', assertSessionWrite)

    app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
      const config = request.routeOptions.config
      const url = request.routeOptions.url
      if (url === undefined) {
        // No route here. A token sent anyway is still judged, so a client that follows a refusal
        // to OAuth discovery paths (MCP clients do) hears why its token was refused, not "404".
        const header = authorizationHeader(request)
        if (header !== undefined && !isConsoleNavigation(request)) {
          await authenticateToken(request, header)
        }
        return
      }
      if (config.auth === 'optional') {
        const header = authorizationHeader(request)
        if (header !== undefined) await authenticateToken(request, header)
        return
      }
      // Everything under /api/v1 needs authentication unless it opts out; the console's static
      // files and the docs are public.
      if (!url.startsWith('/api/v1') || config.auth === 'public') return

      const header = authorizationHeader(request)
      const cookie = request.cookies[SESSION_COOKIE]
      if (header !== undefined) {
        await authenticateToken(request, header)
      } else if (cookie) {
        await authenticateSession(request, cookie)
      } else {
        throw unauthorized('token_missing')
      }
      const auth = request.auth as AuthContext | null
      if (!auth) throw unauthorized('token_missing')

      if (auth.method === 'token') {
        if (
          config.permission &&
          ADMIN_PERMISSIONS.has(config.permission) &&
          auth.user.role === 'admin'
        ) {
          throw forbidden(
            'session_required',
            'Administration needs a signed-in console session; API tokens cannot do it.',
            'Sign in to the Tessera console as an administrator.',
          )
        }
        if (config.sessionOnly) {
          throw forbidden(
            'session_required',
            'This action needs a signed-in console session; API tokens cannot do it.',
            'Sign in to the Tessera console to manage tokens.',
          )
        }
        const scope = config.scope ?? (SAFE_METHODS.has(request.method) ? 'read' : 'write')
        if (!hasScope(auth.token?.scopes ?? [], scope)) {
          // RFC 6750 §3.1: the challenge names the scope, so OAuth clients can ask for it.
          throw new AppError(
            403,
            'insufficient_scope',
            `This token lacks the "${scope}" scope needed here.`,
            {
              hint: 'Create a token with write access for changes.',
              headers: {
                'www-authenticate': `Bearer realm="tessera", error="insufficient_scope", scope="${scope}"`,
              },
            },
          )
        }
      } else {
        if (config.tokenOnly) {
          throw forbidden(
            'token_required',
            'This route describes the API token used for the request.',
          )
        }
        if (!SAFE_METHODS.has(request.method)) assertSessionWrite(request, auth.sessionSecret ?? '')
        if (auth.passwordChangeRequired && !config.allowedBeforePasswordChange) {
          throw forbidden(
            'password_change_required',
            'An administrator requires you to choose a new password before you continue.',
            'Change your password with PUT /api/v1/me/password (the console asks for it after sign-in).',
          )
        }
      }
      if (config.permission && !auth.permissions.includes(config.permission)) {
        throw permissionDenied(config.permission)
      }
    })
  },
  { name: 'auth', dependencies: ['db', '@fastify/cookie', 'failure-limits'] },
)

declare module 'fastify' {
  interface FastifyInstance {
    assertSameOrigin(request: FastifyRequest): void
    assertSessionWrite(request: FastifyRequest, sessionSecret: string): void
  }
}
