import type { TokenList } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import TokenExpiryReminder from '../src/components/token-expiry-reminder.vue'
import { makeToken } from './fixtures'

const api = vi.hoisted(() => ({ listTokens: vi.fn<() => Promise<TokenList>>() }))
vi.mock('../src/api/tokens', () => api)

afterEach(() => vi.resetAllMocks())

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()

async function mountWith(list: Promise<TokenList>) {
  api.listTokens.mockReturnValue(list)
  const wrapper = mount(TokenExpiryReminder, {
    global: { stubs: { RouterLink: { template: '<a href="/tokens"><slot /></a>' } } },
  })
  await flushPromises()
  return wrapper
}

describe('token expiry reminder', () => {
  it('names the one token that expires within a week and links to API Tokens', async () => {
    const wrapper = await mountWith(
      Promise.resolve({
        tokens: [
          makeToken({ name: 'Cursor', expiresAt: inDays(3) }),
          makeToken({ name: 'CI', expiresAt: inDays(40) }),
        ],
        nextCursor: null,
      }),
    )
    const reminder = wrapper.get('[data-testid="expiry-reminder"]')
    expect(reminder.text()).toContain('Your token Cursor expires')
    expect(reminder.get('a').text()).toBe('Review and Rotate')
  })

  it('counts several, and ignores revoked, expired and far-off tokens', async () => {
    const wrapper = await mountWith(
      Promise.resolve({
        tokens: [
          makeToken({ expiresAt: inDays(1) }),
          makeToken({ expiresAt: inDays(6) }),
          makeToken({ expiresAt: inDays(2), status: 'revoked', revokedAt: inDays(-1) }),
          makeToken({ expiresAt: inDays(-2), status: 'expired' }),
          makeToken({ expiresAt: null }),
        ],
        nextCursor: null,
      }),
    )
    expect(wrapper.get('[data-testid="expiry-reminder"]').text()).toContain(
      '2 of your tokens expire within 7 days',
    )
  })

  it('shows nothing when no token expires soon, or when the tokens cannot be read', async () => {
    const calm = await mountWith(
      Promise.resolve({ tokens: [makeToken({ expiresAt: inDays(30) })], nextCursor: null }),
    )
    expect(calm.find('[data-testid="expiry-reminder"]').exists()).toBe(false)
    const failed = await mountWith(Promise.reject(new Error('offline')))
    expect(failed.find('[data-testid="expiry-reminder"]').exists()).toBe(false)
  })
})
