import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { apiTokens } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'

/**
 * A token by id, locked for update, restricted to one owner unless `ownerId` is null (admins).
 * Someone else's token answers 404 exactly like a token that does not exist.
 */
export async function findTokenForUpdate(tx: Executor, id: string, ownerId: string | null) {
  if (!isUuid(id)) throw notFound('Token')
  const where = ownerId
    ? and(eq(apiTokens.id, id), eq(apiTokens.userId, ownerId))
    : eq(apiTokens.id, id)
  const [row] = await tx.select().from(apiTokens).where(where).for('update')
  if (!row) throw notFound('Token')
  return row
}
