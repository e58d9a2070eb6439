import type {
  ListResourcesResult,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js'
import type { Project, Task } from '../contract/index.js'
import { AppError } from '../lib/errors.js'
import type { ServiceContext } from '../services/context.js'
import { listProjectsPage } from '../services/projects/list.js'
import { presentProject } from '../services/projects/present.js'
import { getTask } from '../services/tasks/get.js'
import { listTasks } from '../services/tasks/list.js'
import { accessOf, findVisibleProject } from '../services/workspace/access.js'
import { invalidParams } from './errors.js'
import { projectMarkdown, projectUri, taskMarkdown, taskUri } from './markdown.js'

/*
 * Resources: every project and task the token can see, as Markdown a user attaches to a chat.
 * They are read through the same services and access rules as the tools: a project-restricted
 * token reaches only its projects, and anything else is "not found", as in REST.
 */

const MARKDOWN = 'text/markdown'
export const PROJECT_TEMPLATE = 'tessera://projects/{key}'
export const TASK_TEMPLATE = 'tessera://tasks/{ref}'

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: PROJECT_TEMPLATE,
    name: 'project',
    title: 'Tessera project',
    description:
      'A project by its key (e.g. tessera://projects/WEB): what it is and its open tasks, in Markdown.',
    mimeType: MARKDOWN,
  },
  {
    uriTemplate: TASK_TEMPLATE,
    name: 'task',
    title: 'Tessera task',
    description:
      'A task by its reference (e.g. tessera://tasks/WEB-12): its fields, Markdown description and comments.',
    mimeType: MARKDOWN,
  },
]

/** Resources per resources/list answer: a workspace is listed a page at a time, never at once. */
export const RESOURCE_PAGE = 50
/** Open tasks per status in a project's text. */
const OPEN_TASKS_SHOWN = 25

const projectResource = (project: Project): Resource => ({
  uri: projectUri(project.key),
  name: project.key,
  title: `${project.key}: ${project.name}`,
  description: project.description.trim() || `Project ${project.name}: summary and open tasks`,
  mimeType: MARKDOWN,
  annotations: { lastModified: project.updatedAt },
})

const taskResource = (task: Task): Resource => ({
  uri: taskUri(task.ref),
  name: task.ref,
  title: `${task.ref}: ${task.title}`,
  description: `Task in ${task.project.name}: ${task.status.replace('_', ' ')}${task.assignee ? `, assigned to ${task.assignee.name}` : ', unassigned'}`,
  mimeType: MARKDOWN,
  annotations: { lastModified: task.updatedAt },
})

/**
 * Where a resources/list page stopped: in the projects (by key, with the projects' own cursor) or
 * in the tasks (newest first, with the task list's cursor; empty for the first task page).
 */
type ListPosition = { in: 'projects'; cursor?: string } | { in: 'tasks'; cursor?: string }

const encodePosition = (position: ListPosition) =>
  Buffer.from(`${position.in === 'projects' ? 'p' : 't'}:${position.cursor ?? ''}`).toString(
    'base64url',
  )

function decodePosition(cursor: string | undefined): ListPosition {
  if (cursor === undefined) return { in: 'projects' }
  const match = /^([pt]):([A-Za-z0-9_-]{0,200})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  )
  if (!match) {
    throw invalidParams('The cursor is not valid; list again without one.', {
      code: 'invalid_cursor',
    })
  }
  const inner = match[2] || undefined
  return match[1] === 'p' ? { in: 'projects', cursor: inner } : { in: 'tasks', cursor: inner }
}

/**
 * One page of resources: the visible projects by key, then the visible tasks newest first, at
 * most RESOURCE_PAGE each time, continued by `nextCursor`.
 */
export async function listResources(
  ctx: ServiceContext,
  cursor: string | undefined,
): Promise<ListResourcesResult> {
  let position = decodePosition(cursor)
  const resources: Resource[] = []
  if (position.in === 'projects') {
    const page = await listProjectsPage({
      ctx,
      input: { cursor: position.cursor, limit: RESOURCE_PAGE },
    })
    resources.push(...page.projects.map(projectResource))
    if (page.nextCursor) {
      return { resources, nextCursor: encodePosition({ in: 'projects', cursor: page.nextCursor }) }
    }
    position = { in: 'tasks' }
    if (resources.length === RESOURCE_PAGE) {
      return { resources, nextCursor: encodePosition(position) }
    }
  }
  const page = await listTasks({
    ctx,
    input: { cursor: position.cursor, limit: RESOURCE_PAGE - resources.length },
  })
  resources.push(...page.tasks.map(taskResource))
  return page.nextCursor
    ? { resources, nextCursor: encodePosition({ in: 'tasks', cursor: page.nextCursor }) }
    : { resources }
}

const KEY = /^[A-Za-z][A-Za-z0-9]{1,9}$/
const REF = /^[A-Za-z][A-Za-z0-9]{1,9}-\d{1,9}$/

/** What a URI names, or null when it is none of Tessera's (scheme and host in any case). */
function parseUri(uri: string): { kind: 'project' | 'task'; id: string } | null {
  const match = /^tessera:\/\/(projects|tasks)\/([^/?#]+)\/?$/i.exec(uri)
  if (!match?.[1] || !match[2]) return null
  let id: string
  try {
    id = decodeURIComponent(match[2]).toUpperCase()
  } catch {
    return null
  }
  const kind = match[1].toLowerCase() === 'projects' ? 'project' : 'task'
  return (kind === 'project' ? KEY : REF).test(id) ? { kind, id } : null
}

const shown = (uri: string) => (uri.length > 200 ? `${uri.slice(0, 200)}...` : uri)

/** A project's or a task's Markdown, by URI. */
export async function readResource(ctx: ServiceContext, uri: string): Promise<ReadResourceResult> {
  const target = parseUri(uri)
  if (!target) {
    throw invalidParams(
      `Unknown resource URI: ${shown(uri)}. Tessera's resources are tessera://projects/{key} (e.g. tessera://projects/WEB) and tessera://tasks/{ref} (e.g. tessera://tasks/WEB-12).`,
      { uri: shown(uri) },
    )
  }
  try {
    if (target.kind === 'task') {
      const task = await getTask({ ctx, input: { ref: target.id } })
      return {
        contents: [{ uri: taskUri(task.task.ref), mimeType: MARKDOWN, text: taskMarkdown(task) }],
      }
    }
    const project = presentProject(await findVisibleProject(ctx.db, accessOf(ctx.actor), target.id))
    const open = (status: 'in_progress' | 'todo') =>
      listTasks({ ctx, input: { project: project.id, status, limit: OPEN_TASKS_SHOWN } })
    const [inProgress, todo] = await Promise.all([open('in_progress'), open('todo')])
    const text = projectMarkdown(project, {
      inProgress: inProgress.tasks,
      todo: todo.tasks,
      perStatus: OPEN_TASKS_SHOWN,
      more: Boolean(inProgress.nextCursor || todo.nextCursor),
    })
    return { contents: [{ uri: projectUri(project.key), mimeType: MARKDOWN, text }] }
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw invalidParams(
        `Resource not found: ${shown(uri)}. There is no such ${target.kind}, or this API token cannot see it.`,
        { uri: shown(uri), code: 'not_found' },
      )
    }
    throw error
  }
}
