import type { Token } from '@tessera/api/contract'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TokenTable from '../src/components/token-table.vue'
import { makeToken } from './fixtures'
import { routerAt } from './router'

const DAY = 24 * 3600 * 1000

function mountTable(props: { tokens: Token[] }) {
  return mount(TokenTable, { props })
}

describe('token table', () => {
  it('lists tokens newest first whatever order the API used', () => {
    const tokens = [
      makeToken({ name: 'Oldest', createdAt: '2025-01-01T00:00:00Z' }),
      makeToken({ name: 'Newest', createdAt: '2025-03-01T00:00:00Z' }),
      makeToken({ name: 'Middle', createdAt: '2025-02-01T00:00:00Z' }),
    ]
    const wrapper = mountTable({ tokens })
    const names = wrapper
      .findAll('[data-testid="token-row"] .cell-strong')
      .map((cell) => cell.text())
    expect(names).toEqual(['Newest', 'Middle', 'Oldest'])
  })

  it('shows name, prefix, and "never" for a token that was never used and never expires', () => {
    const wrapper = mountTable({
      tokens: [makeToken({ name: 'Cursor MCP', prefix: 'tsr_ab12cd' })],
    })
    const row = wrapper.get('[data-testid="token-row"]')
    expect(row.text()).toContain('Cursor MCP')
    expect(row.get('[data-testid="token-prefix"]').text()).toBe('tsr_ab12cd…')
    expect(row.get('[data-label="Last used"]').text()).toBe('never')
    const expires = row.get('[data-label="Expires"]')
    expect(expires.text()).toMatch(/^never\s+created /)
  })

  it('shows when a token was created under its expiry', () => {
    const createdAt = new Date(Date.now() - 3 * DAY).toISOString()
    const expiresAt = new Date(Date.now() + 27 * DAY).toISOString()
    const wrapper = mountTable({ tokens: [makeToken({ createdAt, expiresAt })] })
    const expires = wrapper.get('[data-label="Expires"]')
    expect(expires.get('time').text()).toBe('in 27 days')
    expect(expires.get('[data-testid="token-created"]').text()).toBe('created 3 days ago')
  })

  it('shows relative dates with the exact time in the title', () => {
    const lastUsedAt = new Date(Date.now() - 3 * DAY).toISOString()
    const wrapper = mountTable({ tokens: [makeToken({ lastUsedAt })] })
    const time = wrapper.get('[data-label="Last used"] time')
    expect(time.text()).toBe('3 days ago')
    expect(time.attributes('datetime')).toBe(lastUsedAt)
    expect(time.attributes('title')).toMatch(/\d{4}/)
  })

  it('shows the address a token was last used from', () => {
    const lastUsedAt = new Date(Date.now() - DAY).toISOString()
    const wrapper = mountTable({ tokens: [makeToken({ lastUsedAt, lastUsedIp: '203.0.113.7' })] })
    expect(wrapper.get('[data-label="Last used"]').text()).toContain('from 203.0.113.7')
  })

  it('gives each status its own labelled badge', () => {
    const wrapper = mountTable({
      tokens: [
        makeToken({ status: 'active', createdAt: '2025-01-03T00:00:00Z' }),
        makeToken({ status: 'expired', createdAt: '2025-01-02T00:00:00Z' }),
        makeToken({ status: 'revoked', createdAt: '2025-01-01T00:00:00Z' }),
      ],
    })
    const badges = wrapper.findAll('.badge')
    expect(badges.map((badge) => badge.text())).toEqual(['Active', 'Expired', 'Revoked'])
    const classes = badges.map((badge) =>
      badge.classes().find((name) => name.startsWith('badge--')),
    )
    expect(new Set(classes).size).toBe(3)
  })

  it('offers rotate and revoke on active tokens only', () => {
    const wrapper = mountTable({
      tokens: [
        makeToken({ name: 'Live', status: 'active', createdAt: '2025-01-02T00:00:00Z' }),
        makeToken({ name: 'Gone', status: 'revoked', createdAt: '2025-01-01T00:00:00Z' }),
      ],
    })
    expect(wrapper.find('button[aria-label="Rotate Live"]').exists()).toBe(true)
    expect(wrapper.find('button[aria-label="Revoke Live"]').exists()).toBe(true)
    expect(wrapper.find('button[aria-label="Revoke Gone"]').exists()).toBe(false)
  })

  it('emits revoke and rotate with the token that was clicked', async () => {
    const token = makeToken({ name: 'Cursor MCP' })
    const wrapper = mountTable({ tokens: [token] })
    await wrapper.get('button[aria-label="Revoke Cursor MCP"]').trigger('click')
    await wrapper.get('button[aria-label="Rotate Cursor MCP"]').trigger('click')
    expect(wrapper.emitted('revoke')).toEqual([[token]])
    expect(wrapper.emitted('rotate')).toEqual([[token]])
  })

  it('shows the empty state when there are no tokens', () => {
    const wrapper = mount(TokenTable, {
      props: { tokens: [] },
      slots: { empty: '<p data-testid="empty">No tokens yet</p>' },
    })
    expect(wrapper.find('[data-testid="empty"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="token-row"]').exists()).toBe(false)
  })

  it('shows placeholder rows, not the empty state, while the first load runs', () => {
    const wrapper = mount(TokenTable, {
      props: { tokens: [], loading: true },
      slots: { empty: '<p data-testid="empty">No tokens yet</p>' },
    })
    expect(wrapper.findAll('[data-testid="skeleton-row"]')).toHaveLength(3)
    expect(wrapper.find('[data-testid="empty"]').exists()).toBe(false)
  })

  it('shows what each token may do and the projects it is limited to', () => {
    const wrapper = mountTable({
      tokens: [
        makeToken({ name: 'All', scopes: ['read', 'write'], createdAt: '2025-01-03T00:00:00Z' }),
        makeToken({
          name: 'Some',
          scopes: ['read', 'project:OPS', 'project:WEB'],
          createdAt: '2025-01-02T00:00:00Z',
        }),
      ],
    })
    const access = wrapper.findAll('[data-testid="token-access"]').map((cell) => cell.text())
    expect(access[0]).toBe('Full access')
    expect(access[1]?.replace(/\s+/g, ' ')).toBe('Read only · limited to OPS WEB')
  })

  it('adds an owner column for the admin view', () => {
    const token = {
      ...makeToken(),
      user: { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' },
    }
    const wrapper = mount(TokenTable, { props: { tokens: [token], showOwner: true } })
    expect(wrapper.get('[data-label="Owner"]').text()).toContain('Ada Lovelace')
  })

  it('says what used a token last and from where: "3 minutes ago by Cursor 1.7 from 10.0.0.5"', () => {
    const lastUsedAt = new Date(Date.now() - 3 * 60_000).toISOString()
    const wrapper = mountTable({
      tokens: [makeToken({ lastUsedAt, lastUsedClient: 'Cursor 1.7', lastUsedIp: '10.0.0.5' })],
    })
    const cell = wrapper.get('[data-label="Last used"]')
    expect(cell.text().replace(/\s+/g, ' ')).toBe('3 minutes ago by Cursor 1.7 from 10.0.0.5')
  })

  it('says when a revoked or expired token ended instead of its expiry', () => {
    const wrapper = mountTable({
      tokens: [
        makeToken({
          name: 'Revoked',
          status: 'revoked',
          createdAt: '2025-03-02T00:00:00Z',
          expiresAt: new Date(Date.now() + 20 * DAY).toISOString(),
          revokedAt: new Date(Date.now() - 2 * DAY).toISOString(),
        }),
        makeToken({
          name: 'Expired',
          status: 'expired',
          createdAt: '2025-03-01T00:00:00Z',
          expiresAt: new Date(Date.now() - 5 * DAY).toISOString(),
        }),
      ],
    })
    const ended = wrapper.findAll('[data-testid="token-ended"]').map((cell) => cell.text())
    expect(ended).toEqual(['revoked 2 days ago', 'expired 5 days ago'])
    expect(wrapper.text()).not.toContain('in 20 days')
  })

  it('links each name to the token page when given where, in the order given', async () => {
    const router = await routerAt('/admin/tokens')
    const tokens = [
      makeToken({ name: 'Older', createdAt: '2025-01-01T00:00:00Z' }),
      makeToken({ name: 'Newer', createdAt: '2025-02-01T00:00:00Z' }),
    ]
    const wrapper = mount(TokenTable, {
      props: {
        tokens,
        presorted: true,
        detailRoute: (token: Token) => ({ name: 'admin-token', params: { id: token.id } }),
      },
      global: { plugins: [router] },
    })
    const links = wrapper.findAll('[data-testid="token-link"]')
    expect(links.map((link) => link.text())).toEqual(['Older', 'Newer'])
    expect(links[0]?.attributes('href')).toBe(`/admin/tokens/${tokens[0]?.id}`)
  })
})
