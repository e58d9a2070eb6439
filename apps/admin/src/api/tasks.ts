import type {
  AddCommentBody,
  CommentResponse,
  CreateTaskBody,
  ListTasksQuery,
  TaskList,
  TaskResponse,
  TaskWithComments,
  UpdateTaskBody,
} from '@tessera/api/contract'
import { http } from './client'

const taskPath = (ref: string) => `/tasks/${encodeURIComponent(ref)}`

/** The contract's query, with `limit` as the number it is (the schema also accepts strings). */
export type TaskFilter = Omit<ListTasksQuery, 'limit'> & { limit?: number }

export const listTasks = (query: TaskFilter = {}) =>
  http.get<TaskList>('/tasks', {
    query: {
      project: query.project,
      status: query.status,
      assignee: query.assignee,
      q: query.q,
      cursor: query.cursor,
      limit: query.limit,
    },
  })

export const getTask = (ref: string) => http.get<TaskWithComments>(taskPath(ref))

export const createTask = async (body: CreateTaskBody) =>
  (await http.post<TaskResponse>('/tasks', body)).task

export const updateTask = async (ref: string, body: UpdateTaskBody) =>
  (await http.patch<TaskResponse>(taskPath(ref), body)).task

export const addComment = async (ref: string, body: AddCommentBody) =>
  (await http.post<CommentResponse>(`${taskPath(ref)}/comments`, body)).comment
