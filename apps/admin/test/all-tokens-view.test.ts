import type { AdminTokenList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { AdminTokenFilter } from '../src/api/admin-tokens'
import AllTokensView from '../src/views/admin/all-tokens-view.vue'
import { makeToken } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  listAllTokens: vi.fn<(filter?: AdminTokenFilter) => Promise<AdminTokenList>>(),
  revokeAnyToken: vi.fn(),
}))
vi.mock('../src/api/admin-tokens', () => api)
vi.mock('../src/composables/use-person-options', () => ({ usePersonOptions: () => ref(null) }))

afterEach(() => {
  document.body.innerHTML = ''
})

const user = { id: 'u1', name: 'Ada', email: 'ada@example.test' }

async function mountAt(path: string) {
  const router = await routerAt(path)
  const wrapper = mount(AllTokensView, { attachTo: document.body, global: { plugins: [router] } })
  await flushPromises()
  return { wrapper, router }
}

describe('all tokens page', () => {
  it('sorts by last use and keeps the order the server gives', async () => {
    const recent = { ...makeToken({ name: 'Recent', createdAt: '2025-01-01T00:00:00Z' }), user }
    const older = { ...makeToken({ name: 'Older use', createdAt: '2025-06-01T00:00:00Z' }), user }
    api.listAllTokens.mockResolvedValue({ tokens: [recent, older], nextCursor: null })
    const { wrapper, router } = await mountAt('/admin/tokens')
    await wrapper.get('#filter-sort').setValue('last_used')
    await flushPromises()
    expect(router.currentRoute.value.query).toMatchObject({ sort: 'last_used' })
    expect(api.listAllTokens).toHaveBeenLastCalledWith(
      expect.objectContaining({ sort: 'last_used', unused: undefined }),
    )
    const names = wrapper.findAll('[data-testid="token-link"]').map((link) => link.text())
    expect(names).toEqual(['Recent', 'Older use'])
    expect(wrapper.get('[data-testid="token-link"]').attributes('href')).toBe(
      `/admin/tokens/${recent.id}`,
    )
  })

  it('filters the tokens unused for 90 days, from the address too', async () => {
    api.listAllTokens.mockResolvedValue({ tokens: [], nextCursor: null })
    const { wrapper } = await mountAt('/admin/tokens?unused=90')
    expect(api.listAllTokens).toHaveBeenLastCalledWith(expect.objectContaining({ unused: 90 }))
    expect((wrapper.get('#filter-unused').element as HTMLSelectElement).value).toBe('90')
    expect(wrapper.text()).toContain('No tokens match these filters')
  })
})
