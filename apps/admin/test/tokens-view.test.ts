import type { OAuthGrant, Settings, Token, TokenList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import TokensView from '../src/views/tokens-view.vue'
import { makePolicy, makeToken } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  listTokens: vi.fn<(page?: { cursor?: string; limit?: number }) => Promise<TokenList>>(),
  getTokenPolicy: vi.fn<() => Promise<Settings>>(),
  createToken: vi.fn(),
  rotateToken: vi.fn(),
  revokeToken: vi.fn(),
}))
vi.mock('../src/api/tokens', () => api)
const projectsApi = vi.hoisted(() => ({ listProjects: vi.fn(async () => []) }))
vi.mock('../src/api/projects', () => projectsApi)
const oauthApi = vi.hoisted(() => ({
  listConnectedApps: vi.fn(async (): Promise<OAuthGrant[]> => []),
  disconnectApp: vi.fn(),
}))
vi.mock('../src/api/oauth', () => oauthApi)

afterEach(() => {
  document.body.innerHTML = ''
})

/** Token names link to their detail page: the view needs a router. */
const mountOptions = async () => ({
  attachTo: document.body,
  global: { plugins: [await routerAt('/tokens')] },
})

async function mountView(tokens: Token[], policy: Settings) {
  api.listTokens.mockResolvedValue({ tokens, nextCursor: null })
  api.getTokenPolicy.mockResolvedValue(policy)
  const wrapper = mount(TokensView, await mountOptions())
  await flushPromises()
  return wrapper
}

const buttonTexts = (wrapper: Awaited<ReturnType<typeof mountView>>) =>
  wrapper.findAll('.page-actions button').map((button) => button.text())

describe('tokens page', () => {
  it('offers "Create New Token" and row actions when people may hold several tokens', async () => {
    const wrapper = await mountView([makeToken({ name: 'CI' })], makePolicy())
    expect(buttonTexts(wrapper)).toEqual(['Create New Token'])
    expect(wrapper.find('button[aria-label="Rotate CI"]').exists()).toBe(true)
  })

  it('in one-token-per-user mode offers "Generate Token" and "Delete Token" instead', async () => {
    const wrapper = await mountView([makeToken({ name: 'Mine' })], makePolicy({ tokensPerUser: 1 }))
    expect(buttonTexts(wrapper)).toEqual(['Delete Token', 'Generate Token'])
    expect(wrapper.find('button[aria-label="Rotate Mine"]').exists()).toBe(false)
    await wrapper.findAll('.page-actions button')[1]?.trigger('click')
    expect(wrapper.get('dialog').text()).toContain('replaces “Mine”')
  })

  it('disables creating when the per-user limit is reached and says why', async () => {
    const wrapper = await mountView(
      [makeToken({ name: 'A' }), makeToken({ name: 'B' })],
      makePolicy({ tokensPerUser: 2 }),
    )
    expect(wrapper.get('.page-actions button').attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('reached the limit of 2 active tokens')
  })

  it('names the token in the revoke confirmation and revokes it on confirm', async () => {
    const wrapper = await mountView([makeToken({ name: 'Cursor MCP' })], makePolicy())
    api.revokeToken.mockResolvedValue(undefined)
    await wrapper.get('button[aria-label="Revoke Cursor MCP"]').trigger('click')
    const dialog = wrapper.get('dialog[role="alertdialog"]')
    expect(dialog.text()).toContain('Revoke “Cursor MCP”?')
    await dialog.findAll('footer button')[1]?.trigger('click')
    await flushPromises()
    expect(api.revokeToken).toHaveBeenCalledTimes(1)
    expect(wrapper.find('dialog').exists()).toBe(false)
  })

  it('reads the tokens a page at a time and adds older ones on request', async () => {
    api.listTokens.mockReset()
    api.listTokens
      .mockResolvedValueOnce({ tokens: [makeToken({ name: 'Newest' })], nextCursor: 'page-2' })
      .mockResolvedValueOnce({ tokens: [makeToken({ name: 'Oldest' })], nextCursor: null })
    api.getTokenPolicy.mockResolvedValue(makePolicy())
    const wrapper = mount(TokensView, await mountOptions())
    await flushPromises()
    expect(api.listTokens).toHaveBeenLastCalledWith({ cursor: undefined, limit: 100 })
    expect(wrapper.text()).toContain('Newest')
    const more = wrapper.findAll('button').find((b) => b.text() === 'Load Older Tokens')
    await more?.trigger('click')
    await flushPromises()
    expect(api.listTokens).toHaveBeenLastCalledWith({ cursor: 'page-2', limit: 100 })
    expect(wrapper.text()).toContain('Newest')
    expect(wrapper.text()).toContain('Oldest')
    expect(wrapper.findAll('button').some((b) => b.text() === 'Load Older Tokens')).toBe(false)
  })

  it('shows an error with a retry when the tokens cannot be loaded', async () => {
    api.listTokens.mockRejectedValueOnce(new Error('offline'))
    api.getTokenPolicy.mockResolvedValue(makePolicy())
    const wrapper = mount(TokensView, await mountOptions())
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('Could not load your tokens')
    api.listTokens.mockResolvedValue({ tokens: [], nextCursor: null })
    await wrapper.get('[role="alert"] button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="tokens-empty"]').exists()).toBe(true)
  })

  it('warns about tokens that expire within 7 days; Rotate there asks to rotate that one', async () => {
    const expiresAt = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString()
    const wrapper = await mountView(
      [makeToken({ name: 'Cursor MCP', expiresAt }), makeToken({ name: 'CI' })],
      makePolicy(),
    )
    const banner = wrapper.get('[data-testid="expiry-banner"]')
    expect(banner.text()).toContain('Cursor MCP expires in 3 days')
    expect(banner.text()).not.toContain('CI')
    await banner.get('button[aria-label="Rotate Cursor MCP"]').trigger('click')
    const confirm = wrapper.get('dialog[role="alertdialog"]')
    expect(confirm.text()).toContain('“Cursor MCP”')
    expect(confirm.text()).toContain('The old token stops working')
  })

  it('lists apps connected through OAuth under Connected Apps, not among the personal tokens', async () => {
    const personal = makeToken({ name: 'CI' })
    const oauthToken = makeToken({ name: 'Claude Desktop (OAuth)' })
    oauthApi.listConnectedApps.mockResolvedValueOnce([makeGrant(oauthToken)])
    const wrapper = await mountView([personal, oauthToken], makePolicy())
    const tokenNames = wrapper
      .findAll('[data-testid="token-row"] .cell-strong')
      .map((c) => c.text())
    expect(tokenNames).toEqual(['CI'])
    const apps = wrapper.findAll('[data-testid="connected-app-row"]')
    expect(apps.map((row) => row.find('.cell-strong').text())).toEqual(['Claude Desktop'])
  })
})

function makeGrant(token: Token): OAuthGrant {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    client: { id: '00000000-0000-4000-8000-0000000000bb', name: 'Claude Desktop', clientUri: null },
    scopes: token.scopes,
    createdAt: token.createdAt,
    expiresAt: null,
    lastRefreshedAt: null,
    revokedAt: null,
    status: 'active',
    token,
  }
}
