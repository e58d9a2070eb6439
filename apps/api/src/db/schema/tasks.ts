import { sql } from 'drizzle-orm'
import {
  customType,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { projects } from './projects.js'
import { users } from './users.js'

/** PostgreSQL's text-search document type; only SQL reads it (search), never the application. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/**
 * The text-search configuration of task search. English stemming lets "logins" find "login";
 * substrings and other languages are served by the trigram indexes beside it.
 */
export const TASK_SEARCH_CONFIG = 'english'

export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const
export const TASK_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    /** Markdown. */
    description: text('description').notNull().default(''),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('todo'),
    priority: text('priority', { enum: TASK_PRIORITIES }).notNull().default('none'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    dueDate: date('due_date', { mode: 'string' }),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * Words of the title (weight A) and the description (weight B), kept by PostgreSQL. Stored
     * rather than an expression index so ranking reads it instead of parsing every match again.
     * Never selected: see `taskColumns` in services/tasks/query.ts.
     */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        sql.raw(
          `setweight(to_tsvector('${TASK_SEARCH_CONFIG}'::regconfig, "title"), 'A') || setweight(to_tsvector('${TASK_SEARCH_CONFIG}'::regconfig, "description"), 'B')`,
        ),
      ),
  },
  (t) => [
    // `WEB-12` lookups, and the per-project numbering guarantee.
    uniqueIndex('tasks_project_id_number_key').on(t.projectId, t.number),
    // listTasks with a project: `where project_id = $1 order by created_at desc, id desc`, pages
    // by `(created_at, id) < ($2, $3)`; without one, the same per visible project (lateral).
    // NULLS FIRST is what `desc` means in a query; an index in the other NULL order cannot give
    // that order, and PostgreSQL sorts the whole project instead.
    index('tasks_project_id_created_at_idx').on(
      t.projectId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // listTasks by assignee ("my tasks"), same order and cursor; also the assignee's foreign key.
    index('tasks_assignee_id_created_at_idx').on(
      t.assigneeId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // Task search by words: `search @@ websearch_to_tsquery(...)`, ranked by ts_rank(search, ...).
    index('tasks_search_idx').using('gin', t.search),
    // Task search by substring (`title ilike '%text%'`): parts of words, punctuation, any language.
    index('tasks_title_trgm_idx').using('gin', t.title.op('gin_trgm_ops')),
    // The same for `description ilike '%text%'`.
    index('tasks_description_trgm_idx').using('gin', t.description.op('gin_trgm_ops')),
  ],
)

export const comments = pgTable(
  'comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * How the comment was written, and with which token (its name as it was then), as in its
     * activity entry: the console shows "via MCP · “Cursor on laptop”" beside it without reading
     * the activity feed. Null for comments older than these columns that no entry matched.
     */
    via: text('via', { enum: ['web', 'api', 'mcp', 'cli'] }),
    tokenId: uuid('token_id'),
    tokenName: text('token_name'),
  },
  (t) => [
    // A task's comments in order.
    index('comments_task_id_created_at_idx').on(t.taskId, t.createdAt),
  ],
)

export type TaskRow = typeof tasks.$inferSelect
export type CommentRow = typeof comments.$inferSelect
