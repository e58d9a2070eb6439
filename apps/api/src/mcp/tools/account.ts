import { z } from 'zod'
import { Activity, ActivityFilters, User } from '../../contract/index.js'
import { listActivity } from '../../services/activity/list.js'
import { presentUser } from '../../services/users/present.js'
import { accessOf } from '../../services/workspace/access.js'
import { defineTool } from '../tool.js'

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Returns the Tessera user this connection acts as, the API token in use (name, scopes, expiry) and whether it can make changes. Call it first if unsure what you may do.',
  input: z.object({}),
  output: z.object({
    user: User,
    token: z.object({
      id: z.string(),
      name: z.string(),
      scopes: z.array(z.string()),
      expiresAt: z.string().nullable(),
    }),
    canWrite: z.boolean(),
    projectRestriction: z.array(z.string()).nullable(),
  }),
  writes: false,
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(ctx) {
    const scopes = [...(ctx.actor.token?.scopes ?? [])]
    return {
      user: presentUser(ctx.actor.user),
      token: {
        id: ctx.actor.token?.id ?? '',
        name: ctx.actor.token?.name ?? '',
        scopes,
        expiresAt: ctx.actor.token?.expiresAt ?? null,
      },
      canWrite: scopes.includes('write'),
      projectRestriction: scopes.some((s) => s.startsWith('project:'))
        ? scopes.filter((s) => s.startsWith('project:')).map((s) => s.slice('project:'.length))
        : null,
    }
  },
  text: (r) =>
    `You are ${r.user.name} <${r.user.email}> (${r.user.role}) using token "${r.token.name}" with scopes ${r.token.scopes.join(', ')}` +
    `${r.token.expiresAt ? `, expiring ${r.token.expiresAt}` : ', with no expiry'}.` +
    `${r.canWrite ? '' : ' This token is read-only.'}` +
    `${r.projectRestriction ? ` It is limited to projects ${r.projectRestriction.join(', ')}.` : ''}`,
})

export const listActivityTool = defineTool({
  name: 'list_activity',
  title: 'List activity',
  description:
    "Lists recent activity (changes to tasks, comments, projects, tokens), newest first, with who did it, through which channel (web, api, mcp, cli) and with which token. It covers the projects you can reach (narrowed by the token's project scopes) and your own account's entries. Narrow it with `task` (a task's history, comments included), `project`, `actor`, `token` (\"mine\": what any of your tokens and connected apps did) and `via`. Returns at most `limit` entries; pass the returned `nextCursor` as `cursor` for older ones.",
  input: ActivityFilters.extend({
    cursor: z.string().max(200).optional().describe('nextCursor from a previous call'),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  output: z.object({ activity: z.array(Activity), nextCursor: z.string().nullable() }),
  writes: false,
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  async run(ctx, args) {
    const { actor, ...filters } = args
    return listActivity({
      db: ctx.db,
      input: {
        ...filters,
        actorId: actor,
        // MCP always acts through a token, which never carries administrator permissions.
        viewer: { all: false, access: accessOf(ctx.actor) },
      },
    })
  },
  text: (r) =>
    r.activity.length === 0
      ? 'No activity.'
      : r.activity
          .map(
            (a) =>
              `${a.at} ${a.actor?.name ?? 'someone'} ${a.action} ${a.target.label ?? a.target.id} via ${a.via}${a.token ? ` (token "${a.token.name}")` : ''}`,
          )
          .join('\n') + (r.nextCursor ? `\nMore: cursor ${r.nextCursor}` : ''),
})
