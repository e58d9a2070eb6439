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

/** Problem Details body of every error answer. `code` is stable snake_case. */
export const Problem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int(),
  code: z.string(),
  message: z.string(),
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

export const LoginResponse = z.object({ user: User, csrfToken: z.string() })
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
  }),
})
export type MeResponse = z.infer<typeof MeResponse>

export const TokenScopeInput = z.array(z.string().max(64)).max(32)

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(36500).nullable().optional(),
  scopes: TokenScopeInput.optional(),
})
export type CreateTokenBody = z.infer<typeof CreateTokenBody>

export const TokenList = z.object({ tokens: z.array(Token) })
export type TokenList = z.infer<typeof TokenList>

export const TokenWithSecret = z.object({
  token: Token,
  /** The plaintext token. Returned by create and rotate only, never again. */
  secret: z.string(),
})
export type TokenWithSecret = z.infer<typeof TokenWithSecret>

export const AdminTokenList = z.object({ tokens: z.array(AdminToken) })
export type AdminTokenList = z.infer<typeof AdminTokenList>

export const CreateUserBody = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(12).max(1024),
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

export const Activity = z.object({
  id: z.uuid(),
  at: isoDate,
  actor: z.object({ id: z.uuid(), email: z.string(), name: z.string() }).nullable(),
  via: Via,
  token: z.object({ id: z.uuid(), name: z.string() }).nullable(),
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

export const SetupStatus = z.object({
  /** True until the first user exists: the console then offers to create the first admin. */
  needsSetup: z.boolean(),
})
export type SetupStatus = z.infer<typeof SetupStatus>

export const SetupBody = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(12).max(1024),
})
export type SetupBody = z.infer<typeof SetupBody>
