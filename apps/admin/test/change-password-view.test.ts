import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { router } from '../src/router'
import { loadSession } from '../src/stores/session'
import ChangePasswordView from '../src/views/change-password-view.vue'

// The console's own router and session store against a stubbed server: an administrator has
// required a new password for Ada, so /me says so until PUT /me/password goes through.

let required = true
const requests: { method: string; url: string; body: unknown }[] = []

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

beforeEach(async () => {
  required = true
  requests.length = 0
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    requests.push({ method, url, body })
    if (url.endsWith('/me') && method === 'GET') {
      return json(200, {
        user: { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'member' },
        permissions: ['ManageApiTokens'],
        auth: { method: 'session', csrfToken: 'csrf', passwordChangeRequired: required },
      })
    }
    if (url.endsWith('/me/password') && method === 'PUT') {
      if (body.currentPassword !== 'temporary password') {
        return json(403, {
          status: 403,
          code: 'current_password_invalid',
          detail: 'The current password is wrong.',
        })
      }
      required = false
      return json(200, { sessionsEnded: 0 })
    }
    return json(404, { status: 404, code: 'not_found', detail: 'Not found' })
  })
  // What the console knows after signing in.
  await loadSession(true)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function fill(wrapper: ReturnType<typeof mount>, current: string, next: string) {
  await wrapper.get('input[name="current-password"]').setValue(current)
  await wrapper.get('input[name="new-password"]').setValue(next)
  await wrapper.get('input[name="confirm-password"]').setValue(next)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('a required password change in the console', () => {
  it('every page leads to the change-password screen, keeping where the person was going', async () => {
    await router.push('/projects')
    expect(router.currentRoute.value.name).toBe('change-password')
    expect(router.currentRoute.value.query.redirect).toBe('/projects')
    await router.push('/account')
    expect(router.currentRoute.value.name).toBe('change-password')
    await router.push('/admin/users?x=1')
    expect(router.currentRoute.value.query.redirect).toBe('/admin/users?x=1')
  })

  it('after the change the person goes on to the page they asked for, and the screen is gone', async () => {
    await router.push('/projects')
    const wrapper = mount(ChangePasswordView, {
      attachTo: document.body,
      global: { plugins: [router] },
    })
    expect(wrapper.get('h1').text()).toBe('Choose a New Password')
    expect(wrapper.text()).toContain('ada@example.com')

    await fill(wrapper, 'not it at all', 'my own new password')
    expect(router.currentRoute.value.name).toBe('change-password')
    expect(wrapper.text()).toContain('The current password is wrong.')

    await fill(wrapper, 'temporary password', 'my own new password')
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(2)
    expect(requests.at(-2)).toMatchObject({
      method: 'PUT',
      body: { currentPassword: 'temporary password', newPassword: 'my own new password' },
    })
    // The next page loads on demand, which takes a moment the first time.
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/projects'), {
      timeout: 20_000,
    })
    // No longer required: the screen itself sends the person to their account page.
    await router.push('/change-password')
    expect(router.currentRoute.value.name).toBe('account')
  })

  it('without a requirement the screen is never shown', async () => {
    required = false
    await loadSession(true)
    await router.push('/tokens')
    expect(router.currentRoute.value.name).toBe('tokens')
  })
})
