import { z } from 'zod'
import {
  Comment,
  DueDate,
  Project,
  Task,
  TaskPriority,
  TaskStatus,
  TaskWithComments,
} from '../../contract/index.js'
import { listProjectsPage } from '../../services/projects/list.js'
import { addComment } from '../../services/tasks/comment.js'
import { createTask } from '../../services/tasks/create.js'
import { getTask } from '../../services/tasks/get.js'
import { listTasks } from '../../services/tasks/list.js'
import { updateTask } from '../../services/tasks/update.js'
import { wayIn } from '../markdown.js'
import { defineTool } from '../tool.js'

const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}

const taskLine = (t: Task) =>
  `${t.ref} [${t.status}${t.priority !== 'none' ? `, ${t.priority}` : ''}] ${t.title}` +
  `${t.assignee ? ` (assigned to ${t.assignee.name})` : ''}${t.dueDate ? ` due ${t.dueDate}` : ''}`

const TaskPage = z.object({ tasks: z.array(Task), nextCursor: z.string().nullable() })
const pageText = (r: z.output<typeof TaskPage>) =>
  (r.tasks.length === 0 ? 'No tasks match.' : r.tasks.map(taskLine).join('\n')) +
  (r.nextCursor ? `\nMore results: pass cursor "${r.nextCursor}".` : '')

const taskRef = z.string().min(1).max(64).describe('Task reference such as WEB-12 (or the task id)')
const assignee = z.string().max(320).describe('"me", a user email, or a user id')

export const listProjectsTool = defineTool({
  name: 'list_projects',
  title: 'List projects',
  description:
    'Lists the Tessera projects you can see with their keys, in key order (task references are KEY-number). Returns at most `limit` projects; pass the returned `nextCursor` as `cursor` for the next page.',
  input: z.object({
    includeArchived: z.boolean().default(false),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(50),
  }),
  output: z.object({ projects: z.array(Project), nextCursor: z.string().nullable() }),
  writes: false,
  annotations: readOnly,
  run: (ctx, args) => listProjectsPage({ ctx, input: args }),
  text: (r) =>
    (r.projects.length === 0
      ? 'You cannot see any projects yet.'
      : r.projects.map((p) => `${p.key}: ${p.name}${p.archived ? ' (archived)' : ''}`).join('\n')) +
    (r.nextCursor ? `\nMore projects: pass cursor "${r.nextCursor}".` : ''),
})

export const listTasksTool = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description:
    'Lists tasks you can see, newest first, optionally filtered by project key, status and assignee. Returns at most `limit` tasks; pass the returned `nextCursor` as `cursor` for the next page.',
  input: z.object({
    project: z.string().max(64).optional().describe('Project key such as WEB'),
    status: TaskStatus.optional(),
    assignee: assignee.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(25),
  }),
  output: TaskPage,
  writes: false,
  annotations: readOnly,
  run: (ctx, args) => listTasks({ ctx, input: args }),
  text: pageText,
})

export const searchTasksTool = defineTool({
  name: 'search_tasks',
  title: 'Search tasks',
  description:
    'Finds tasks by words in their title or description (English word forms, "quoted phrases", -excluded words) or by text they contain, most relevant first (title matches before description matches), optionally within one project or status. Returns at most `limit` tasks; pass the returned `nextCursor` as `cursor` for the next page.',
  input: z.object({
    query: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Words or text to look for, e.g. login timeout or "rate limit" -docs'),
    project: z.string().max(64).optional().describe('Project key such as WEB'),
    status: TaskStatus.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).default(25),
  }),
  output: TaskPage,
  writes: false,
  annotations: readOnly,
  run: (ctx, { query, ...rest }) => listTasks({ ctx, input: { ...rest, q: query } }),
  text: pageText,
})

export const getTaskTool = defineTool({
  name: 'get_task',
  title: 'Get task',
  description:
    'Returns one task (by reference such as WEB-12) with its full Markdown description and its comments.',
  input: z.object({ ref: taskRef }),
  output: TaskWithComments,
  writes: false,
  annotations: readOnly,
  run: (ctx, args) => getTask({ ctx, input: args }),
  text: ({ task, comments }) =>
    `${taskLine(task)}\nProject: ${task.project.name}\n\n${task.description || '(no description)'}` +
    (comments.length
      ? `\n\nComments:\n${comments.map((c) => `- ${c.author?.name ?? 'someone'} (${c.createdAt}${wayIn(c)}): ${c.body}`).join('\n')}`
      : '\n\nNo comments.'),
})

export const createTaskTool = defineTool({
  name: 'create_task',
  title: 'Create task',
  description:
    'Creates a task in a project you belong to and returns it with its new reference (e.g. WEB-13). The description is Markdown.',
  input: z.object({
    project: z.string().min(1).max(64).describe('Project key such as WEB'),
    title: z.string().trim().min(1).max(200),
    description: z.string().max(50_000).default(''),
    status: TaskStatus.default('todo'),
    priority: TaskPriority.default('none'),
    assignee: assignee.optional(),
    dueDate: DueDate.optional().describe('YYYY-MM-DD'),
  }),
  output: z.object({ task: Task }),
  writes: true,
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  async run(ctx, args) {
    return { task: await createTask({ ctx, input: args }) }
  },
  text: (r) => `Created ${taskLine(r.task)}`,
})

export const updateTaskTool = defineTool({
  name: 'update_task',
  title: 'Update task',
  description:
    'Changes a task: title, description (Markdown, replaces the old one), status (todo, in_progress, done), priority, assignee (null to unassign) or due date (null to clear). Only the fields you pass change.',
  input: z.object({
    ref: taskRef,
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(50_000).optional(),
    status: TaskStatus.optional(),
    priority: TaskPriority.optional(),
    assignee: assignee.nullable().optional(),
    dueDate: DueDate.nullable().optional(),
  }),
  output: z.object({ task: Task }),
  writes: true,
  // Overwrites fields (destructive), and the same call twice leaves the same task (idempotent).
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(ctx, { ref, ...patch }) {
    return { task: await updateTask({ ctx, input: { ref, ...patch } }) }
  },
  text: (r) => `Updated ${taskLine(r.task)}`,
})

export const addCommentTool = defineTool({
  name: 'add_comment',
  title: 'Add comment',
  description: 'Adds a comment (Markdown) to a task, as you.',
  input: z.object({ ref: taskRef, body: z.string().trim().min(1).max(20_000) }),
  output: z.object({ comment: Comment }),
  writes: true,
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: false,
  },
  async run(ctx, args) {
    return { comment: await addComment({ ctx, input: args }) }
  },
  text: (r) => `Comment added (${r.comment.id}).`,
})
