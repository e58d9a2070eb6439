/**
 * A task's activity entries told from the task's own page: "moved it from To do to Done",
 * "changed the priority from None to High and set the due date to 1 May 2031", "commented".
 */
import type { Activity } from '@tessera/api/contract'
import { describeActivity } from './activity'
import { formatDueDate, isTaskStatus, PRIORITY_LABELS, STATUS_LABELS } from './workspace'

export interface TaskHistoryLine {
  /** What the person did: "moved it from To do to Done". */
  summary: string
  /** A quoted comment or title under it. */
  quote: string | null
}

const status = (value: unknown) => (isTaskStatus(value) ? STATUS_LABELS[value] : String(value))
const priority = (value: unknown) =>
  typeof value === 'string' && value in PRIORITY_LABELS
    ? PRIORITY_LABELS[value as keyof typeof PRIORITY_LABELS]
    : String(value)
const empty = (value: unknown) => value === null || value === undefined || value === ''

/** One changed field as a phrase; null for fields the history does not speak of. */
function phrase(field: string, before: unknown, after: unknown): string | null {
  switch (field) {
    case 'status':
      return `moved it from ${status(before)} to ${status(after)}`
    case 'priority':
      if (before === 'none') return `set the priority to ${priority(after)}`
      if (after === 'none') return 'removed the priority'
      return `changed the priority from ${priority(before)} to ${priority(after)}`
    case 'assignee':
      return empty(after) ? `unassigned ${String(before)}` : `assigned it to ${String(after)}`
    case 'dueDate':
      return empty(after)
        ? 'removed the due date'
        : `set the due date to ${formatDueDate(String(after))}`
    case 'title':
      return `renamed it to “${String(after)}”`
    case 'description':
      return 'edited the description'
    default:
      return null
  }
}

const FIELD_ORDER = ['title', 'status', 'priority', 'assignee', 'dueDate', 'description']
const fieldRank = (field: string) =>
  FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length

/** "a", "a and b", "a, b and c". */
function joinPhrases(phrases: string[]): string {
  if (phrases.length <= 1) return phrases[0] ?? ''
  return `${phrases.slice(0, -1).join(', ')} and ${phrases.at(-1)}`
}

export function describeTaskEntry(entry: Activity): TaskHistoryLine {
  const changes = entry.changes ?? {}
  switch (entry.action) {
    case 'task.created':
      return { summary: 'created this task', quote: null }
    case 'comment.added': {
      const comment = changes.comment?.after
      return { summary: 'commented', quote: typeof comment === 'string' ? comment : null }
    }
    case 'task.status_changed':
    case 'task.updated': {
      // In a fixed order: the stored changes come back with their keys in the database's order.
      const phrases = Object.entries(changes)
        .sort(([a], [b]) => fieldRank(a) - fieldRank(b))
        .map(([field, change]) => phrase(field, change.before, change.after))
        .filter((text): text is string => text !== null)
      if (phrases.length) return { summary: joinPhrases(phrases), quote: null }
      return { summary: 'updated it', quote: null }
    }
    default: {
      // Anything newer than this page: the feed's own sentence.
      const sentence = describeActivity(entry)
      return {
        summary: [sentence.verb, sentence.target?.label, sentence.rest].filter(Boolean).join(' '),
        quote: null,
      }
    }
  }
}
