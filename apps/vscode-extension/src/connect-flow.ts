/**
 * Connecting: ask for the server URL (checked for shape, then reachability), then how to sign in:
 * with the browser (OAuth, see browser-sign-in.ts), or by pasting a token (checked for format,
 * then by the server). Secrets are stored only after the server accepted them, and only in
 * secret storage.
 */
import { checkTokenFormat } from '@tessera/core'
import { endBrowserSignIn } from './account.js'
import { Action } from './actions.js'
import { announce } from './announce.js'
import { signInWithBrowser } from './browser-sign-in.js'
import type { FlowContext } from './context.js'
import { describeBrowserConnected, describeConnected, describeFailure } from './messages.js'
import { describeNote, normalizeServerUrl } from './server-url.js'
import { checkToken, cleanTokenInput, type Identity } from './token-check.js'
import { type Credential, errorMessage } from './token-store.js'

export interface ConnectOptions {
  /** Pre-filled server URL (from a link or the current setting). */
  serverUrl?: string
  /** The URL came from a link: ask the user to check it. */
  fromLink?: boolean
}

type TokenStep =
  | { kind: 'accepted'; token: string; identity: Identity }
  | { kind: 'change_server' }
  | { kind: 'cancelled' }

/**
 * Tessera: Connect… — server URL, then "Sign in with browser" (first) or a pasted token; stores
 * the credential once the server accepted it.
 */
export async function connect(ctx: FlowContext, options: ConnectOptions = {}): Promise<boolean> {
  let prefill = options.serverUrl ?? currentServerUrl(ctx)
  let fromLink = options.fromLink ?? false
  for (;;) {
    const serverUrl = await askServerUrl(ctx, { prefill, fromLink, step: '1/2' })
    if (serverUrl === undefined) return false
    let tokenTitle = 'Connect Tessera (2/2)'
    if (ctx.browserSignIn) {
      const method = await ctx.ui.pick('Connect Tessera (2/2): how do you want to sign in?', [
        {
          id: 'browser',
          label: 'Sign in with browser',
          description: 'approve in the Tessera console; no token to copy',
        },
        {
          id: 'token',
          label: 'Paste an API token',
          description: "one you created on the console's API Tokens page",
        },
      ] as const)
      if (method === undefined) return false
      if (method === 'browser') {
        const outcome = await browserStep(ctx, serverUrl)
        if (outcome !== 'paste') return outcome
      }
      tokenTitle = 'Connect Tessera: paste a token'
    }
    const step = await askToken(ctx, serverUrl, tokenTitle)
    if (step.kind === 'cancelled') return false
    if (step.kind === 'change_server') {
      prefill = serverUrl
      fromLink = false
      continue
    }
    return saveConnection(ctx, { serverUrl, token: step.token }, step.identity)
  }
}

/** "Sign In with Browser" from a message: the server is known, straight to the browser. */
export async function signInAgain(ctx: FlowContext, serverUrl?: string): Promise<boolean> {
  const server = serverUrl ?? currentServerUrl(ctx)
  if (server === undefined || !ctx.browserSignIn) return connect(ctx)
  const outcome = await browserStep(ctx, server)
  if (outcome !== 'paste') return outcome
  return replaceToken(ctx)
}

/** The browser sign-in, with what to do when it does not work out: try again, or paste a token. */
async function browserStep(ctx: FlowContext, serverUrl: string): Promise<boolean | 'paste'> {
  const deps = ctx.browserSignIn
  if (!deps) return 'paste'
  for (;;) {
    const result = await signInWithBrowser(ctx, deps, serverUrl)
    let choice: string | undefined
    switch (result.kind) {
      case 'connected':
        return saveConnection(ctx, result.credential, result.identity)
      case 'cancelled':
        ctx.log.info('Browser sign-in cancelled.')
        return false
      case 'denied':
        ctx.log.info('Browser sign-in denied on the consent page.')
        choice = await ctx.ui.show(
          'warning',
          'The connection was denied in the browser, so VS Code stored nothing.',
          [Action.TryAgain, Action.PasteToken],
        )
        break
      case 'unavailable':
        ctx.log.warn(result.message)
        choice = await ctx.ui.show('warning', result.message, [Action.PasteToken])
        break
      case 'failed': {
        const detail = result.failure ? describeFailure(result.failure, serverUrl).message : ''
        const message = detail ? `${result.message} ${detail}` : result.message
        ctx.log.warn(`Browser sign-in to ${serverUrl} failed: ${message}`)
        choice = await ctx.ui.show('error', message, [Action.TryAgain, Action.PasteToken])
        break
      }
    }
    if (choice === Action.TryAgain) continue
    if (choice === Action.PasteToken) return 'paste'
    return false
  }
}

