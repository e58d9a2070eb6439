import { isIP } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { LoginBody, LoginResponse, Problem, SetupBody, SetupStatus } from '../../contract/index.js'
import type { UserRow } from '../../db/schema/index.js'
import { AppError, conflict, forbidden } from '../../lib/errors.js'
import { csrfTokenFor } from '../../lib/secrets.js'
import { SESSION_COOKIE } from '../../plugins/auth.js'
import { createSession, endSession, SESSION_TTL_MS } from '../../services/sessions/sessions.js'
import { clearSetupCode, isSetupCode } from '../../services/setup/code.js'
import { createUserAsSystem } from '../../services/users/create.js'
import { findUserByEmail } from '../../services/users/find.js'
import { countUsers } from '../../services/users/list.js'
import { verifyPassword } from '../../services/users/password.js'
import { presentUser } from '../../services/users/present.js'
import { NoContent } from '../schemas.js'

export interface AuthRoutesOptions {
  secureCookies: boolean
}

const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, opts) => {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: opts.secureCookies,
  }

  /**
   * Opens a console session: the cookie carries the secret, the body the CSRF token. The address
   * and browser are kept so the account's session list can tell its sessions apart.
   */
  async function startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    user: Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'passwordChangeRequired'>,
  ) {
    const session = await createSession(app.db, user.id, {
      ip: isIP(request.ip) ? request.ip : null,
      userAgent: request.headers['user-agent'] ?? null,
    })
    reply.setCookie(SESSION_COOKIE, session.secret, {
      ...cookieOptions,
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    })
    return {
      user: presentUser(user),
      csrfToken: csrfTokenFor(session.secret),
      passwordChangeRequired: user.passwordChangeRequired,
    }
  }

  app.post(
    '/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the console',
        body: LoginBody,
        response: { 200: LoginResponse, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (request, reply) => {
      app.assertSameOrigin(request)
      const { email, password } = request.body
      await app.failureLimits.assertSignInAllowed(request, email)
      const user = await findUserByEmail(app.db, email)
      const valid = await verifyPassword(user?.passwordHash, password)
      if (!user || !valid) {
        await app.failureLimits.wrongPassword(request, email)
        throw new AppError(401, 'invalid_credentials', 'Wrong email or password.')
      }
      await app.failureLimits.signedIn(request, email)
      if (user.disabled) {
        throw forbidden(
          'user_disabled',
          'This account is disabled.',
          'Ask an administrator to enable it.',
        )
      }
      return startSession(request, reply, user)
    },
  )

  app.get(
    '/setup',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Whether the first admin still has to be created',
        response: { 200: SetupStatus },
      },
    },
    async () => ({ needsSetup: (await countUsers(app.db)) === 0 }),
  )

  app.post(
    '/setup',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Create the first admin account (only while there are no users) and sign in',
        body: SetupBody,
        response: { 200: LoginResponse, 400: Problem, 403: Problem, 409: Problem },
      },
    },
    async (request, reply) => {
      app.assertSameOrigin(request)
      const setupDone = () =>
        conflict('setup_done', 'This server already has users; sign in instead.')
      if ((await countUsers(app.db)) > 0) throw setupDone()
      const { setupCode, ...account } = request.body
      if (!(await isSetupCode(app.db, setupCode))) {
        await app.failureLimits.unknownCredential(request, `setup:${setupCode}`)
        throw forbidden(
          'setup_code_invalid',
          'The setup code is wrong.',
          'Use the setup code printed in the server output when Tessera started (restarting prints a new one).',
        )
      }
      const user = await createUserAsSystem(
        app.db,
        { ...account, role: 'admin' },
        { via: 'web', onlyIfEmpty: true },
      )
      if (!user) throw setupDone()
      await clearSetupCode(app.db)
      return startSession(request, reply, user)
    },
  )

  app.post(
    '/auth/logout',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out (ends the session)',
        response: { 204: NoContent, 403: Problem },
      },
    },
    async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE]
      if (secret) {
        // Signing out changes state: same origin and CSRF rules as every other cookie request,
        // so another site cannot sign people out.
        app.assertSessionWrite(request, secret)
        await endSession(app.db, secret)
      }
      reply.clearCookie(SESSION_COOKIE, cookieOptions)
      return reply.status(204).send(null)
    },
  )
}

export default authRoutes
