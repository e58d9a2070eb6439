import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import SignInView from '../src/views/sign-in-view.vue'

let answer: () => Response

beforeEach(() => {
  vi.stubGlobal('fetch', async () => answer())
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function problem(status: number, code: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ status, code, message: code }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

async function signInWith(response: () => Response) {
  answer = response
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/sign-in', component: SignInView },
      { path: '/:any(.*)*', component: { template: '<p>page</p>' } },
    ],
  })
  await router.push('/sign-in?redirect=/admin/users')
  const wrapper = mount(SignInView, { attachTo: document.body, global: { plugins: [router] } })
  await wrapper.get('#sign-in-email').setValue('ada@example.com')
  await wrapper.get('#sign-in-password').setValue('correct horse battery')
  await wrapper.get('form').trigger('submit')
  await flushPromises()
  return { wrapper, router }
}

describe('sign-in page', () => {
  it('says the email or password is wrong on invalid_credentials', async () => {
    const { wrapper } = await signInWith(() => problem(401, 'invalid_credentials'))
    expect(wrapper.get('[data-testid="sign-in-error"]').text()).toContain('Wrong email or password')
  })

  it('says the account is disabled on user_disabled', async () => {
    const { wrapper } = await signInWith(() => problem(403, 'user_disabled'))
    expect(wrapper.get('[data-testid="sign-in-error"]').text()).toContain(
      'This account is disabled',
    )
  })

  it('says how long to wait when rate limited and blocks the button meanwhile', async () => {
    const { wrapper } = await signInWith(() =>
      problem(429, 'rate_limited', { 'Retry-After': '120' }),
    )
    expect(wrapper.get('[data-testid="sign-in-error"]').text()).toContain('Try again in 2 minutes')
    await wrapper.get('#sign-in-password').setValue('another try')
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined()
  })

  it('goes back to the page that was asked for after signing in', async () => {
    const { router, wrapper } = await signInWith(
      () =>
        new Response(
          JSON.stringify({
            user: { id: 'u', email: 'ada@example.com', name: 'Ada', role: 'admin' },
            csrfToken: 'c',
            permissions: [],
            auth: { method: 'session', csrfToken: 'c' },
          }),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
    )
    expect(wrapper.find('[data-testid="sign-in-error"]').exists()).toBe(false)
    expect(router.currentRoute.value.fullPath).toBe('/admin/users')
  })
})
