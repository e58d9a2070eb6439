import { sql } from 'drizzle-orm'
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.js'

/** Append-only record of every state change. */
export const activity = pgTable(
  'activity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /**
     * Insertion order. Entries written in one transaction share `at` (it is the transaction's
     * time), so the feed orders and pages by this instead.
     */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    via: text('via', { enum: ['web', 'api', 'mcp', 'cli'] }).notNull(),
    /**
     * The project an entry belongs to (project, task and comment entries); null for account-level
     * entries (tokens, users, settings). Activity is filtered by the projects a caller can reach.
     */
    projectId: uuid('project_id'),
    tokenId: uuid('token_id'),
    tokenName: text('token_name'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    targetLabel: text('target_label'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>(),
  },
  (t) => [
    // listActivity: `order by seq desc` (NULLS FIRST, as `desc` means in a query; seq is never
    // null, but only an index in the same NULL order gives that order), paged by `seq < $1`.
    index('activity_seq_idx').on(t.seq.desc().nullsFirst()),
    // listActivity by actor (`actor_id = $1 order by seq desc`), and a caller's own
    // account-level entries (`actor_id = $1 and project_id is null`).
    index('activity_actor_id_seq_idx').on(t.actorId, t.seq.desc().nullsFirst()),
    // listActivity "my tokens": `actor_id = $1 and token_id is not null order by seq desc`. A
    // token's entries are always its owner's, so this is what all of a person's tokens did; only
    // token entries are in it, so it is not walked past everything the person did in the console.
    index('activity_actor_id_token_seq_idx')
      .on(t.actorId, t.seq.desc().nullsFirst())
      .where(sql`${t.tokenId} is not null`),
    // listActivity in one project (`project_id = $1 order by seq desc`), and for callers limited
    // to some projects: `project_id = any($1) order by seq desc`.
    index('activity_project_id_seq_idx').on(t.projectId, t.seq.desc().nullsFirst()),
    // listActivity for one token: `token_id = $1 order by seq desc`.
    index('activity_token_id_seq_idx').on(t.tokenId, t.seq.desc().nullsFirst()),
    // A task's history: `target_type = 'task' and target_id = $1 order by seq desc`.
    index('activity_target_seq_idx').on(t.targetType, t.targetId, t.seq.desc().nullsFirst()),
  ],
)

export type ActivityRow = typeof activity.$inferSelect
