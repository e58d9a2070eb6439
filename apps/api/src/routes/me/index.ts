import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import {
  ChangePasswordBody,
  ChangePasswordResponse,
  ConsoleSessionList,
  MeResponse,
  Problem,
  SessionsEnded,
} from '../../contract/index.js'
import { AppError } from '../../lib/errors.js'
import { csrfTokenFor } from '../../lib/secrets.js'
import { SESSION_COOKIE, serviceContext } from '../../plugins/auth.js'
import { endOtherSessions, endSession } from '../../services/sessions/end.js'
import { listSessions } from '../../services/sessions/list.js'
import { changePassword } from '../../services/users/change-password.js'
import { presentUser } from '../../services/users/present.js'
import { authErrors, IdParams, NoContent } from '../schemas.js'

const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      // The console asks who is signed in before it shows the password change form.
      config: { allowedBeforePasswordChange: true },
      schema: {
        tags: ['account'],
        summary: 'Who is calling: user, permissions and how they authenticated',
        response: { 200: MeResponse, ...authErrors },
      },
    },
    async (request) => {
      // biome-ignore lint/style/noNonNullAssertion: the auth hook guarantees it on this route
      const auth = request.auth!
      return {
        user: presentUser(auth.user),
        permissions: auth.permissions,
        auth: auth.token
          ? {
              method: 'token' as const,
              token: {
                id: auth.token.id,
                name: auth.token.name,
                prefix: auth.token.prefix,
                scopes: auth.token.scopes,
                expiresAt: auth.token.expiresAt?.toISOString() ?? null,
              },
            }
          : {
              method: 'session' as const,
              csrfToken: csrfTokenFor(auth.sessionSecret ?? ''),
              passwordChangeRequired: auth.passwordChangeRequired ?? false,
            },
      }
    },
  )

  /** The current session's row id; these routes are session-only, so there always is one. */
  const currentSessionId = (request: { auth: { sessionId?: string } | null }) =>
    request.auth?.sessionId ?? ''

  app.put(
    '/me/password',
    {
      // A token cannot change a password: whoever holds one has not proven they know it.
      config: { sessionOnly: true, allowedBeforePasswordChange: true },
      schema: {
        tags: ['account'],
        summary: 'Change your password; your other console sessions end',
        description:
          'Needs the current password; wrong ones count against the same limit as wrong passwords at sign-in. The session making the change stays signed in. API tokens keep working.',
        body: ChangePasswordBody,
        response: { 200: ChangePasswordResponse, 400: Problem, ...authErrors },
      },
    },
    async (request) => {
      const email = request.auth?.user.email ?? ''
      await app.failureLimits.assertSignInAllowed(request, email)
      const result = await changePassword({
        ctx: serviceContext(request),
        input: { ...request.body, keepSessionId: currentSessionId(request) },
      })
      if (!result.ok) {
        await app.failureLimits.wrongPassword(request, email)
        throw new AppError(403, result.code, 'The current password is wrong.', {
          hint: 'Type your current password again; it is the one you signed in with.',
        })
      }
      await app.failureLimits.signedIn(request, email)
      return { sessionsEnded: result.sessionsEnded }
    },
  )

  app.get(
    '/me/sessions',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['account'],
        summary: 'Your console sessions: browser, address, signed in, last seen',
        response: { 200: ConsoleSessionList, ...authErrors },
      },
    },
    async (request) => ({
      sessions: await listSessions({
        ctx: serviceContext(request),
        input: { currentSessionId: currentSessionId(request) },
      }),
    }),
  )

  app.delete(
    '/me/sessions',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['account'],
        summary: 'Sign out every other console session of yours',
        response: { 200: SessionsEnded, ...authErrors },
      },
    },
    async (request) => ({
      sessionsEnded: await endOtherSessions({
        ctx: serviceContext(request),
        input: { keepSessionId: currentSessionId(request) },
      }),
    }),
  )

  app.delete(
    '/me/sessions/:id',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['account'],
        summary: 'Sign out one of your console sessions (your current one signs you out)',
        params: IdParams,
        response: { 204: NoContent, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      await endSession({ ctx: serviceContext(request), input: { id: request.params.id } })
      if (request.params.id === currentSessionId(request)) {
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
      }
      return reply.status(204).send(null)
    },
  )
}

export default meRoutes
