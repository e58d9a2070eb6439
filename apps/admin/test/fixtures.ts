import type {
  Activity,
  Comment,
  Project,
  ProjectMember,
  Settings,
  Task,
  Token,
  TokenWithSecret,
  UserRef,
} from '@tessera/api/contract'

let counter = 0

/** A token as the API returns it; each call makes a fresh one, overridable field by field. */
export function makeToken(overrides: Partial<Token> = {}): Token {
  counter += 1
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    name: `Token ${counter}`,
    prefix: `tsr_${String(counter).padStart(6, 'a')}`,
    scopes: ['read', 'write'],
    createdAt: '2025-01-10T10:00:00.000Z',
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    lastUsedClient: null,
    revokedAt: null,
    status: 'active',
    ...overrides,
  }
}

export function makePolicy(overrides: Partial<Settings> = {}): Settings {
  return {
    maxTokenLifetimeDays: null,
    tokenExpiryRequired: false,
    tokensPerUser: null,
    membersCanManageTokens: true,
    ...overrides,
  }
}

export function makeSecret(overrides: Partial<Token> = {}): TokenWithSecret {
  return {
    token: makeToken({ name: 'Cursor MCP', ...overrides }),
    secret: 'tsr_live_0123456789abcdefghijklmnopqrstuv_chk',
  }
}

let workspaceCounter = 0
const uuid = (n: number) => `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`

export function makeProject(overrides: Partial<Project> = {}): Project {
  workspaceCounter += 1
  return {
    id: uuid(workspaceCounter),
    key: 'WEB',
    name: 'Website',
    description: '',
    archived: false,
    myRole: 'owner',
    createdAt: '2025-01-10T10:00:00.000Z',
    updatedAt: '2025-01-10T10:00:00.000Z',
    ...overrides,
  }
}

export function makeUserRef(overrides: Partial<UserRef> = {}): UserRef {
  workspaceCounter += 1
  return {
    id: uuid(workspaceCounter),
    email: `person${workspaceCounter}@example.com`,
    name: `Person ${workspaceCounter}`,
    ...overrides,
  }
}

export function makeMember(overrides: Partial<ProjectMember> = {}): ProjectMember {
  return {
    user: makeUserRef(),
    role: 'member',
    addedAt: '2025-01-10T10:00:00.000Z',
    ...overrides,
  }
}

export function makeTask(overrides: Partial<Task> = {}): Task {
  workspaceCounter += 1
  const number = overrides.number ?? workspaceCounter
  return {
    id: uuid(workspaceCounter),
    ref: `WEB-${number}`,
    number,
    project: { id: uuid(0), key: 'WEB', name: 'Website' },
    title: `Task ${number}`,
    description: '',
    status: 'todo',
    priority: 'none',
    assignee: null,
    dueDate: null,
    createdAt: '2025-01-10T10:00:00.000Z',
    updatedAt: '2025-01-10T10:00:00.000Z',
    ...overrides,
  }
}

export function makeComment(overrides: Partial<Comment> = {}): Comment {
  workspaceCounter += 1
  return {
    id: uuid(workspaceCounter),
    taskId: uuid(0),
    author: makeUserRef({ name: 'Ada Lovelace' }),
    body: 'Looks good.',
    createdAt: '2025-01-10T10:00:00.000Z',
    via: 'web',
    token: null,
    ...overrides,
  }
}

export function makeActivity(overrides: Partial<Activity> = {}): Activity {
  workspaceCounter += 1
  return {
    id: uuid(workspaceCounter),
    at: '2025-01-10T10:00:00.000Z',
    actor: makeUserRef({ name: 'Ada Lovelace' }),
    via: 'web',
    token: null,
    action: 'task.created',
    target: { type: 'task', id: uuid(0), label: 'WEB-1' },
    changes: null,
    ...overrides,
  }
}
