/** Activity entries as sentences: "moved WEB-3 from To do to Done", "commented on WEB-3". */
import type { Activity } from '@tessera/api/contract'
import type { RouteLocationRaw } from 'vue-router'
import { formatExact } from './dates'
import { describeScopes, restrictedProjects } from './tokens'
import { formatDueDate, isTaskStatus, PRIORITY_LABELS, STATUS_LABELS } from './workspace'

export interface ActivitySentence {
  /** Words before the target: "moved", "commented on", "added ada@example.com to". */
  verb: string
  /** What the entry is about, linked when the console has a page for it. */
  target: { label: string; to: RouteLocationRaw | null } | null
  /** Words after the target: "from To do to Done". */
  rest: string
  /** Secondary lines: changed fields, the comment's text. */
  details: string[]
}

const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  assignee: 'Assignee',
  dueDate: 'Due date',
  name: 'Name',
  archived: 'Archived',
  role: 'Role',
  disabled: 'Disabled',
  scopes: 'Access',
  expiresAt: 'Expires',
  maxTokenLifetimeDays: 'Maximum token lifetime (days)',
  tokenExpiryRequired: 'Expiry required',
  tokensPerUser: 'Tokens per person',
  membersCanManageTokens: 'Members manage their own tokens',
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

function formatValue(field: string, value: unknown): string {
  if (field === 'expiresAt' && value === null) return 'never'
  if (value === null || value === undefined || value === '') return '—'
  if (field === 'status' && isTaskStatus(value)) return STATUS_LABELS[value]
  if (field === 'priority' && typeof value === 'string' && value in PRIORITY_LABELS) {
    return PRIORITY_LABELS[value as keyof typeof PRIORITY_LABELS]
  }
  if (field === 'role' && (value === 'admin' || value === 'owner' || value === 'member')) {
    return value[0]?.toUpperCase() + value.slice(1)
  }
  if (field === 'scopes' && Array.isArray(value)) {
    const scopes = value.map(String)
    const keys = restrictedProjects(scopes)
    return keys
      ? `${describeScopes(scopes)}, limited to ${keys.join(', ')}`
      : describeScopes(scopes)
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'string') {
    if (ISO_DAY.test(value)) return formatDueDate(value)
    if (ISO_TIME.test(value)) return formatExact(value)
    return value
  }
  if (Array.isArray(value)) return value.map((item) => formatValue(field, item)).join(', ')
  return JSON.stringify(value)
}

function changeLines(entry: Activity, skip: string[] = []): string[] {
  return Object.entries(entry.changes ?? {})
    .filter(([field]) => !skip.includes(field))
    .map(([field, change]) => {
      const label = FIELD_LABELS[field] ?? field
      // Long texts would flood the feed: say that they changed, not how.
      if (field === 'description') return `${label} changed`
      if (change.before === null || change.before === undefined) {
        return `${label}: ${formatValue(field, change.after)}`
      }
      return `${label}: ${formatValue(field, change.before)} → ${formatValue(field, change.after)}`
    })
}

function targetOf(entry: Activity): ActivitySentence['target'] {
  const label = entry.target.label
  if (!label) return null
  if (entry.target.type === 'task') return { label, to: { name: 'task', params: { ref: label } } }
  if (entry.target.type === 'project') {
    return { label, to: { name: 'project', params: { key: label } } }
  }
  if (entry.target.type === 'token') return { label: `“${label}”`, to: null }
  return { label, to: null }
}

/** The one person a membership entry is about (its changes are keyed by their email). */
function memberChange(entry: Activity) {
  const [email, change] = Object.entries(entry.changes ?? {})[0] ?? []
  return { email: email ?? 'someone', before: change?.before, after: change?.after }
}

const article = (role: unknown) => (role === 'owner' ? 'an owner' : 'a member')

export function describeActivity(entry: Activity): ActivitySentence {
  const target = targetOf(entry)
  const sentence = (verb: string, rest = '', details: string[] = []): ActivitySentence => ({
    verb,
    target,
    rest,
    details,
  })
  const changes = entry.changes ?? {}

  switch (entry.action) {
    case 'task.created':
      return sentence('created', '', [String(changes.title?.after ?? '')].filter(Boolean))
    case 'task.status_changed': {
      const change = changes.status
      return sentence(
        'moved',
        change
          ? `from ${formatValue('status', change.before)} to ${formatValue('status', change.after)}`
          : '',
      )
    }
    case 'task.updated':
      return sentence('updated', '', changeLines(entry))
    case 'comment.added': {
      const text = changes.comment?.after
      return sentence('commented on', '', typeof text === 'string' ? [`“${text}”`] : [])
    }
    case 'project.created':
      return sentence('created project', '', [String(changes.name?.after ?? '')].filter(Boolean))
    case 'project.updated':
      return sentence('updated project', '', changeLines(entry))
    case 'project.archived':
      return sentence('archived project')
    case 'project.unarchived':
      return sentence('unarchived project')
    case 'project.member_added': {
      const member = memberChange(entry)
      return sentence(`added ${member.email} to`, `as ${article(member.after)}`)
    }
    case 'project.member_role_changed': {
      const member = memberChange(entry)
      return sentence(`made ${member.email} ${article(member.after)} of`)
    }
    case 'project.member_removed':
      return sentence(`removed ${memberChange(entry).email} from`)
    case 'token.created':
      return sentence('created token', '', changeLines(entry))
    case 'token.rotated':
      return sentence('rotated token')
    case 'token.revoked':
      return sentence('revoked token')
    case 'user.created':
      return sentence('added', 'to the workspace', changeLines(entry))
    case 'user.role_changed':
      return sentence('changed the role of', '', changeLines(entry))
    case 'user.disabled':
      return sentence('disabled the account of')
    case 'user.enabled':
      return sentence('enabled the account of')
    case 'user.updated':
      return sentence('updated', '', changeLines(entry))
    case 'user.password_reset':
      return sentence('reset the password of')
    case 'user.password_changed':
      return entry.actor?.id === entry.target.id
        ? { verb: 'changed their password', target: null, rest: '', details: [] }
        : sentence('changed the password of')
    case 'user.password_change_required':
      return sentence('required a new password from')
    case 'user.sessions_ended': {
      const count = Number(changes.sessions?.after ?? 1)
      return {
        verb: `signed out ${count === 1 ? 'one' : count} of their console sessions`,
        target: null,
        rest: '',
        details: [],
      }
    }
    case 'settings.updated':
      return {
        verb: 'changed the token policy',
        target: null,
        rest: '',
        details: changeLines(entry),
      }
    default:
      return sentence(entry.action, '', changeLines(entry))
  }
}
