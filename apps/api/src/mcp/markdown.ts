import type { Comment, Project, Task, TaskWithComments } from '../contract/index.js'

/*
 * Tasks and projects as Markdown: the text of resources (what a user attaches to a chat) and of
 * prompts. Descriptions and comments are Markdown already and are kept as written.
 */

export const projectUri = (key: string) => `tessera://projects/${key}`
export const taskUri = (ref: string) => `tessera://tasks/${ref}`

const STATUS: Record<Task['status'], string> = {
  todo: 'to do',
  in_progress: 'in progress',
  done: 'done',
}

/** `2030-05-01T09:30:00.000Z` as `2030-05-01 09:30 UTC`. */
export const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`

const person = (user: { name: string; email: string }) => `${user.name} <${user.email}>`

/** One task as a list item: reference (linked to its resource), title and what stands out. */
export function taskBullet(task: Task): string {
  const facts = [
    STATUS[task.status],
    task.priority !== 'none' ? `${task.priority} priority` : null,
    task.assignee ? `assigned to ${task.assignee.name}` : 'unassigned',
    task.dueDate ? `due ${task.dueDate}` : null,
    `updated ${task.updatedAt.slice(0, 10)}`,
  ].filter(Boolean)
  return `- [${task.ref}](${taskUri(task.ref)}) ${task.title} (${facts.join(', ')})`
}

/** A task with its fields, description and comments. */
export function taskMarkdown({ task, comments }: TaskWithComments): string {
  const lines = [
    `# ${task.ref}: ${task.title}`,
    '',
    `- **Project:** ${task.project.name} (${task.project.key}, ${projectUri(task.project.key)})`,
    `- **Status:** ${STATUS[task.status]} (\`${task.status}\`)`,
    `- **Priority:** ${task.priority}`,
    `- **Assignee:** ${task.assignee ? person(task.assignee) : 'unassigned'}`,
    `- **Due:** ${task.dueDate ?? 'no due date'}`,
    `- **Created:** ${when(task.createdAt)}; **updated:** ${when(task.updatedAt)}`,
    '',
    '## Description',
    '',
    task.description.trim() || '_No description._',
    '',
    comments.length ? `## Comments (${comments.length}, oldest first)` : '## Comments',
    '',
  ]
  if (comments.length === 0) lines.push('_No comments._', '')
  for (const comment of comments) {
    lines.push(
      `### ${comment.author ? person(comment.author) : 'A former user'}, ${when(comment.createdAt)}${wayIn(comment)}`,
      '',
      comment.body.trim(),
      '',
    )
  }
  return lines.join('\n')
}

const VIA_NAMES = { web: 'the web console', api: 'the REST API', mcp: 'MCP', cli: 'the CLI' }

/** How a comment was written, after a comma: `, via MCP with token "Cursor on laptop"`. */
export function wayIn(comment: Pick<Comment, 'via' | 'token'>): string {
  if (!comment.via) return ''
  const token = comment.token ? ` with token "${comment.token.name}"` : ''
  return `, via ${VIA_NAMES[comment.via]}${token}`
}

/** A project: what it is, then its open tasks, newest first (at most a page of each status). */
export function projectMarkdown(
  project: Project,
  open: { inProgress: Task[]; todo: Task[]; perStatus: number; more: boolean },
): string {
  const role = project.myRole ?? 'not a member (administrator access)'
  const lines = [
    `# ${project.key}: ${project.name}`,
    '',
    ...(project.description.trim() ? [project.description.trim(), ''] : []),
    `- **Key:** ${project.key} (its tasks are ${project.key}-1, ${project.key}-2, ...)`,
    `- **Your role:** ${role}`,
    ...(project.archived ? ['- **Archived:** yes, no changes until it is unarchived'] : []),
    `- **Created:** ${when(project.createdAt)}; **updated:** ${when(project.updatedAt)}`,
    '',
    '## In progress',
    '',
    ...(open.inProgress.length ? open.inProgress.map(taskBullet) : ['_Nothing in progress._']),
    '',
    '## To do',
    '',
    ...(open.todo.length ? open.todo.map(taskBullet) : ['_Nothing to do._']),
    '',
  ]
  if (open.more) {
    lines.push(
      `Only the newest ${open.perStatus} tasks of each status are shown; list_tasks with project ${project.key} pages through the rest.`,
      '',
    )
  }
  return lines.join('\n')
}
