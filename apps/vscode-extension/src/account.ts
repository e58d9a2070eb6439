/** Commands around an existing connection: status, sign out, rotation, console, MCP config. */
import { Action } from './actions.js'
import { announce } from './announce.js'
import { currentServerUrl } from './connect-flow.js'
import type { FlowContext } from './context.js'
import { buildMcpConfig, TOKEN_ENV_VAR } from './mcp-config.js'
import { describeFailure, describeState, formatDate } from './messages.js'
import type { OAuthResult } from './oauth-client.js'
import { tokensPage } from './server-url.js'
import { asCheckFailure } from './token-refresh.js'
import { type Credential, errorMessage } from './token-store.js'

/** Tessera: Show Connection Status — re-checks now and says what it found. */
export async function showStatus(ctx: FlowContext): Promise<void> {
  const { state } = await ctx.ui.progress('Checking the Tessera connection…', () =>
    ctx.connection.check({ force: true }),
  )
  const explanation = describeState(state, ctx.now())
  const choice = await ctx.ui.show(explanation.level, explanation.message, explanation.actions)
  if (choice === Action.TryAgain) return showStatus(ctx)
  if (choice) {
    await ctx.runAction(choice as Action, {
      ...('serverUrl' in state ? { serverUrl: state.serverUrl } : {}),
      ...(explanation.suggestedServerUrl
        ? { suggestedServerUrl: explanation.suggestedServerUrl }
        : {}),
    })
  }
}

/**
 * Tessera: Sign Out — deletes the secret; the MCP server definition disappears with it. A browser
 * sign-in is ended on the server first (RFC 7009 revocation), so nothing stays connected.
 */
export async function signOut(ctx: FlowContext): Promise<void> {
  const credential = await ctx.store.get()
  if (!credential) {
    announce(ctx, 'info', 'Tessera is not connected: there is no token to remove.')
    return
  }
  if (credential.oauth) {
    const ended = await ctx.ui.progress('Signing out of Tessera…', () =>
      endBrowserSignIn(ctx, credential),
    )
    await ctx.store.clear()
    ctx.log.info(`Signed out of ${credential.serverUrl}.`)
    if (ended.ok) {
      announce(
        ctx,
        'info',
        'Signed out of Tessera: the connection was ended on the server and its tokens were removed from VS Code.',
      )
      return
    }
    const reason = describeFailure(asCheckFailure(ended.failure), credential.serverUrl).message
    announce(
      ctx,
      'warning',
      `Signed out here, but Tessera could not be told (${reason}). The connection stays listed on your API Tokens page until its access expires; revoke it there to end it now.`,
      [Action.OpenTokenPage],
      { serverUrl: credential.serverUrl },
    )
    return
  }
  await ctx.store.clear()
  ctx.log.info(`Signed out of ${credential.serverUrl}.`)
  announce(
    ctx,
    'info',
    'Signed out of Tessera: the token is no longer stored in VS Code. It still works anywhere else you use it until you revoke it in the console.',
    [Action.OpenTokenPage],
    { serverUrl: credential.serverUrl },
  )
}

/** Ends a browser sign-in's grant on the server (its access and refresh tokens stop working). */
export async function endBrowserSignIn(
  ctx: Pick<FlowContext, 'oauth' | 'log'>,
  credential: Credential,
): Promise<OAuthResult<void>> {
  const grant = credential.oauth
  if (!grant) return { ok: true, value: undefined }
  const result = await ctx.oauth.revoke(
    grant.revocationEndpoint ?? `${credential.serverUrl}/oauth/revoke`,
    { clientId: grant.clientId, token: grant.refreshToken },
  )
  if (!result.ok) ctx.log.warn(`Could not end the browser sign-in to ${credential.serverUrl}.`)
  return result
}

/**
 * Tessera: Rotate Token — the server issues a new secret for the same token (same name,
 * scopes and lifetime) and the old one stops working at once, so the new one is stored right away.
 */
