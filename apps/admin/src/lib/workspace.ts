import type { Project, TaskPriority, TaskStatus, User } from '@tessera/api/contract'
import { PROJECT_KEY_PATTERN } from '@tessera/core'

export const STATUS_OPTIONS = [
  { value: 'todo', label: 'To do' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'done', label: 'Done' },
] as const satisfies readonly { value: TaskStatus; label: string }[]

export const PRIORITY_OPTIONS = [
  { value: 'none', label: 'No priority' },
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
  { value: 'urgent', label: 'Urgent' },
] as const satisfies readonly { value: TaskPriority; label: string }[]

export const STATUS_LABELS: Record<TaskStatus, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
}

export const PRIORITY_LABELS: Record<TaskPriority, string> = {
  none: 'No priority',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && value in STATUS_LABELS
}

/** Project owners and workspace admins change a project's settings and members. */
export function canManageProject(project: Pick<Project, 'myRole'>, user: User | null): boolean {
  return project.myRole === 'owner' || user?.role === 'admin'
}

export function isProjectKey(value: string): boolean {
  return PROJECT_KEY_PATTERN.test(value)
}

/**
 * A key suggested from a project name while the user has not typed one: the initials of several
 * words ("Mobile App" → MA), or the start of a single word ("Website" → WEB).
 */
export function suggestKey(name: string): string {
  const words = name
    .normalize('NFD')
    .toUpperCase()
    .replace(/[^A-Z0-9\s]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
  const first = words.findIndex((word) => /^[A-Z]/.test(word))
  if (first === -1) return ''
  const usable = words.slice(first)
  const key =
    usable.length > 1 ? usable.map((word) => word[0]).join('') : (usable[0] as string).slice(0, 3)
  return key.slice(0, 10).length >= 2 ? key.slice(0, 10) : ''
}

/** Today in the browser's time zone as YYYY-MM-DD, the format of due dates. */
export function today(now: Date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

const dueFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' })

/** A due date (a calendar day, no time) for people: "Mar 4, 2026". */
export function formatDueDate(value: string): string {
  return dueFormat.format(new Date(`${value}T00:00:00Z`))
}

/** Whether a task that is not done is past its due date. */
export function isOverdue(task: { dueDate: string | null; status: TaskStatus }): boolean {
  return task.dueDate !== null && task.status !== 'done' && task.dueDate < today()
}
