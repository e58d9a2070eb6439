import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import UserMenu from '../src/components/user-menu.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

async function openMenu(canManageTokens: boolean) {
  const Stub = { template: '<p>page</p>' }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/account', name: 'account', component: Stub },
      { path: '/tokens', name: 'tokens', component: Stub },
      { path: '/:any(.*)*', component: Stub },
    ],
  })
  await router.push('/')
  const wrapper = mount(UserMenu, {
    attachTo: document.body,
    props: {
      user: { id: 'u', email: 'ada@example.com', name: 'Ada', role: 'member' },
      canManageTokens,
    },
    global: { plugins: [router] },
  })
  await wrapper.get('button[aria-haspopup="menu"]').trigger('click')
  return wrapper
}

describe('user menu', () => {
  it('leads to the Account page for everyone, tokens or not', async () => {
    for (const canManageTokens of [true, false]) {
      const wrapper = await openMenu(canManageTokens)
      const items = wrapper.findAll('[role="menuitem"]')
      const account = items.find((item) => item.text() === 'Account')
      expect(account?.attributes('href')).toBe('/account')
      expect(items.some((item) => item.text() === 'API Tokens')).toBe(canManageTokens)
      wrapper.unmount()
    }
  })
})
