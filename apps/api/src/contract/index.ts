/**
 * The REST contract shared by the API, the admin console and the VS Code extension.
 * Zod schemas validate and document the routes (OpenAPI is generated from them);
 * clients import the inferred types with `import type` so no runtime code is pulled in.
 */
import { z } from 'zod'

export const ROLES = ['admin', 'member'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

export const PERMISSIONS = [
  'ManageApiTokens',
  'ManageUsers',
  'ManageAllTokens',
  'ViewAllActivity',
  'ManageSettings',
] as const
export const Permission = z.enum(PERMISSIONS)
export type Permission = z.infer<typeof Permission>

export const VIAS = ['web', 'api', 'mcp', 'cli'] as const
export const Via = z.enum(VIAS)
export type Via = z.infer<typeof Via>

export const TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const
export const TokenStatus = z.enum(TOKEN_STATUSES)

const isoDate = z.iso.datetime({ offset: true })
const nullableDate = isoDate.nullable()

/**
 * RFC 9457 Problem Details, the body of every error answer. `type` is `/api/v1/errors/{code}`
 * (relative to the server, which describes the type there) or `about:blank`; `title` is short
 * and fixed per `code`; `detail` says what happened this time. `code` is stable snake_case, and
 * `hint` says what to do about it.
 */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  hint: z.string().optional(),
  details: z.unknown().optional(),
})
export type Problem = z.infer<typeof Problem>

export const User = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: Role,
})
export type User = z.infer<typeof User>

export const AdminUser = User.extend({
  disabled: z.boolean(),
  /** An administrator asked for a new password; the next console sign-in must choose one first. */
  passwordChangeRequired: z.boolean(),
  createdAt: isoDate,
})
export type AdminUser = z.infer<typeof AdminUser>

export const Token = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: isoDate,
  expiresAt: nullableDate,
  lastUsedAt: nullableDate,
  /** Client address of the last use (recorded at most once a minute). */
  lastUsedIp: z.string().nullable(),
  /**
   * The client of the last use: the name and version an MCP client gave ("Cursor 1.7"), else the
   * product of its User-Agent ("curl"); null when nothing identified it.
   */
  lastUsedClient: z.string().nullable(),
  revokedAt: nullableDate,
  status: TokenStatus,
})
export type Token = z.infer<typeof Token>

export const AdminToken = Token.extend({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
})
export type AdminToken = z.infer<typeof AdminToken>

export const LoginBody = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
})
export type LoginBody = z.infer<typeof LoginBody>

export const LoginResponse = z.object({
  user: User,
  csrfToken: z.string(),
  /** True when an administrator requires a new password: only `PUT /me/password` works until then. */
  passwordChangeRequired: z.boolean(),
})
export type LoginResponse = z.infer<typeof LoginResponse>

export const MeResponse = z.object({
  user: User,
  permissions: z.array(Permission),
  auth: z.object({
    method: z.enum(['session', 'token']),
    token: Token.pick({
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      expiresAt: true,
    }).optional(),
    /** Present for console sessions: send it back as `X-CSRF-Token` on state changes. */
    csrfToken: z.string().optional(),
    /**
     * Present for console sessions: true while an administrator requires a new password, when
     * every other session route answers 403 `password_change_required`.
     */
    passwordChangeRequired: z.boolean().optional(),
  }),
})
export type MeResponse = z.infer<typeof MeResponse>

/** The password rules, the same wherever a password is chosen. */
export const NewPassword = z.string().min(12).max(1024)

export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: NewPassword,
})
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>

export const ChangePasswordResponse = z.object({
  /** How many other console sessions of the account were ended (the current one stays). */
  sessionsEnded: z.number().int(),
})
export type ChangePasswordResponse = z.infer<typeof ChangePasswordResponse>

/** One console sign-in of the account. */
export const ConsoleSession = z.object({
  id: z.uuid(),
  /** The browser and system, read from the User-Agent ("Firefox 128 on Windows"); null if none was sent. */
  browser: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The address that signed in. */
  ip: z.string().nullable(),
  createdAt: isoDate,
  /** Recorded at most once a minute. */
  lastSeenAt: isoDate,
  expiresAt: isoDate,
  /** The session making this request. */
  current: z.boolean(),
})
export type ConsoleSession = z.infer<typeof ConsoleSession>

/** The account's console sessions, most recently seen first. */
export const ConsoleSessionList = z.object({ sessions: z.array(ConsoleSession) })
export type ConsoleSessionList = z.infer<typeof ConsoleSessionList>