/** Tessera: Replace Token… — keeps the server, asks for a new token. */
export async function replaceToken(ctx: FlowContext): Promise<boolean> {
  const serverUrl = currentServerUrl(ctx)
  if (serverUrl === undefined) return connect(ctx)
  const step = await askToken(ctx, serverUrl, 'Tessera: Replace Token')
  if (step.kind === 'change_server') return connect(ctx, { serverUrl })
  if (step.kind === 'cancelled') return false
  return saveConnection(ctx, { serverUrl, token: step.token }, step.identity)
}

/**
 * Tessera: Set Server URL… — the walkthrough's first step: saves the URL alone. A token saved
 * for another server is not sent to the new one unless the user says so.
 */
export async function setServerUrl(ctx: FlowContext): Promise<boolean> {
  const serverUrl = await askServerUrl(ctx, { prefill: currentServerUrl(ctx), fromLink: false })
  if (serverUrl === undefined) return false
  await ctx.settings.setServerUrl(serverUrl)
  const credential = await ctx.store.get()
  if (credential?.oauth && credential.serverUrl !== serverUrl) {
    // A browser sign-in belongs to the server that granted it: sign in to the new one instead.
    const choice = await ctx.ui.show(
      'info',
      `You signed in to ${credential.serverUrl} with the browser. Sign in to ${serverUrl} too?`,
      [Action.SignIn],
    )
    if (choice === Action.SignIn) return signInAgain(ctx, serverUrl)
    return true
  }
  if (credential && credential.serverUrl !== serverUrl) {
    const choice = await ctx.ui.show(
      'warning',
      `Your saved token belongs to ${credential.serverUrl}. Send it to ${serverUrl} to check whether it works there too, or paste another token?`,
      [Action.UseToken, Action.ReplaceToken],
    )
    if (choice === Action.UseToken) return useSavedTokenWith(ctx, serverUrl)
    if (choice === Action.ReplaceToken) return replaceToken(ctx)
  }
  return true
}

/** Re-validates the token saved for another server against `serverUrl`, and moves it there. */
export async function useSavedTokenWith(ctx: FlowContext, serverUrl: string): Promise<boolean> {
  const credential = await ctx.store.get()
  if (!credential) return replaceToken(ctx)
  if (credential.oauth) return signInAgain(ctx, serverUrl)
  const result = await ctx.ui.progress(`Checking your token with ${serverUrl}…`, () =>
    checkToken(ctx.clientFor(serverUrl), credential.token),
  )
  if (!result.ok) {
    const explanation = describeFailure(result.failure, serverUrl)
    const choice = await ctx.ui.show('error', explanation.message, explanation.actions)
    if (choice) await ctx.runAction(choice as Action, { serverUrl })
    return false
  }
  return saveConnection(ctx, { serverUrl, token: credential.token }, result.identity)
}

/** The normalised `tessera.serverUrl`, or undefined when unset or unusable. */
export function currentServerUrl(ctx: FlowContext): string | undefined {
  const verdict = normalizeServerUrl(ctx.settings.serverUrl())
  return verdict.ok ? verdict.url : undefined
}

async function askServerUrl(
  ctx: FlowContext,
  options: { prefill: string | undefined; fromLink: boolean; step?: string },
): Promise<string | undefined> {
  let prefill = options.prefill
  for (;;) {
    const raw = await ctx.ui.input({
      title: options.step ? `Connect Tessera (${options.step})` : 'Tessera: Server URL',
      prompt: options.fromLink
        ? 'A link asked to connect VS Code to this Tessera server. Check that it is your server, then press Enter.'
        : 'Address of your Tessera server: the one you open the console at.',
      placeHolder: 'https://tessera.example.com',
      ...(prefill ? { value: prefill } : {}),
      validate: (value) => {
        const verdict = normalizeServerUrl(value)
        return verdict.ok ? undefined : verdict.problem
      },
    })
    if (raw === undefined) return undefined
    const verdict = normalizeServerUrl(raw)
    if (!verdict.ok) {
      prefill = raw
      continue
    }
    const serverUrl = verdict.url
    const insecure = verdict.notes.find((note) => note.kind === 'insecure_http')
    if (insecure) {
      const choice = await ctx.ui.show(
        'warning',
        describeNote(insecure) ?? '',
        [Action.ContinueAnyway],
        {
          modal: true,
        },
      )
      if (choice !== Action.ContinueAnyway) {
        prefill = raw
        continue
      }
    }
    for (const note of verdict.notes) {
      const text = note.kind === 'insecure_http' ? undefined : describeNote(note)
      if (text) ctx.log.info(text)
    }

    const next = await probeUntilDone(ctx, serverUrl)
    if (next.kind === 'ok') return serverUrl
    if (next.kind === 'cancelled') return undefined
    prefill = next.prefill
  }
}

