/**
 * Connecting: ask for the server URL (checked for shape, then reachability), then for the token
 * (checked for format, then by the server). The secret is stored only after the server accepted
 * it, and only in secret storage.
 */
import { checkTokenFormat } from '@tessera/core'
import { Action } from './actions.js'
import { announce } from './announce.js'
import type { FlowContext } from './context.js'
import { describeConnected, describeFailure } from './messages.js'
import { describeNote, normalizeServerUrl } from './server-url.js'
import { checkToken, cleanTokenInput, type Identity } from './token-check.js'
import { errorMessage } from './token-store.js'

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

/** Tessera: Connect… — server URL, then token; stores both once the token is accepted. */
export async function connect(ctx: FlowContext, options: ConnectOptions = {}): Promise<boolean> {
  let prefill = options.serverUrl ?? currentServerUrl(ctx)
  let fromLink = options.fromLink ?? false
  for (;;) {
    const serverUrl = await askServerUrl(ctx, { prefill, fromLink, step: '1/2' })
    if (serverUrl === undefined) return false
    const step = await askToken(ctx, serverUrl, 'Connect Tessera (2/2)')
    if (step.kind === 'cancelled') return false
    if (step.kind === 'change_server') {
      prefill = serverUrl
      fromLink = false
      continue
    }
    return saveConnection(ctx, serverUrl, step.token, step.identity)
  }
}

/** Tessera: Replace Token… — keeps the server, asks for a new token. */
export async function replaceToken(ctx: FlowContext): Promise<boolean> {
  const serverUrl = currentServerUrl(ctx)
  if (serverUrl === undefined) return connect(ctx)
  const step = await askToken(ctx, serverUrl, 'Tessera: Replace Token')
  if (step.kind === 'change_server') return connect(ctx, { serverUrl })
  if (step.kind === 'cancelled') return false
  return saveConnection(ctx, serverUrl, step.token, step.identity)
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
  const result = await ctx.ui.progress(`Checking your token with ${serverUrl}…`, () =>
    checkToken(ctx.clientFor(serverUrl), credential.token),
  )
  if (!result.ok) {
    const explanation = describeFailure(result.failure, serverUrl)
    const choice = await ctx.ui.show('error', explanation.message, explanation.actions)
    if (choice) await ctx.runAction(choice as Action, { serverUrl })
    return false
  }
  return saveConnection(ctx, serverUrl, credential.token, result.identity)
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
  serverUrl: string,
  token: string,
  identity: Identity,
): Promise<boolean> {
  try {
    await ctx.store.set({ serverUrl, token })
  } catch (error) {
    announce(
      ctx,
      'error',
      `The token is valid, but VS Code could not store it in its secret storage: ${errorMessage(error)}. On Linux, make sure a keyring (GNOME Keyring, KWallet) is running, then try again.`,
    )
    return false
  }
  if (currentServerUrl(ctx) !== serverUrl) await ctx.settings.setServerUrl(serverUrl)
  ctx.log.info(`Connected to ${serverUrl} with token ${identity.tokenPrefix}…`)
  const where =
    ctx.mcpHost === 'none'
      ? ' This editor cannot register MCP servers from extensions: copy the MCP configuration into its settings.'
      : ' Its tools are now available to chat.'
  const actions = ctx.mcpHost === 'none' ? [Action.CopyMcpConfig] : []
  announce(ctx, 'info', `${describeConnected(serverUrl, identity, ctx.now())}${where}`, actions, {
    serverUrl,
  })
  return true
}
