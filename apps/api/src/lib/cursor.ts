import { type AnyColumn, type SQL, sql } from 'drizzle-orm'
import { badRequest } from './errors.js'
import { isUuid } from './ids.js'

/** Where a list newest first by `(created_at, id)` stopped: the last row of a page. */
export interface TimeCursor {
  at: Date
  id: string
}

export const invalidCursor = () =>
  badRequest('invalid_cursor', 'The cursor is not valid; start again without one.')

/** Opaque to clients; the creation time must have millisecond precision, as a Date has. */
export function encodeTimeCursor(at: Date, id: string) {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

export function decodeTimeCursor(cursor: string): TimeCursor {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const at = new Date(iso ?? '')
  if (!id || rest.length || Number.isNaN(at.getTime()) || !isUuid(id)) throw invalidCursor()
  return { at, id }
}

/**
 * Rows after the cursor in `order by at desc, id desc`. One row comparison rather than
 * `at < $1 or (at = $1 and id < $2)`: PostgreSQL starts the index scan at the cursor with it,
 * where the OR form reads every row of the earlier pages again and filters them out.
 */
export function afterTimeCursor(atColumn: AnyColumn, idColumn: AnyColumn, cursor: TimeCursor): SQL {
  return sql`(${atColumn}, ${idColumn}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`
}
