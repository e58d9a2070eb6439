import type { AdminUser } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { notices } from '../src/stores/notices'
import UsersView from '../src/views/admin/users-view.vue'

const api = vi.hoisted(() => ({
  listUsers: vi.fn(),
  createUser: vi.fn(),
  updateUser: vi.fn(),
  requirePasswordChange: vi.fn(),
}))
vi.mock('../src/api/users', () => api)

function makeUser(overrides: Partial<AdminUser> = {}): AdminUser {
  return {
    id: '30000000-0000-4000-8000-000000000001',
    email: 'grace@example.com',
    name: 'Grace Hopper',
    role: 'member',
    disabled: false,
    passwordChangeRequired: false,
    createdAt: '2025-01-10T10:00:00.000Z',
    ...overrides,
  }
}

beforeEach(() => {
  notices.splice(0)
})

afterEach(() => {
  vi.resetAllMocks()
  document.body.innerHTML = ''
})

async function mountView(users: AdminUser[]) {
  api.listUsers.mockResolvedValue({ users })
  const wrapper = mount(UsersView, { attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('users page: requiring a password change', () => {
  it('asks first, saying the person is signed out and their tokens keep working, then marks the row', async () => {
    const grace = makeUser()
    const wrapper = await mountView([grace])
    api.requirePasswordChange.mockResolvedValue({
      user: { ...grace, passwordChangeRequired: true },
      sessionsEnded: 2,
    })
    await wrapper
      .get('button[aria-label="Require Password Change for Grace Hopper"]')
      .trigger('click')
    const dialog = wrapper.get('dialog[role="alertdialog"]')
    expect(dialog.text()).toContain('Require a Password Change for Grace Hopper?')
    expect(dialog.text()).toContain('signed out of the console everywhere')
    expect(dialog.text()).toContain('Their API tokens keep working')
    expect(api.requirePasswordChange).not.toHaveBeenCalled()

    const confirm = dialog.findAll('footer button')[1]
    expect(confirm?.text()).toBe('Require Password Change')
    await confirm?.trigger('click')
    await flushPromises()
    expect(api.requirePasswordChange).toHaveBeenCalledWith(grace.id)
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(wrapper.get('tbody tr').text()).toContain('New password required')
    expect(
      wrapper.find('button[aria-label="Require Password Change for Grace Hopper"]').exists(),
    ).toBe(false)
    expect(notices.at(-1)?.message).toBe(
      'Grace Hopper must choose a new password at their next sign-in. 2 sessions were signed out.',
    )
  })

  it('a refusal stays in the dialog so the admin can retry or cancel', async () => {
    const wrapper = await mountView([makeUser()])
    const { ApiError } = await import('../src/api/client')
    api.requirePasswordChange.mockRejectedValue(
      new ApiError({ status: 404, code: 'not_found', message: 'User not found' }),
    )
    await wrapper
      .get('button[aria-label="Require Password Change for Grace Hopper"]')
      .trigger('click')
    await wrapper.get('dialog').findAll('footer button')[1]?.trigger('click')
    await flushPromises()
    expect(wrapper.get('dialog [role="alert"]').text()).toContain('User not found')
    expect(wrapper.get('tbody tr').text()).not.toContain('New password required')
  })

  it('is not offered for a disabled account', async () => {
    const wrapper = await mountView([makeUser({ disabled: true })])
    expect(
      wrapper.find('button[aria-label="Require Password Change for Grace Hopper"]').exists(),
    ).toBe(false)
  })
})
