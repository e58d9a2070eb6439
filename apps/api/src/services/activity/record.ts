import type { Executor } from '../../db/client.js'
import { activity } from '../../db/schema/index.js'
import type { Actor } from '../context.js'

export interface ActivityInput {
  action: string
  target: { type: string; id: string; label?: string | null }
  /** The project the change happened in; omit for account-level changes. */
  projectId?: string | null
  changes?: Record<string, { before: unknown; after: unknown }> | null
}

/** Writes one activity entry; call it inside the transaction that makes the change. */
export async function recordActivity(tx: Executor, actor: Actor, input: ActivityInput) {
  await tx.insert(activity).values({
    actorId: actor.user.id,
    via: actor.via,
    projectId: input.projectId ?? null,
    tokenId: actor.token?.id ?? null,
    tokenName: actor.token?.name ?? null,
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id,
    targetLabel: input.target.label ?? null,
    changes: input.changes ?? null,
  })
}

/** Before/after pairs of the fields that actually changed. */
export function diff<T extends Record<string, unknown>>(
  before: T,
  after: Partial<T>,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {}
  for (const [key, value] of Object.entries(after)) {
    if (value !== undefined && before[key] !== value) {
      changes[key] = { before: before[key], after: value }
    }
  }
  return changes
}
