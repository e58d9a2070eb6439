import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { users } from './users.js'

/** Append-only record of every state change. */
export const activity = pgTable(
  'activity',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    via: text('via', { enum: ['web', 'api', 'mcp', 'cli'] }).notNull(),
    tokenId: uuid('token_id'),
    tokenName: text('token_name'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    targetLabel: text('target_label'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>(),
  },
  (t) => [
    // The feed, newest first, paged by (at, id).
    index('activity_at_id_idx').on(t.at.desc(), t.id.desc()),
    // "My activity" and the admin filter by actor.
    index('activity_actor_id_at_idx').on(t.actorId, t.at.desc(), t.id.desc()),
  ],
)

export type ActivityRow = typeof activity.$inferSelect