export async function rotateToken(ctx: FlowContext): Promise<boolean> {
  const configured = await ctx.connection.configured()
  if (!configured) {
    announce(ctx, 'info', 'Tessera is not connected.', [Action.Connect])
    return false
  }
  if (configured.browser) {
    announce(
      ctx,
      'info',
      'You signed in with the browser: Tessera renews that access by itself every hour, so there is no token to rotate.',
    )
    return false
  }
  const { serverUrl, token } = configured
  const result = await ctx.ui.progress('Rotating your Tessera token…', () =>
    ctx.clientFor(serverUrl).rotateSelf(token),
  )
  if (!result.ok) {
    const explanation = describeFailure(result.failure, serverUrl)
    const choice = await ctx.ui.show(
      'error',
      `Could not rotate the token. ${explanation.message}`,
      explanation.actions,
    )
    if (choice === Action.TryAgain) return rotateToken(ctx)
    if (choice) await ctx.runAction(choice as Action, { serverUrl })
    return false
  }
  const { token: rotated, secret } = result.value
  try {
    await ctx.store.set({ serverUrl, token: secret })
  } catch (error) {
    // The old secret is already dead: without this copy the user would be locked out.
    const copy = 'Copy New Token'
    const choice = await ctx.ui.show(
      'error',
      `The token was rotated, but VS Code could not store the new secret (${errorMessage(error)}). Copy it now: it cannot be shown again.`,
      [copy],
      { modal: true },
    )
    if (choice === copy) await ctx.ui.copyToClipboard(secret)
    return false
  }
  ctx.log.info(`Rotated token ${rotated.prefix}… on ${serverUrl}.`)
  const expiry = rotated.expiresAt ? `expires ${formatDate(rotated.expiresAt)}` : 'does not expire'
  announce(
    ctx,
    'info',
    `Token "${rotated.name}" rotated: the new secret is stored and ${expiry}; the old one no longer works. Tessera's MCP server picks it up without a restart.`,
  )
  return true
}

/** Tessera: Open Console (or its API Tokens page). */
export async function openConsole(
  ctx: FlowContext,
  page: 'home' | 'tokens' = 'home',
  /** The server being connected to, before it is saved in the setting. */
  serverUrlOverride?: string,
): Promise<void> {
  const serverUrl = serverUrlOverride ?? currentServerUrl(ctx)
  if (serverUrl === undefined) {
    announce(ctx, 'info', 'Set your Tessera server URL first.', [Action.Connect])
    return
  }
  await ctx.ui.openExternal(page === 'tokens' ? tokensPage(serverUrl) : `${serverUrl}/`)
}

/** Tessera: Copy MCP Configuration — for editors that cannot take the server from this extension. */
export async function copyMcpConfig(ctx: FlowContext): Promise<void> {
  const serverUrl = currentServerUrl(ctx)
  if (serverUrl === undefined) {
    announce(ctx, 'info', 'Set your Tessera server URL first.', [Action.Connect])
    return
  }
  const flavor = await ctx.ui.pick('Which configuration file?', [
    {
      id: 'vscode',
      label: 'mcp.json (VS Code and compatible editors)',
      description: 'asks for the token when the server starts',
    },
    {
      id: 'cursor',
      label: 'mcp.json (Cursor, Windsurf and others)',
      description: `reads the token from the ${TOKEN_ENV_VAR} environment variable`,
    },
  ] as const)
  if (flavor === undefined) return
  await ctx.ui.copyToClipboard(buildMcpConfig(serverUrl, flavor))
  announce(
    ctx,
    'info',
    flavor === 'vscode'
      ? 'Copied. Paste it into .vscode/mcp.json (or your user mcp.json); the editor asks for your token the first time the server starts and keeps it encrypted.'
      : `Copied. Paste it into your editor's mcp.json and set ${TOKEN_ENV_VAR} in the environment the editor starts from. The token is not in the file.`,
  )
}
