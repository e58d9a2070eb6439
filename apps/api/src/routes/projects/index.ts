import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  AddMemberBody,
  CreateProjectBody,
  Problem,
  ProjectList,
  ProjectMemberList,
  ProjectResponse,
  UpdateProjectBody,
} from '../../contract/index.js'
import { actorOf, serviceContext } from '../../plugins/auth.js'
import { createProject } from '../../services/projects/create.js'
import { listProjects } from '../../services/projects/list.js'
import { addMember, listMembers, removeMember } from '../../services/projects/members.js'
import { presentProject } from '../../services/projects/present.js'
import { updateProject } from '../../services/projects/update.js'
import { accessOf, findVisibleProject } from '../../services/workspace/access.js'
import { authErrors, NoContent } from '../schemas.js'

const ProjectParams = z.object({
  project: z.string().min(1).max(64).describe('Project key (WEB) or id'),
})
const tags = ['projects']

const projectRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/projects',
    {
      schema: {
        tags,
        summary: 'Projects you can see',
        querystring: z.object({ includeArchived: z.stringbool().default(false) }),
        response: { 200: ProjectList, ...authErrors },
      },
    },
    async (request) => ({
      projects: await listProjects({
        ctx: serviceContext(request),
        input: { includeArchived: request.query.includeArchived },
      }),
    }),
  )

  app.post(
    '/projects',
    {
      schema: {
        tags,
        summary: 'Create a project; you become its owner',
        body: CreateProjectBody,
        response: {
          201: ProjectResponse,
          400: Problem,
          409: Problem,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const project = await createProject({ ctx: serviceContext(request), input: request.body })
      return reply.status(201).send({ project })
    },
  )

  app.get(
    '/projects/:project',
    {
      schema: {
        tags,
        summary: 'One project',
        params: ProjectParams,
        response: { 200: ProjectResponse, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      const project = await findVisibleProject(
        app.db,
        accessOf(actorOf(request)),
        request.params.project,
      )
      return { project: presentProject(project) }
    },
  )

  app.patch(
    '/projects/:project',
    {
      schema: {
        tags,
        summary: 'Rename, describe, archive or unarchive a project (owners and admins)',
        params: ProjectParams,
        body: UpdateProjectBody,
        response: {
          200: ProjectResponse,
          400: Problem,
          404: Problem,
          ...authErrors,
        },
      },
    },
    async (request) => ({
      project: await updateProject({
        ctx: serviceContext(request),
        input: { project: request.params.project, patch: request.body },
      }),
    }),
  )

  app.get(
    '/projects/:project/members',
    {
      schema: {
        tags,
        summary: "A project's members",
        params: ProjectParams,
        response: { 200: ProjectMemberList, 404: Problem, ...authErrors },
      },
    },
    async (request) => ({
      members: await listMembers({
        ctx: serviceContext(request),
        input: { project: request.params.project },
      }),
    }),
  )

  app.post(
    '/projects/:project/members',
    {
      schema: {
        tags,
        summary: "Add a member or change a member's role (owners and admins)",
        params: ProjectParams,
        body: AddMemberBody,
        response: { 200: ProjectMemberList, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request) => {
      await addMember({
        ctx: serviceContext(request),
        input: { project: request.params.project, ...request.body },
      })
      return {
        members: await listMembers({
          ctx: serviceContext(request),
          input: { project: request.params.project },
        }),
      }
    },
  )

  app.delete(
    '/projects/:project/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member (owners and admins)',
        params: ProjectParams.extend({ userId: z.uuid() }),
        response: { 204: NoContent, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      await removeMember({ ctx: serviceContext(request), input: request.params })
      return reply.status(204).send(null)
    },
  )
}

export default projectRoutes