export const SessionsEnded = z.object({ sessionsEnded: z.number().int() })
export type SessionsEnded = z.infer<typeof SessionsEnded>

export const TokenScopeInput = z.array(z.string().max(64)).max(32)

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(36500).nullable().optional(),
  scopes: TokenScopeInput.optional(),
})
export type CreateTokenBody = z.infer<typeof CreateTokenBody>

/** A page of tokens, newest first; `nextCursor` asks for the next one (null: no more). */
export const TokenList = z.object({ tokens: z.array(Token), nextCursor: z.string().nullable() })
export type TokenList = z.infer<typeof TokenList>

export const TokenWithSecret = z.object({
  token: Token,
  /** The plaintext token. Returned by create and rotate only, never again. */
  secret: z.string(),
})
export type TokenWithSecret = z.infer<typeof TokenWithSecret>

export const AdminTokenList = z.object({
  tokens: z.array(AdminToken),
  nextCursor: z.string().nullable(),
})
export type AdminTokenList = z.infer<typeof AdminTokenList>

/** `GET /admin/tokens` order: newest first (default), or most recently used first. */
export const AdminTokenSort = z.enum(['created', 'last_used'])
export type AdminTokenSort = z.infer<typeof AdminTokenSort>

/**
 * How a token was used, from counts kept per UTC day, client and address for 90 days. Written
 * within about a minute of the requests, not at once.
 */
export const TokenUsage = z.object({
  /** The last 30 UTC days, oldest first, today last; days without requests count 0. */
  days: z.array(z.object({ day: z.iso.date(), requests: z.number().int() })),
  /** Clients seen in the last 90 days, most recently seen first (null: not identified). */
  clients: z.array(
    z.object({ client: z.string().nullable(), requests: z.number().int(), lastSeenAt: isoDate }),
  ),
  /** Addresses seen in the last 90 days, most recently seen first (null: unknown). */
  addresses: z.array(
    z.object({ address: z.string().nullable(), requests: z.number().int(), lastSeenAt: isoDate }),
  ),
})
export type TokenUsage = z.infer<typeof TokenUsage>

export const CreateUserBody = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(100),
  password: NewPassword,
  role: Role.default('member'),
})
export type CreateUserBody = z.infer<typeof CreateUserBody>

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    role: Role.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to update' })
export type UpdateUserBody = z.infer<typeof UpdateUserBody>

export const UserList = z.object({ users: z.array(AdminUser) })
export type UserList = z.infer<typeof UserList>

/** One user, as `POST /admin/users` and `PATCH /admin/users/:id` answer. */
export const UserResponse = z.object({ user: AdminUser })
export type UserResponse = z.infer<typeof UserResponse>

/** `POST /admin/users/:id/require-password-change`: the user, and how many sessions ended. */
export const RequirePasswordChangeResponse = z.object({
  user: AdminUser,
  sessionsEnded: z.number().int(),
})
export type RequirePasswordChangeResponse = z.infer<typeof RequirePasswordChangeResponse>

/** Token policy and role permissions, editable by admins. */
export const Settings = z.object({
  /** Upper bound for a token's lifetime in days; null = unlimited. */
  maxTokenLifetimeDays: z.number().int().min(1).max(36500).nullable(),
  /** When true, tokens must have an expiry. */
  tokenExpiryRequired: z.boolean(),
  /** Maximum active tokens per user; 1 means creating a token replaces the previous one. null = unlimited. */
  tokensPerUser: z.number().int().min(1).max(1000).nullable(),
  /** Whether members may create and manage their own tokens (ManageApiTokens). */
  membersCanManageTokens: z.boolean(),
})
export type Settings = z.infer<typeof Settings>

/** The token something was done with, by its name at the time (OAuth apps: "Cursor (OAuth)"). */
export const TokenRef = z.object({ id: z.uuid(), name: z.string() })
export type TokenRef = z.infer<typeof TokenRef>

export const Activity = z.object({
  id: z.uuid(),
  at: isoDate,
  actor: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
  via: Via,
  token: TokenRef.nullable(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string(), label: z.string().nullable() }),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
})
export type Activity = z.infer<typeof Activity>

export const ActivityList = z.object({
  activity: z.array(Activity),
  nextCursor: z.string().nullable(),
})
export type ActivityList = z.infer<typeof ActivityList>

