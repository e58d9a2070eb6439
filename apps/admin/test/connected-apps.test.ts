import type { OAuthGrant } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ConnectedApps from '../src/components/connected-apps.vue'
import { makeToken } from './fixtures'

const api = vi.hoisted(() => ({
  listConnectedApps: vi.fn<() => Promise<OAuthGrant[]>>(),
  disconnectApp: vi.fn<(id: string) => Promise<void>>(),
}))
vi.mock('../src/api/oauth', () => api)

afterEach(() => {
  document.body.innerHTML = ''
  vi.resetAllMocks()
})

let counter = 0
function makeGrant(overrides: Partial<OAuthGrant> & { name?: string } = {}): OAuthGrant {
  counter += 1
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`
  const { name = `App ${counter}`, ...rest } = overrides
  return {
    id,
    client: { id, name, clientUri: 'https://claude.ai/about' },
    scopes: ['read', 'write'],
    createdAt: '2025-01-10T10:00:00.000Z',
    expiresAt: null,
    lastRefreshedAt: null,
    revokedAt: null,
    status: 'active',
    token: makeToken({
      name: `${name} (OAuth)`,
      lastUsedAt: '2025-01-11T10:00:00.000Z',
      lastUsedIp: '10.0.0.5',
    }),
    ...rest,
  }
}

async function mountApps(grants: OAuthGrant[]) {
  api.listConnectedApps.mockResolvedValue(grants)
  const wrapper = mount(ConnectedApps, { attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('connected apps', () => {
  it('shows each app with its access, site, last use, and connected ones first', async () => {
    const ended = makeGrant({
      name: 'Old client',
      status: 'revoked',
      revokedAt: '2025-01-12T10:00:00.000Z',
    })
    const live = makeGrant({ name: 'Claude', scopes: ['read', 'project:WEB'] })
    const wrapper = await mountApps([ended, live])
    const rows = wrapper.findAll('[data-testid="connected-app-row"]')
    expect(rows.map((row) => row.find('.cell-strong').text())).toEqual(['Claude', 'Old client'])
    expect(rows[0]?.text()).toContain('Read only')
    expect(rows[0]?.text()).toContain('limited to WEB')
    expect(rows[0]?.text()).toContain('claude.ai')
    expect(rows[0]?.text()).toContain('from 10.0.0.5')
    expect(rows[1]?.find('button').exists()).toBe(false)
    expect(wrapper.emitted('loaded')?.[0]?.[0]).toEqual(new Set([ended.token.id, live.token.id]))
  })

  it('with none, says how to connect one by the MCP address', async () => {
    const wrapper = await mountApps([])
    expect(wrapper.get('[data-testid="connected-apps-empty"]').text()).toContain('/api/v1/mcp')
  })

  it('disconnects after confirmation, then reloads and tells the page', async () => {
    const grant = makeGrant({ name: 'Cursor' })
    const wrapper = await mountApps([grant])
    api.disconnectApp.mockResolvedValue(undefined)
    await wrapper.get('button[aria-label="Disconnect Cursor"]').trigger('click')
    const dialog = wrapper.get('dialog')
    expect(dialog.text()).toContain('stops working on its next request')
    api.listConnectedApps.mockResolvedValue([{ ...grant, status: 'revoked' }])
    await dialog
      .findAll('button')
      .find((b) => b.text() === 'Disconnect')
      ?.trigger('click')
    await flushPromises()
    expect(api.disconnectApp).toHaveBeenCalledWith(grant.id)
    expect(wrapper.emitted('disconnected')).toHaveLength(1)
    expect(wrapper.find('button[aria-label="Disconnect Cursor"]').exists()).toBe(false)
  })

  it('keeps the dialog open with the reason when disconnecting fails', async () => {
    const grant = makeGrant({ name: 'Cursor' })
    const wrapper = await mountApps([grant])
    api.disconnectApp.mockRejectedValue(new Error('offline'))
    await wrapper.get('button[aria-label="Disconnect Cursor"]').trigger('click')
    await wrapper
      .get('dialog')
      .findAll('button')
      .find((b) => b.text() === 'Disconnect')
      ?.trigger('click')
    await flushPromises()
    expect(wrapper.get('dialog').text()).toContain('Something unexpected went wrong')
    expect(wrapper.emitted('disconnected')).toBeUndefined()
  })
})
