import type { Settings } from '../../contract/index.js'
import type { Executor } from '../../db/client.js'
import { settings } from '../../db/schema/index.js'

export const DEFAULT_SETTINGS: Settings = {
  maxTokenLifetimeDays: null,
  tokenExpiryRequired: false,
  tokensPerUser: null,
  membersCanManageTokens: true,
}

/** The workspace policy; defaults until an admin saves one. */
export async function getSettings(db: Executor): Promise<Settings> {
  const [row] = await db.select().from(settings).limit(1)
  if (!row) return { ...DEFAULT_SETTINGS }
  return {
    maxTokenLifetimeDays: row.maxTokenLifetimeDays,
    tokenExpiryRequired: row.tokenExpiryRequired,
    tokensPerUser: row.tokensPerUser,
    membersCanManageTokens: row.membersCanManageTokens,
  }
}