/** A project by key (`WEB`) or id, as the `project` filters take it. */
const ProjectRefParam = z
  .string()
  .trim()
  .max(64)
  .regex(
    /^(?:[A-Za-z][A-Za-z0-9]{1,9}|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$/,
    'must be a project key (e.g. WEB) or id',
  )

/** A task by reference (`WEB-12`) or id. */
const TaskRefParam = z
  .string()
  .trim()
  .max(64)
  .regex(
    /^(?:[A-Za-z][A-Za-z0-9]{1,9}-\d{1,9}|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$/,
    'must be a task reference (e.g. WEB-12) or id',
  )

/**
 * What `GET /activity` and MCP `list_activity` can narrow the feed to. Every filter applies within
 * what the caller may see anyway; a project, task or token they may not see answers 404.
 */
export const ActivityFilters = z.object({
  via: Via.optional().describe('Only entries made through this channel: web, api, mcp or cli'),
  actor: z
    .union([z.literal('me'), z.uuid()])
    .optional()
    .describe('Only what this person did: a user id, or "me"'),
  project: ProjectRefParam.optional().describe('Only entries in this project: key (WEB) or id'),
  token: z
    .union([z.literal('mine'), z.uuid()])
    .optional()
    .describe('Only what was done with this token (id), or with any of your tokens ("mine")'),
  task: TaskRefParam.optional().describe(
    "Only this task's history (changes and comments): reference (WEB-12) or id",
  ),
})
export type ActivityFilters = z.infer<typeof ActivityFilters>

export const SetupStatus = z.object({
  /** True until the first user exists: the console then offers to create the first admin. */
  needsSetup: z.boolean(),
})
export type SetupStatus = z.infer<typeof SetupStatus>

export const SetupBody = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(100),
  password: NewPassword,
  /** The one-time code the server printed at start. */
  setupCode: z.string().trim().min(1).max(64),
})
export type SetupBody = z.infer<typeof SetupBody>

// --- Workspace: projects, tasks, comments ---------------------------------------------------

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const
export const TaskStatus = z.enum(TASK_STATUSES)
export type TaskStatus = z.infer<typeof TaskStatus>

export const TASK_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const
export const TaskPriority = z.enum(TASK_PRIORITIES)
export type TaskPriority = z.infer<typeof TaskPriority>

export const ProjectRole = z.enum(['owner', 'member'])
export type ProjectRole = z.infer<typeof ProjectRole>

export const ProjectKey = z
  .string()
  .trim()
  .toUpperCase()
  .regex(
    /^[A-Z][A-Z0-9]{1,9}$/,
    'must be 2-10 letters or digits, starting with a letter (e.g. WEB)',
  )

const UserRef = z.object({ id: z.uuid(), email: z.string(), name: z.string() })
export type UserRef = z.infer<typeof UserRef>