async function probeUntilDone(
  ctx: FlowContext,
  serverUrl: string,
): Promise<{ kind: 'ok' } | { kind: 'cancelled' } | { kind: 'edit'; prefill: string }> {
  for (;;) {
    const probe = await ctx.ui.progress(`Looking for Tessera at ${serverUrl}…`, () =>
      ctx.clientFor(serverUrl).probe(),
    )
    if (probe.ok) return { kind: 'ok' }
    const explanation = describeFailure(probe.failure, serverUrl)
    ctx.log.warn(explanation.message)
    const useSuggestion = explanation.suggestedServerUrl
      ? `Use ${explanation.suggestedServerUrl}`
      : undefined
    const actions = explanation.actions.filter((action) => action !== Action.ChangeServerUrl)
    const choice = await ctx.ui.show('error', explanation.message, [
      ...(useSuggestion ? [useSuggestion] : []),
      ...actions,
      Action.ChangeServerUrl,
    ])
    if (choice === Action.TryAgain) continue
    if (useSuggestion && choice === useSuggestion) {
      return { kind: 'edit', prefill: explanation.suggestedServerUrl ?? serverUrl }
    }
    if (choice === Action.ChangeServerUrl) return { kind: 'edit', prefill: serverUrl }
    if (choice) await ctx.runAction(choice as Action, { serverUrl })
    return { kind: 'cancelled' }
  }
}

async function askToken(ctx: FlowContext, serverUrl: string, title: string): Promise<TokenStep> {
  for (;;) {
    const raw = await ctx.ui.input({
      title,
      prompt: `Paste your API token for ${serverUrl}. It is checked with the server, then kept only in VS Code's secret storage.`,
      placeHolder: 'tsr_…',
      password: true,
      validate: (value) => {
        const token = cleanTokenInput(value)
        if (token === '') return undefined
        const format = checkTokenFormat(token)
        return format.ok
          ? undefined
          : describeFailure({ kind: 'format', code: format.code }, serverUrl).message
      },
    })
    if (raw === undefined || cleanTokenInput(raw) === '') return { kind: 'cancelled' }
    const token = cleanTokenInput(raw)

    for (;;) {
      const result = await ctx.ui.progress('Checking the token with Tessera…', () =>
        checkToken(ctx.clientFor(serverUrl), token),
      )
      if (result.ok) return { kind: 'accepted', token, identity: result.identity }
      const explanation = describeFailure(result.failure, serverUrl)
      ctx.log.warn(`Token refused for ${serverUrl}: ${explanation.message}`)
      // "Replace Token" here simply means: paste another one.
      const actions = explanation.actions.map((action) =>
        action === Action.ReplaceToken ? PASTE_ANOTHER : action,
      )
      const choice = await ctx.ui.show('error', explanation.message, actions)
      if (choice === Action.TryAgain) continue
      if (choice === PASTE_ANOTHER) break
      if (choice === Action.OpenTokenPage) {
        await ctx.runAction(Action.OpenTokenPage, { serverUrl })
        break
      }
      if (choice === Action.ChangeServerUrl) return { kind: 'change_server' }
      return { kind: 'cancelled' }
    }
  }
}

const PASTE_ANOTHER = 'Paste Another Token'

async function saveConnection(
  ctx: FlowContext,
  credential: Credential,
  identity: Identity,
): Promise<boolean> {
  const { serverUrl } = credential
  const previous = await ctx.store.get()
  try {
    await ctx.store.set(credential)
  } catch (error) {
    const what = credential.oauth ? 'You are signed in' : 'The token is valid'
    announce(
      ctx,
      'error',
      `${what}, but VS Code could not store it in its secret storage: ${errorMessage(error)}. On Linux, make sure a keyring (GNOME Keyring, KWallet) is running, then try again.`,
    )
    if (credential.oauth) void endBrowserSignIn(ctx, credential)
    return false
  }
  // The browser sign-in this replaces would otherwise stay connected, unused, on the server.
  if (previous?.oauth && previous.oauth.refreshToken !== credential.oauth?.refreshToken) {
    void endBrowserSignIn(ctx, previous)
  }
  if (currentServerUrl(ctx) !== serverUrl) await ctx.settings.setServerUrl(serverUrl)
  ctx.log.info(
    credential.oauth
      ? `Connected to ${serverUrl} by signing in with the browser.`
      : `Connected to ${serverUrl} with token ${identity.tokenPrefix}…`,
  )
  const where =
    ctx.mcpHost === 'none'
      ? ' This editor cannot register MCP servers from extensions: copy the MCP configuration into its settings.'
      : ' Its tools are now available to chat.'
  const actions = ctx.mcpHost === 'none' ? [Action.CopyMcpConfig] : []
  const connected = credential.oauth
    ? describeBrowserConnected(serverUrl, identity)
    : describeConnected(serverUrl, identity, ctx.now())
  announce(ctx, 'info', `${connected}${where}`, actions, { serverUrl })
  return true
}
