import type { AdminTokenDetail, TokenDetail } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import TokenDetailView from '../src/views/token-detail-view.vue'
import { makeActivity, makeToken } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({ getToken: vi.fn<(id: string) => Promise<TokenDetail>>() }))
vi.mock('../src/api/tokens', () => api)
const adminApi = vi.hoisted(() => ({
  getAnyToken: vi.fn<(id: string) => Promise<AdminTokenDetail>>(),
}))
vi.mock('../src/api/admin-tokens', () => adminApi)

beforeEach(() => {
  vi.clearAllMocks()
})
afterEach(() => {
  document.body.innerHTML = ''
})

const MINUTE = 60_000
const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

function detail(overrides: Partial<TokenDetail> = {}): TokenDetail {
  const days = Array.from({ length: 30 }, (_, i) => ({
    day: new Date(Date.now() - (29 - i) * 24 * 60 * MINUTE).toISOString().slice(0, 10),
    requests: i === 29 ? 12 : i === 20 ? 3 : 0,
  }))
  return {
    token: makeToken({
      id: '00000000-0000-4000-8000-00000000abcd',
      name: 'Cursor on laptop',
      lastUsedAt: ago(3 * MINUTE),
      lastUsedClient: 'Cursor 1.7',
      lastUsedIp: '10.0.0.5',
    }),
    usage: {
      days,
      clients: [
        { client: 'Cursor 1.7', requests: 14, lastSeenAt: ago(3 * MINUTE) },
        { client: null, requests: 1, lastSeenAt: ago(60 * MINUTE) },
      ],
      addresses: [{ address: '10.0.0.5', requests: 15, lastSeenAt: ago(3 * MINUTE) }],
    },
    activity: [
      makeActivity({
        action: 'task.created',
        via: 'mcp',
        token: { id: '00000000-0000-4000-8000-00000000abcd', name: 'Cursor on laptop' },
        target: { type: 'task', id: '10000000-0000-4000-8000-000000000001', label: 'WEB-7' },
      }),
    ],
    ...overrides,
  }
}

async function mountAt(path: string, admin = false) {
  const router = await routerAt(path)
  const wrapper = mount(TokenDetailView, {
    props: { admin },
    attachTo: document.body,
    global: { plugins: [router] },
  })
  await flushPromises()
  return wrapper
}

describe('token page', () => {
  it('shows the last use, 30 days of requests, the clients, addresses and recent activity', async () => {
    api.getToken.mockResolvedValue(detail())
    const wrapper = await mountAt('/tokens/00000000-0000-4000-8000-00000000abcd')
    expect(api.getToken).toHaveBeenCalledWith('00000000-0000-4000-8000-00000000abcd')
    expect(wrapper.get('h1').text()).toBe('Cursor on laptop')
    expect(wrapper.get('[data-testid="token-last-used"]').text().replace(/\s+/g, ' ')).toBe(
      '3 minutes ago by Cursor 1.7 from 10.0.0.5',
    )
    const bars = wrapper.findAll('[data-testid="usage-chart"] rect')
    expect(bars).toHaveLength(30)
    expect(bars.at(-1)?.attributes('data-requests')).toBe('12')
    expect(wrapper.get('[data-testid="usage-chart"]').text()).toContain('15 requests')
    const clients = wrapper
      .findAll('[data-testid="token-clients"] li')
      .map((li) => li.findAll('span').map((span) => span.text().replace(/\s+/g, ' ')))
    expect(clients[0]).toEqual(['Cursor 1.7', '14 requests · last seen 3 minutes ago'])
    expect(clients[1]?.[0]).toBe('Not identified')
    expect(wrapper.get('[data-testid="token-addresses"]').text()).toContain('10.0.0.5')
    const activity = wrapper.get('[data-testid="token-activity"]')
    expect(activity.text()).toContain('WEB-7')
    expect(activity.text()).toContain('via MCP')
    expect(wrapper.text()).not.toContain('Owner')
  })

  it('says when a revoked token was revoked', async () => {
    const token = makeToken({ status: 'revoked', revokedAt: ago(2 * 24 * 60 * MINUTE) })
    api.getToken.mockResolvedValue(detail({ token }))
    const wrapper = await mountAt(`/tokens/${token.id}`)
    const end = wrapper.get('[data-testid="token-end"]')
    expect(end.text()).toBe('2 days ago')
    expect(end.element.previousElementSibling?.textContent).toBe('Revoked')
  })

  it('says that a token is not there (or not yours) when the API answers 404', async () => {
    api.getToken.mockRejectedValue(
      new ApiError({ status: 404, code: 'not_found', message: 'Token not found.' }),
    )
    const wrapper = await mountAt('/tokens/00000000-0000-4000-8000-000000000999')
    expect(wrapper.get('[data-testid="missing-item"] h1').text()).toBe('Token not found')
    expect(wrapper.get('[data-testid="missing-item"] a').attributes('href')).toBe('/tokens')
  })

  it('for administrators reads any token and names its owner', async () => {
    const own = detail()
    adminApi.getAnyToken.mockResolvedValue({
      ...own,
      token: {
        ...own.token,
        user: { id: 'u1', name: 'Grace Hopper', email: 'grace@example.test' },
      },
    })
    const wrapper = await mountAt(`/admin/tokens/${own.token.id}`, true)
    expect(adminApi.getAnyToken).toHaveBeenCalledWith(own.token.id)
    expect(api.getToken).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('Grace Hopper')
    expect(wrapper.get('.breadcrumbs a').attributes('href')).toBe('/admin/tokens')
  })
})
