import type {
  AddMemberBody,
  CreateProjectBody,
  ProjectList,
  ProjectMemberList,
  ProjectResponse,
  UpdateProjectBody,
} from '@tessera/api/contract'
import { http } from './client'

const projectPath = (key: string) => `/projects/${encodeURIComponent(key)}`

export const listProjects = async (options: { includeArchived?: boolean } = {}) =>
  (
    await http.get<ProjectList>('/projects', {
      query: { includeArchived: options.includeArchived ?? false },
    })
  ).projects

export const getProject = async (key: string) =>
  (await http.get<ProjectResponse>(projectPath(key))).project

export const createProject = async (body: CreateProjectBody) =>
  (await http.post<ProjectResponse>('/projects', body)).project

export const updateProject = async (key: string, body: UpdateProjectBody) =>
  (await http.patch<ProjectResponse>(projectPath(key), body)).project

export const listMembers = async (key: string) =>
  (await http.get<ProjectMemberList>(`${projectPath(key)}/members`)).members

/** Adds someone, or changes the role of someone already in the project; answers all members. */
export const addMember = async (key: string, body: AddMemberBody) =>
  (await http.post<ProjectMemberList>(`${projectPath(key)}/members`, body)).members

export const removeMember = (key: string, userId: string) =>
  http.delete(`${projectPath(key)}/members/${encodeURIComponent(userId)}`)
