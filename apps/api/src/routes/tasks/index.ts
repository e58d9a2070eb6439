import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  AddCommentBody,
  Comment,
  CommentResponse,
  CreateTaskBody,
  ListTasksQuery,
  Problem,
  TaskList,
  TaskResponse,
  TaskWithComments,
  UpdateTaskBody,
} from '../../contract/index.js'
import { serviceContext } from '../../plugins/auth.js'
import { addComment } from '../../services/tasks/comment.js'
import { createTask } from '../../services/tasks/create.js'
import { getTask } from '../../services/tasks/get.js'
import { listTasks } from '../../services/tasks/list.js'
import { updateTask } from '../../services/tasks/update.js'
import { authErrors } from '../schemas.js'

const TaskParams = z.object({
  ref: z.string().min(1).max(64).describe('Task reference (WEB-12) or id'),
})
const tags = ['tasks']

const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Tasks you can see, newest first, with filters and cursor pagination',
        querystring: ListTasksQuery,
        response: { 200: TaskList, 400: Problem, ...authErrors },
      },
    },
    async (request) => listTasks({ ctx: serviceContext(request), input: request.query }),
  )

  app.post(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Create a task in a project you belong to',
        body: CreateTaskBody,
        response: { 201: TaskResponse, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request, reply) => {
      const task = await createTask({ ctx: serviceContext(request), input: request.body })
      return reply.status(201).send({ task })
    },
  )

  app.get(
    '/tasks/:ref',
    {
      schema: {
        tags,
        summary: 'One task with its comments',
        params: TaskParams,
        response: { 200: TaskWithComments, 404: Problem, ...authErrors },
      },
    },
    async (request) =>
      getTask({ ctx: serviceContext(request), input: { ref: request.params.ref } }),
  )

  app.patch(
    '/tasks/:ref',
    {
      schema: {
        tags,
        summary: 'Change a task (title, description, status, priority, assignee, due date)',
        params: TaskParams,
        body: UpdateTaskBody,
        response: { 200: TaskResponse, 400: Problem, 404: Problem, ...authErrors },
      },
    },
    async (request) => ({
      task: await updateTask({
        ctx: serviceContext(request),
        input: { ref: request.params.ref, ...request.body },
      }),
    }),
  )

  app.get(
    '/tasks/:ref/comments',
    {
      schema: {
        tags,
        summary: "A task's comments, oldest first",
        params: TaskParams,
        response: { 200: z.object({ comments: z.array(Comment) }), 404: Problem, ...authErrors },
      },
    },
    async (request) => ({
      comments: (
        await getTask({ ctx: serviceContext(request), input: { ref: request.params.ref } })
      ).comments,
    }),
  )

  app.post(
    '/tasks/:ref/comments',
    {
      schema: {
        tags,
        summary: 'Comment on a task',
        params: TaskParams,
        body: AddCommentBody,
        response: {
          201: CommentResponse,
          400: Problem,
          404: Problem,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const comment = await addComment({
        ctx: serviceContext(request),
        input: { ref: request.params.ref, body: request.body.body },
      })
      return reply.status(201).send({ comment })
    },
  )
}

export default taskRoutes
