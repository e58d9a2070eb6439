import type { ConsoleSession } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import { notices } from '../src/stores/notices'
import AccountView from '../src/views/account-view.vue'

const api = vi.hoisted(() => ({
  changePassword: vi.fn(),
  listSessions: vi.fn(),
  endSession: vi.fn(),
  endOtherSessions: vi.fn(),
}))
vi.mock('../src/api/account', () => api)

let counter = 0
function makeSession(overrides: Partial<ConsoleSession> = {}): ConsoleSession {
  counter += 1
  return {
    id: `20000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    browser: 'Firefox 128 on Windows',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0',
    ip: '198.51.100.7',
    createdAt: '2025-01-10T10:00:00.000Z',
    lastSeenAt: '2025-01-10T11:00:00.000Z',
    expiresAt: '2025-01-17T10:00:00.000Z',
    current: false,
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

async function mountView(sessions: ConsoleSession[]) {
  api.listSessions.mockResolvedValue(sessions)
  const wrapper = mount(AccountView, { attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function fillPassword(
  wrapper: Awaited<ReturnType<typeof mountView>>,
  values: { current: string; next: string; confirm?: string },
) {
  await wrapper.get('input[name="current-password"]').setValue(values.current)
  await wrapper.get('input[name="new-password"]').setValue(values.next)
  await wrapper.get('input[name="confirm-password"]').setValue(values.confirm ?? values.next)
  await wrapper.get('form.password-form').trigger('submit')
  await flushPromises()
}

describe('account page: sessions', () => {
  it('lists this session first, marked, then the others with browser, address and a Sign Out button', async () => {
    const other = makeSession({ browser: 'Safari 17 on iPhone', ip: '2001:db8::5' })
    const current = makeSession({ current: true })
    const wrapper = await mountView([other, current])
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]?.text()).toContain('Firefox 128 on Windows')
    expect(rows[0]?.text()).toContain('This session')
    expect(rows[0]?.find('button').exists()).toBe(false)
    expect(rows[1]?.text()).toContain('Safari 17 on iPhone')
    expect(rows[1]?.text()).toContain('2001:db8::5')
    expect(rows[1]?.get('button').text()).toBe('Sign Out')
  })

  it('a session without a User-Agent or address says so instead of showing blanks', async () => {
    const wrapper = await mountView([makeSession({ browser: null, userAgent: null, ip: null })])
    expect(wrapper.get('tbody tr').text()).toContain('Unknown browser')
    expect(wrapper.get('tbody tr').text()).toContain('Unknown')
  })

  it('signs one session out and removes it from the list', async () => {
    const other = makeSession({ browser: 'Chrome 126 on macOS', ip: '203.0.113.9' })
    const wrapper = await mountView([makeSession({ current: true }), other])
    api.endSession.mockResolvedValue(undefined)
    await wrapper
      .get('button[aria-label="Sign Out Chrome 126 on macOS from 203.0.113.9"]')
      .trigger('click')
    await flushPromises()
    expect(api.endSession).toHaveBeenCalledWith(other.id)
    expect(wrapper.findAll('tbody tr')).toHaveLength(1)
    expect(notices.at(-1)?.message).toBe('Chrome 126 on macOS is signed out.')
  })

  it('signing out all others asks first, then keeps only this session', async () => {
    const wrapper = await mountView([makeSession({ current: true }), makeSession(), makeSession()])
    api.endOtherSessions.mockResolvedValue(2)
    const button = wrapper.findAll('button').find((b) => b.text() === 'Sign Out All Other Sessions')
    await button?.trigger('click')
    const dialog = wrapper.get('dialog[role="alertdialog"]')
    expect(dialog.text()).toContain('Sign Out All Other Sessions?')
    expect(dialog.text()).toContain('2 other sessions of yours')
    expect(api.endOtherSessions).not.toHaveBeenCalled()
    await dialog.findAll('footer button')[1]?.trigger('click')
    await flushPromises()
    expect(api.endOtherSessions).toHaveBeenCalledTimes(1)
    expect(wrapper.findAll('tbody tr')).toHaveLength(1)
    expect(notices.at(-1)?.message).toBe('2 other sessions signed out.')
  })

  it('with no other session, Sign Out All Other Sessions is disabled', async () => {
    const wrapper = await mountView([makeSession({ current: true })])
    const button = wrapper.findAll('button').find((b) => b.text() === 'Sign Out All Other Sessions')
    expect(button?.attributes('disabled')).toBeDefined()
  })
})

describe('account page: changing the password', () => {
  it('sends the current and the new password, says how many sessions ended and empties the form', async () => {
    const wrapper = await mountView([makeSession({ current: true }), makeSession()])
    api.changePassword.mockResolvedValue({ sessionsEnded: 1 })
    api.listSessions.mockResolvedValue([makeSession({ current: true })])
    await fillPassword(wrapper, { current: 'the old password', next: 'a new long password' })
    expect(api.changePassword).toHaveBeenCalledWith({
      currentPassword: 'the old password',
      newPassword: 'a new long password',
    })
    expect(notices.at(-1)?.message).toBe('Password changed. 1 other session signed out.')
    expect((wrapper.get('input[name="new-password"]').element as HTMLInputElement).value).toBe('')
    // The list is read again: the ended sessions are gone.
    expect(api.listSessions).toHaveBeenCalledTimes(2)
    expect(wrapper.findAll('tbody tr')).toHaveLength(1)
  })

  it('checks the new password before sending: length, the two copies, not the same as the current one', async () => {
    const wrapper = await mountView([makeSession({ current: true })])
    await fillPassword(wrapper, { current: 'the old password', next: 'short' })
    expect(wrapper.text()).toContain('Use at least 12 characters (5 so far).')
    await fillPassword(wrapper, {
      current: 'the old password',
      next: 'a new long password',
      confirm: 'a new long passwore',
    })
    expect(wrapper.text()).toContain('The two new passwords do not match.')
    await fillPassword(wrapper, { current: 'the old password', next: 'the old password' })
    expect(wrapper.text()).toContain('Choose a password different from the current one.')
    expect(api.changePassword).not.toHaveBeenCalled()
  })

  it('a wrong current password is shown on that field, which is emptied', async () => {
    const wrapper = await mountView([makeSession({ current: true })])
    api.changePassword.mockRejectedValue(
      new ApiError({
        status: 403,
        code: 'current_password_invalid',
        message: 'The current password is wrong.',
      }),
    )
    await fillPassword(wrapper, { current: 'not my password', next: 'a new long password' })
    const current = wrapper.get('input[name="current-password"]')
    expect(current.attributes('aria-invalid')).toBe('true')
    expect((current.element as HTMLInputElement).value).toBe('')
    expect(wrapper.text()).toContain('The current password is wrong.')
    expect(notices).toHaveLength(0)
  })

  it('too many wrong attempts say how long to wait', async () => {
    const wrapper = await mountView([makeSession({ current: true })])
    api.changePassword.mockRejectedValue(
      new ApiError({ status: 429, code: 'rate_limited', message: 'Too many' }, 600),
    )
    await fillPassword(wrapper, { current: 'guess', next: 'a new long password' })
    expect(wrapper.get('[role="alert"]').text()).toContain('Try again in 10 minutes')
  })
})
