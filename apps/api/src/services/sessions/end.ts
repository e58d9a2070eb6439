import { and, eq, ne } from 'drizzle-orm'
import { sessions } from '../../db/schema/index.js'
import { notFound } from '../../lib/errors.js'
import { isUuid } from '../../lib/ids.js'
import { recordActivity } from '../activity/record.js'
import type { ServiceContext } from '../context.js'

/**
 * Signs one of the acting user's console sessions out. Another user's session, or one that does
 * not exist, is "not found": the answer never tells whose it is.
 */
export async function endSession({ ctx, input }: { ctx: ServiceContext; input: { id: string } }) {
  if (!isUuid(input.id)) throw notFound('Session')
  return ctx.db.transaction(async (tx) => {
    const [ended] = await tx
      .delete(sessions)
      .where(and(eq(sessions.id, input.id), eq(sessions.userId, ctx.actor.user.id)))
      .returning({ id: sessions.id })
    if (!ended) throw notFound('Session')
    await recordActivity(tx, ctx.actor, {
      action: 'user.sessions_ended',
      target: { type: 'user', id: ctx.actor.user.id, label: ctx.actor.user.email },
      changes: { sessions: { before: null, after: 1 } },
    })
    return ended
  })
}

/** Signs out every console session of the acting user except `keepSessionId`; returns how many. */
export async function endOtherSessions({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { keepSessionId: string }
}) {
  return ctx.db.transaction(async (tx) => {
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, ctx.actor.user.id), ne(sessions.id, input.keepSessionId)))
      .returning({ id: sessions.id })
    if (ended.length > 0) {
      await recordActivity(tx, ctx.actor, {
        action: 'user.sessions_ended',
        target: { type: 'user', id: ctx.actor.user.id, label: ctx.actor.user.email },
        changes: { sessions: { before: null, after: ended.length } },
      })
    }
    return ended.length
  })
}
