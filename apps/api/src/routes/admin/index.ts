import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  AdminTokenDetail,
  AdminTokenList,
  AdminTokenSort,
  CreateUserBody,
  Problem,
  RequirePasswordChangeResponse,
  Settings,
  TokenStatus,
  UpdateUserBody,
  UserList,
  UserResponse,
} from '../../contract/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { actorOf, serviceContext } from '../../plugins/auth.js'
import { getSettings } from '../../services/settings/get.js'
import { updateSettings } from '../../services/settings/update.js'
import { getToken } from '../../services/tokens/get.js'
import { listAllTokens } from '../../services/tokens/list.js'
import { revokeToken } from '../../services/tokens/revoke.js'
import { createUser } from '../../services/users/create.js'
import { listUsers } from '../../services/users/list.js'
import { presentAdminUser } from '../../services/users/present.js'
import { requirePasswordChange } from '../../services/users/require-password-change.js'
import { updateUser } from '../../services/users/update.js'
import { accessOf } from '../../services/workspace/access.js'
import { authErrors, IdParams, NoContent } from '../schemas.js'

const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/admin/users',
    {
      config: { permission: 'ManageUsers' },
      schema: { tags: ['admin'], summary: 'All users', response: { 200: UserList, ...authErrors } },
    },
    async () => ({ users: (await listUsers({ db: app.db })).map(presentAdminUser) }),
  )

  app.post(
    '/admin/users',
    {
      config: { permission: 'ManageUsers' },
      schema: {
        tags: ['admin'],
        summary: 'Create a user',
        body: CreateUserBody,
        response: { 201: UserResponse, 400: Problem, 409: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      const user = await createUser({ ctx: serviceContext(request), input: request.body })
      return reply.status(201).send({ user: presentAdminUser(user) })
    },
  )

  app.patch(
    '/admin/users/:id',
    {
      config: { permission: 'ManageUsers' },
      schema: {
        tags: ['admin'],
        summary: "Change a user's name or role, or disable / enable them",
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserResponse, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      if (!isUuid(request.params.id)) throw notFound('User')
      const user = await updateUser({
        ctx: serviceContext(request),
        input: { id: request.params.id, ...request.body },
      })
      return { user: presentAdminUser(user) }
    },
  )

  app.post(
    '/admin/users/:id/require-password-change',
    {
      config: { permission: 'ManageUsers' },
      schema: {
        tags: ['admin'],
        summary: 'Require a user to choose a new password at their next sign-in',
        description:
          "Ends every console session of the user; the next sign-in can do nothing but change the password. The user's API tokens keep working.",
        params: IdParams,
        response: { 200: RequirePasswordChangeResponse, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      const { user, sessionsEnded } = await requirePasswordChange({
        ctx: serviceContext(request),
        input: { id: request.params.id },
      })
      return { user: presentAdminUser(user), sessionsEnded }
    },
  )

  app.get(
    '/admin/tokens',
    {
      config: { permission: 'ManageAllTokens' },
      schema: {
        tags: ['admin'],
        summary: "Every user's tokens, newest first, filtered by user and status, a page at a time",
        description:
          '`sort=last_used` lists the most recently used first and never used tokens last; `unused=90` keeps the tokens not used for 90 days (never used ones older than that included), in that order too.',
        querystring: z.object({
          userId: z.uuid().optional(),
          status: TokenStatus.optional(),
          sort: AdminTokenSort.default('created'),
          unused: z.coerce
            .number()
            .int()
            .min(1)
            .max(3650)
            .optional()
            .describe('Only tokens not used for this many days'),
          cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: AdminTokenList, 400: Problem, ...authErrors },
      },
    },
    async (request) => listAllTokens({ db: app.db, input: request.query }),
  )

  app.get(
    '/admin/tokens/:id',
    {
      config: { permission: 'ManageAllTokens' },
      schema: {
        tags: ['admin'],
        summary: "Any user's token, with its usage and the latest activity made with it",
        params: IdParams,
        response: { 200: AdminTokenDetail, 404: Problem, ...authErrors },
      },
    },
    async (request) =>
      getToken({
        db: app.db,
        input: { id: request.params.id, viewer: { all: true, access: accessOf(actorOf(request)) } },
      }),
  )

  app.delete(
    '/admin/tokens/:id',
    {
      config: { permission: 'ManageAllTokens', sessionOnly: true },
      schema: {
        tags: ['admin'],
        summary: "Revoke any user's token",
        params: IdParams,
        response: { 204: NoContent, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      await revokeToken({
        ctx: serviceContext(request),
        input: { id: request.params.id, asAdmin: true },
      })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/admin/settings',
    {
      config: { permission: 'ManageSettings' },
      schema: {
        tags: ['admin'],
        summary: 'Token policy',
        response: { 200: Settings, ...authErrors },
      },
    },
    async () => getSettings(app.db),
  )

  app.put(
    '/admin/settings',
    {
      config: { permission: 'ManageSettings' },
      schema: {
        tags: ['admin'],
        summary: 'Change the token policy',
        body: Settings,
        response: { 200: Settings, 400: Problem, ...authErrors },
      },
    },
    async (request) => updateSettings({ ctx: serviceContext(request), input: request.body }),
  )
}

export default adminRoutes
