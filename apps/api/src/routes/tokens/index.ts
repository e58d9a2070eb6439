import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  CreateTokenBody,
  Problem,
  Token,
  TokenDetail,
  TokenList,
  TokenWithSecret,
} from '../../contract/index.js'
import { notFound } from '../../lib/errors.js'
import { actorOf, serviceContext } from '../../plugins/auth.js'
import { createToken } from '../../services/tokens/create.js'
import { findTokenForUpdate } from '../../services/tokens/find-own.js'
import { getOwnToken } from '../../services/tokens/get.js'
import { listTokens } from '../../services/tokens/list.js'
import { presentToken } from '../../services/tokens/present.js'
import { revokeToken } from '../../services/tokens/revoke.js'
import { rotateToken } from '../../services/tokens/rotate.js'
import { accessOf } from '../../services/workspace/access.js'
import { authErrors, IdParams, NoContent } from '../schemas.js'

const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  const manage = { permission: 'ManageApiTokens' } as const
  const tags = ['tokens']

  app.get(
    '/tokens',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Your API tokens, newest first, a page at a time',
        querystring: z.object({
          cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(200).default(100),
        }),
        response: { 200: TokenList, 400: Problem, ...authErrors },
      },
    },
    async (request) =>
      listTokens({ db: app.db, userId: actorOf(request).user.id, input: request.query }),
  )

  app.post(
    '/tokens',
    {
      config: { ...manage, sessionOnly: true },
      schema: {
        tags,
        summary: 'Create a token; the secret is in this answer and nowhere else, ever',
        body: CreateTokenBody,
        response: { 201: TokenWithSecret, 400: Problem, 409: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      const created = await createToken({
        ctx: serviceContext(request),
        input: request.body,
      })
      return reply.status(201).send(created)
    },
  )

  app.get(
    '/tokens/self',
    {
      config: { ...manage, tokenOnly: true },
      schema: {
        tags,
        summary: 'The token used for this request',
        response: { 200: z.object({ token: Token }), ...authErrors },
      },
    },
    async (request) => {
      const id = request.auth?.token?.id
      if (!id) throw notFound('Token')
      const row = await findTokenForUpdate(app.db, id, actorOf(request).user.id)
      return { token: presentToken(row) }
    },
  )

  app.get(
    '/tokens/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'One of your tokens, with its usage and the latest activity made with it',
        description:
          "Usage: requests per UTC day for the last 30 days, and the clients and addresses seen in the last 90 days. It is written about a minute after the requests, not at once. Another person's token answers 404.",
        params: IdParams,
        response: { 200: TokenDetail, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      return getOwnToken({
        db: app.db,
        input: { id: request.params.id, viewer: { all: false, access: accessOf(actor) } },
      })
    },
  )

  app.post(
    '/tokens/self/rotate',
    {
      // A change like any other: a read-only token cannot renew itself.
      config: { ...manage, tokenOnly: true },
      schema: {
        tags,
        summary: 'Rotate the token used for this request; it stops working at once',
        response: { 200: TokenWithSecret, 400: Problem, ...authErrors },
      },
    },
    async (request) => {
      const id = request.auth?.token?.id
      if (!id) throw notFound('Token')
      return rotateToken({ ctx: serviceContext(request), input: { id } })
    },
  )

  app.post(
    '/tokens/:id/rotate',
    {
      config: { ...manage, sessionOnly: true },
      schema: {
        tags,
        summary: 'Give a token a new secret (same name and scopes; lifetime within the policy)',
        params: IdParams,
        response: { 200: TokenWithSecret, 400: Problem, 404: Problem, 409: Problem, ...authErrors },
      },
    },
    async (request) =>
      rotateToken({
        ctx: serviceContext(request),
        input: { id: request.params.id },
      }),
  )

  app.delete(
    '/tokens/:id',
    {
      config: { ...manage, sessionOnly: true },
      schema: {
        tags,
        summary: 'Revoke a token; it stops working on the next request',
        params: IdParams,
        response: { 204: NoContent, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      await revokeToken({
        ctx: serviceContext(request),
        input: { id: request.params.id },
      })
      return reply.status(204).send(null)
    },
  )
}

export default tokenRoutes