export const Project = z.object({
  id: z.uuid(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  archived: z.boolean(),
  /** The caller's role in the project; null for admins who are not members. */
  myRole: ProjectRole.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
})
export type Project = z.infer<typeof Project>

export const ProjectList = z.object({ projects: z.array(Project) })
export type ProjectList = z.infer<typeof ProjectList>

/** One project, as `POST /projects`, `GET /projects/:key` and `PATCH /projects/:key` answer. */
export const ProjectResponse = z.object({ project: Project })
export type ProjectResponse = z.infer<typeof ProjectResponse>

export const CreateProjectBody = z.object({
  key: ProjectKey,
  name: z.string().trim().min(1).max(100),
  description: z.string().max(10_000).default(''),
})
export type CreateProjectBody = z.input<typeof CreateProjectBody>

export const UpdateProjectBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(10_000).optional(),
    archived: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to update' })
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>

export const ProjectMember = z.object({ user: UserRef, role: ProjectRole, addedAt: isoDate })
export type ProjectMember = z.infer<typeof ProjectMember>

export const ProjectMemberList = z.object({ members: z.array(ProjectMember) })
export type ProjectMemberList = z.infer<typeof ProjectMemberList>

export const AddMemberBody = z
  .object({
    userId: z.uuid().optional(),
    email: z.email().optional(),
    role: ProjectRole.default('member'),
  })
  .refine((v) => Boolean(v.userId) !== Boolean(v.email), {
    message: 'Give exactly one of userId or email',
  })
export type AddMemberBody = z.input<typeof AddMemberBody>

/** A calendar date (YYYY-MM-DD) in a range every database accepts. */
export const DueDate = z.iso
  .date()
  .refine(
    (d) => d >= '1900-01-01' && d <= '9999-12-31',
    'must be a date between 1900-01-01 and 9999-12-31',
  )
const dueDate = DueDate

export const Task = z.object({
  id: z.uuid(),
  /** Human reference such as `WEB-12`. */
  ref: z.string(),
  number: z.number().int(),
  project: z.object({ id: z.uuid(), key: z.string(), name: z.string() }),
  title: z.string(),
  description: z.string(),
  status: TaskStatus,
  priority: TaskPriority,
  assignee: UserRef.nullable(),
  dueDate: dueDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
})
export type Task = z.infer<typeof Task>

export const TaskList = z.object({ tasks: z.array(Task), nextCursor: z.string().nullable() })
export type TaskList = z.infer<typeof TaskList>

/** One task, as `POST /tasks` and `PATCH /tasks/:ref` answer. */
export const TaskResponse = z.object({ task: Task })
export type TaskResponse = z.infer<typeof TaskResponse>

export const Comment = z.object({
  id: z.uuid(),
  taskId: z.uuid(),
  author: UserRef.nullable(),
  body: z.string(),
  createdAt: isoDate,
  /** How it was written; null for old comments whose way in was not recorded. */
  via: Via.nullable(),
  /** The token (or connected app) it was written with; null in the console. */
  token: TokenRef.nullable(),
})
export type Comment = z.infer<typeof Comment>

/** One comment, as `POST /tasks/:ref/comments` answers. */
export const CommentResponse = z.object({ comment: Comment })
export type CommentResponse = z.infer<typeof CommentResponse>

export const TaskWithComments = z.object({ task: Task, comments: z.array(Comment) })
export type TaskWithComments = z.infer<typeof TaskWithComments>

export const ListTasksQuery = z.object({
  project: z.string().max(64).optional().describe('Project key (WEB) or id'),
  status: TaskStatus.optional(),
  assignee: z.string().max(320).optional().describe('User id, email, or "me"'),
  q: z.string().trim().max(200).optional().describe('Text search in title and description'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
})
export type ListTasksQuery = z.input<typeof ListTasksQuery>

export const CreateTaskBody = z.object({
  project: z.string().min(1).max(64).describe('Project key (WEB) or id'),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(50_000).default(''),
  status: TaskStatus.default('todo'),
  priority: TaskPriority.default('none'),
  assignee: z.string().max(320).nullable().optional().describe('User id, email, or "me"'),
  dueDate: dueDate.nullable().optional(),
})
export type CreateTaskBody = z.input<typeof CreateTaskBody>

export const UpdateTaskBody = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(50_000).optional(),
    status: TaskStatus.optional(),
    priority: TaskPriority.optional(),
    assignee: z.string().max(320).nullable().optional(),
    dueDate: dueDate.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to update' })
export type UpdateTaskBody = z.input<typeof UpdateTaskBody>

export const AddCommentBody = z.object({ body: z.string().trim().min(1).max(20_000) })
export type AddCommentBody = z.infer<typeof AddCommentBody>

// --- OAuth: connecting MCP clients by URL ---------------------------------------------------

/** Access an OAuth client can be given: `read`, or `read` and `write`. */
export const OAuthScope = z.enum(['read', 'write'])
export type OAuthScope = z.infer<typeof OAuthScope>

/** Workspace-wide OAuth switches, stored beside the token policy. */
export const OAuthSettings = z.object({
  /** Off: no metadata, no registration, no authorization; issued grants stop refreshing. */
  enabled: z.boolean(),
  /** New clients need an admin's approval before users can connect them. */
  clientApprovalRequired: z.boolean(),
  /**
   * Client metadata documents may be fetched from private and loopback addresses (clients on the
   * server's own network). Off: only public addresses. Link-local and other special-use addresses
   * are refused either way.
   */
  clientMetadataFromPrivateAddresses: z.boolean(),
})
export type OAuthSettings = z.infer<typeof OAuthSettings>

/** Saving the OAuth switches; a switch left out keeps its value (older consoles send two). */
export const UpdateOAuthSettingsBody = OAuthSettings.extend({
  clientMetadataFromPrivateAddresses: z.boolean().optional(),
})
export type UpdateOAuthSettingsBody = z.infer<typeof UpdateOAuthSettingsBody>

export const OAuthClientStatus = z.enum(['active', 'pending', 'blocked'])
export type OAuthClientStatus = z.infer<typeof OAuthClientStatus>

/** A registered OAuth client, as admins see it. */
export const OAuthClient = z.object({
  id: z.uuid(),
  clientId: z.string(),
  name: z.string(),
  redirectUris: z.array(z.string()),
  clientUri: z.string().nullable(),
  softwareId: z.string().nullable(),
  softwareVersion: z.string().nullable(),
  /**
   * `dynamic`: registered through RFC 7591 (`clientId` is `tsc_...`); `metadata_document`: known
   * by its Client ID Metadata Document, whose HTTPS URL is the `clientId`.
   */
  registrationType: z.enum(['dynamic', 'metadata_document']),
  registeredIp: z.string().nullable(),
  /** Metadata document clients: when the document was last fetched, and until when it is used. */
  metadataFetchedAt: nullableDate,
  metadataExpiresAt: nullableDate,
  createdAt: isoDate,
  approvedAt: nullableDate,
  blockedAt: nullableDate,
  /** `pending` while approval is required and not given. */
  status: OAuthClientStatus,
})
export type OAuthClient = z.infer<typeof OAuthClient>

export const OAuthClientList = z.object({ clients: z.array(OAuthClient) })
export type OAuthClientList = z.infer<typeof OAuthClientList>

export const UpdateOAuthClientBody = z
  .object({ blocked: z.boolean().optional(), approved: z.boolean().optional() })
  .refine((v) => v.blocked !== undefined || v.approved !== undefined, {
    message: 'Nothing to update',
  })
export type UpdateOAuthClientBody = z.infer<typeof UpdateOAuthClientBody>

/** A pending authorization request, as the console's consent page shows it. */
export const OAuthRequest = z.object({
  client: z.object({
    id: z.uuid(),
    clientId: z.string(),
    name: z.string(),
    clientUri: z.string().nullable(),
    /** Where the browser goes after the decision, and its host, to show the user. */
    redirectUri: z.string(),
    redirectHost: z.string(),
  }),
  /** What the client asked for; the user may narrow it. */
  scopes: z.array(z.string()),
  /** The protected resource the access is for: this server's MCP endpoint. */
  resource: z.string(),
  expiresAt: isoDate,
  /** Limits from the token policy for the grant's lifetime (how long the client may refresh). */
  policy: z.object({
    maxLifetimeDays: z.number().int().nullable(),
    expiryRequired: z.boolean(),
    /** The lifetime used when the user picks none. */
    defaultLifetimeDays: z.number().int().nullable(),
  }),
  /** Access tokens are short-lived and renewed by the client with its refresh token. */
  accessTokenLifetimeSeconds: z.number().int(),
})
export type OAuthRequest = z.infer<typeof OAuthRequest>

export const DecideOAuthRequestBody = z.object({
  approve: z.boolean(),
  /** Granted access; must not exceed what the client asked for. Default: what it asked for. */
  scopes: z.array(OAuthScope).min(1).max(2).optional(),
  /** Project keys to restrict the access to; omitted or empty: all of the user's projects. */
  projects: z.array(ProjectKey).max(32).optional(),
  /** How long the client may keep refreshing, within the token policy; null: until revoked. */
  expiresInDays: z.number().int().min(1).max(36500).nullable().optional(),
})
export type DecideOAuthRequestBody = z.input<typeof DecideOAuthRequestBody>

/** Where the console sends the browser: the client's redirect URI with the code or the error. */
export const OAuthDecision = z.object({ redirectTo: z.string() })
export type OAuthDecision = z.infer<typeof OAuthDecision>

/** A connected app: what the user allowed an OAuth client, with its access token. */
export const OAuthGrant = z.object({
  id: z.uuid(),
  client: z.object({ id: z.uuid(), name: z.string(), clientUri: z.string().nullable() }),
  scopes: z.array(z.string()),
  createdAt: isoDate,
  /** Refreshing stops after this; null: until revoked. */
  expiresAt: nullableDate,
  lastRefreshedAt: nullableDate,
  revokedAt: nullableDate,
  status: TokenStatus,
  /** The access token, as it appears in the token list. */
  token: Token,
})
export type OAuthGrant = z.infer<typeof OAuthGrant>

export const OAuthGrantList = z.object({ grants: z.array(OAuthGrant) })
export type OAuthGrantList = z.infer<typeof OAuthGrantList>

/**
 * `GET /tokens/{id}` (your own) and `GET /admin/tokens/{id}` (anyone's): the token, how it was
 * used, and the latest activity entries made with it, newest first.
 */
export const TokenDetail = z.object({
  token: Token,
  usage: TokenUsage,
  activity: z.array(Activity),
})
export type TokenDetail = z.infer<typeof TokenDetail>

export const AdminTokenDetail = TokenDetail.extend({ token: AdminToken })
export type AdminTokenDetail = z.infer<typeof AdminTokenDetail>
