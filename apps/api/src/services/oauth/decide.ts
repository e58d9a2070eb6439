import { and, count, eq, gt, isNull, or } from 'drizzle-orm'
import type { DecideOAuthRequestBody } from '../../contract/index.js'
import { apiTokens, oauthAuthorizations } from '../../db/schema/index.js'
import { badRequest, conflict } from '../../lib/errors.js'
import { randomSecret, sha256Hex } from '../../lib/secrets.js'
import type { ServiceContext } from '../context.js'
import { getSettings } from '../settings/get.js'
import { resolveLifetimeDays } from '../tokens/policy.js'
import { oauthDisabled } from './errors.js'
import { clientStatus } from './find-client.js'
import { findPendingRequest } from './find-request.js'
import { getOAuthSettings } from './get-settings.js'
import { CODE_TTL_MS, MCP_PATH, redirectWith } from './protocol.js'

/**
 * The signed-in user's answer on the consent page. Approving issues a one-time authorization
 * code bound to the client, its redirect URI, its PKCE challenge and the resource; denying sends
 * `access_denied`. Either way the answer is where the console sends the browser: the client's
 * redirect URI with `state` and `iss` (RFC 9207).
 */
export async function decideRequest({
  ctx,
  requestId,
  input,
}: {
  ctx: ServiceContext
  requestId: string
  input: DecideOAuthRequestBody
}): Promise<{ redirectTo: string }> {
  return ctx.db.transaction(async (tx) => {
    const { request, client } = await findPendingRequest(tx, requestId, true)
    const oauth = await getOAuthSettings(tx)
    if (!oauth.enabled) throw oauthDisabled()
    const now = new Date()
    // The issuer the client discovered, whatever address the console was reached at.
    const issuer = request.resource.slice(0, -MCP_PATH.length)
    const back = (params: Record<string, string>) =>
      redirectWith(request.redirectUri, { ...params, state: request.state, iss: issuer })

    if (!input.approve || clientStatus(client, oauth) !== 'active') {
      await tx
        .update(oauthAuthorizations)
        .set({ decidedAt: now, userId: ctx.actor.user.id })
        .where(eq(oauthAuthorizations.id, request.id))
      const description = input.approve
        ? 'The client may not connect to this server.'
        : 'The user denied the request.'
      return { redirectTo: back({ error: 'access_denied', error_description: description }) }
    }

    const requested = request.requestedScopes
    const access = input.scopes ?? requested.filter((s) => s === 'read' || s === 'write')
    if (access.includes('write') && !requested.includes('write')) {
      throw badRequest(
        'invalid_scope',
        'The app did not ask for write access; it cannot be granted.',
      )
    }
    const projectScopes = input.projects?.length
      ? [...new Set(input.projects)].sort().map((key) => `project:${key}`)
      : requested.filter((s) => s.startsWith('project:'))
    const scopes = [...(access.includes('write') ? ['read', 'write'] : ['read']), ...projectScopes]

    const policy = await getSettings(tx)
    const lifetimeDays = resolveLifetimeDays(input.expiresInDays, policy)
    if (policy.tokensPerUser !== null) {
      const [active] = await tx
        .select({ n: count() })
        .from(apiTokens)
        .where(
          and(
            eq(apiTokens.userId, ctx.actor.user.id),
            isNull(apiTokens.revokedAt),
            or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
          ),
        )
      if ((active?.n ?? 0) >= policy.tokensPerUser) {
        throw conflict(
          'token_limit_reached',
          `You already have ${policy.tokensPerUser} active token${policy.tokensPerUser === 1 ? '' : 's'}, the most this server allows; connecting an app adds one. Revoke one first.`,
        )
      }
    }

    const code = randomSecret()
    await tx
      .update(oauthAuthorizations)
      .set({
        decidedAt: now,
        userId: ctx.actor.user.id,
        approvedScopes: scopes,
        grantLifetimeDays: lifetimeDays,
        codeHash: sha256Hex(code),
        codeExpiresAt: new Date(now.getTime() + CODE_TTL_MS),
      })
      .where(eq(oauthAuthorizations.id, request.id))
    return { redirectTo: back({ code }) }
  })
}
