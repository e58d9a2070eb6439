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
  return new Response(JSON.stringify({ status, code, detail: code }), {
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

describe('first run: creating the first admin', () => {
  const ME = {
    user: { id: 'u', email: 'grace@example.com', name: 'Grace Hopper', role: 'admin' },
    permissions: ['ManageUsers'],
    auth: { method: 'session', csrfToken: 'c' },
  }
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    })

  let setupAnswer: () => Response
  const requests: { method: string; url: string; body: unknown }[] = []

  beforeEach(() => {
    requests.length = 0
    setupAnswer = () => json(200, { user: ME.user, csrfToken: 'c' })
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET'
      requests.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined })
      if (url.endsWith('/setup') && method === 'GET') return json(200, { needsSetup: true })
      if (url.endsWith('/setup')) return setupAnswer()
      if (url.endsWith('/me')) return json(200, ME)
      return json(404, { status: 404, code: 'not_found', detail: 'not found' })
    })
  })

  async function mountSetup() {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/sign-in', component: SignInView },
        { path: '/:any(.*)*', component: { template: '<p>page</p>' } },
      ],
    })
    await router.push('/sign-in')
    const wrapper = mount(SignInView, { attachTo: document.body, global: { plugins: [router] } })
    await flushPromises()
    return { wrapper, router }
  }

  async function fill(
    wrapper: Awaited<ReturnType<typeof mountSetup>>['wrapper'],
    confirm: string,
    setupCode = ' ABCD-EFGH-JKMN ',
  ) {
    await wrapper.get('input[name="setupCode"]').setValue(setupCode)
    await wrapper.get('input[name="name"]').setValue('Grace Hopper')
    await wrapper.get('input[name="email"]').setValue('grace@example.com')
    await wrapper.get('input[name="password"]').setValue('a-long-password-1')
    await wrapper.get('input[name="confirm"]').setValue(confirm)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
  }

  it('shows "Create the first admin account" instead of the sign-in form', async () => {
    const { wrapper } = await mountSetup()
    expect(wrapper.get('h1').text()).toBe('Create the first admin account')
    expect(wrapper.find('#sign-in-password').exists()).toBe(false)
    expect(document.activeElement).toBe(wrapper.get('input[name="setupCode"]').element)
  })

  it('asks for the setup code and says where the server printed it', async () => {
    const { wrapper } = await mountSetup()
    const input = wrapper.get('input[name="setupCode"]')
    const label = wrapper.get(`label[for="${input.attributes('id')}"]`)
    expect(label.text()).toBe('Setup code')
    const hint = wrapper.get(`#${input.attributes('aria-describedby')}`)
    expect(hint.text()).toContain('server’s output when it started')
    expect(hint.text()).toContain('pnpm start')
    expect(hint.text()).toContain('Setup code: XXXX-XXXX-XXXX')
  })

  it('requires the setup code before calling the server', async () => {
    const { wrapper } = await mountSetup()
    await fill(wrapper, 'a-long-password-1', '  ')
    const input = wrapper.get('input[name="setupCode"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get(`#${input.attributes('aria-describedby')}`).text()).toBe(
      'Enter the setup code from the server’s output.',
    )
    expect(document.activeElement).toBe(input.element)
    expect(requests.filter((request) => request.method === 'POST')).toEqual([])
  })

  it('shows a refused setup code on its field, until another code is typed', async () => {
    setupAnswer = () =>
      json(403, {
        status: 403,
        code: 'setup_code_invalid',
        detail: 'The setup code is wrong.',
        hint: 'Use the setup code printed in the server output when Tessera started.',
      })
    const { wrapper, router } = await mountSetup()
    await fill(wrapper, 'a-long-password-1', 'WRONG-CODE')
    expect(router.currentRoute.value.fullPath).toBe('/sign-in')
    const input = wrapper.get('input[name="setupCode"]')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get(`#${input.attributes('aria-describedby')}`).text()).toBe(
      'The setup code is wrong. Use the setup code printed in the server output when Tessera started.',
    )
    // On the field, not as a general error above the form; the rest of the form is kept.
    expect(wrapper.find('[data-testid="sign-in-error"]').exists()).toBe(false)
    expect((wrapper.get('input[name="password"]').element as HTMLInputElement).value).toBe(
      'a-long-password-1',
    )
    await vi.waitFor(() => expect(document.activeElement).toBe(input.element))

    await input.setValue('ABCD-EFGH-JKMN')
    expect(input.attributes('aria-invalid')).toBe('false')
    expect(wrapper.text()).not.toContain('The setup code is wrong.')
  })

  it('refuses passwords that differ or are too short, without calling the server', async () => {
    const { wrapper } = await mountSetup()
    await fill(wrapper, 'something else')
    expect(wrapper.text()).toContain('The two passwords are not the same.')
    await wrapper.get('input[name="password"]').setValue('short')
    await wrapper.get('input[name="confirm"]').setValue('short')
    expect(wrapper.text()).toContain('Use at least 12 characters')
    expect(requests.filter((request) => request.method === 'POST')).toEqual([])
  })

  it('creates the account and lands signed in on the console', async () => {
    const { wrapper, router } = await mountSetup()
    await fill(wrapper, 'a-long-password-1')
    expect(requests.find((request) => request.method === 'POST')).toEqual({
      method: 'POST',
      url: '/api/v1/setup',
      body: {
        setupCode: 'ABCD-EFGH-JKMN',
        name: 'Grace Hopper',
        email: 'grace@example.com',
        password: 'a-long-password-1',
      },
    })
    expect(router.currentRoute.value.fullPath).toBe('/')
  })

  it('offers sign-in when someone else created the first admin meanwhile', async () => {
    setupAnswer = () =>
      json(409, { status: 409, code: 'setup_done', detail: 'This server already has users.' })
    const { wrapper, router } = await mountSetup()
    await fill(wrapper, 'a-long-password-1')
    expect(router.currentRoute.value.fullPath).toBe('/sign-in')
    expect(wrapper.get('h1').text()).toBe('Sign in to Tessera')
    expect(wrapper.text()).toContain('already has an administrator account')
    expect((wrapper.get('#sign-in-email').element as HTMLInputElement).value).toBe(
      'grace@example.com',
    )
  })
})
