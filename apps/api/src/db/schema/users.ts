import { sql } from 'drizzle-orm'
import { boolean, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id PHC string. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'member'] })
      .notNull()
      .default('member'),
    disabled: boolean('disabled').notNull().default(false),
    /** Set by an administrator: the next console sign-in must choose a new password first. */
    passwordChangeRequired: boolean('password_change_required').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Sign-in looks users up by email, case-insensitively; also enforces uniqueness that way.
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
  ],
)

export type UserRow = typeof users.$inferSelect
