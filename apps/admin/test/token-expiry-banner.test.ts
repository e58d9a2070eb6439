import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TokenExpiryBanner from '../src/components/token-expiry-banner.vue'
import { makeToken } from './fixtures'

const DAY = 24 * 3600 * 1000
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString()

describe('token expiry banner', () => {
  it('lists the active tokens that expire within 7 days, soonest first, each with Rotate', async () => {
    const soon = makeToken({ name: 'Soon', expiresAt: inDays(5) })
    const sooner = makeToken({ name: 'Sooner', expiresAt: inDays(2) })
    const wrapper = mount(TokenExpiryBanner, {
      props: {
        tokens: [
          soon,
          makeToken({ name: 'Later', expiresAt: inDays(8) }),
          makeToken({ name: 'Never' }),
          sooner,
          makeToken({
            name: 'Revoked',
            expiresAt: inDays(3),
            status: 'revoked',
            revokedAt: inDays(-1),
          }),
          makeToken({ name: 'Expired', expiresAt: inDays(-1), status: 'expired' }),
        ],
      },
    })
    const banner = wrapper.get('[data-testid="expiry-banner"]')
    expect(banner.get('h2').text()).toBe('2 tokens expire within 7 days')
    expect(banner.findAll('li').map((item) => item.text().replace(/\s+/g, ' '))).toEqual([
      'Sooner expires in 2 days Rotate',
      'Soon expires in 5 days Rotate',
    ])
    await banner.get('button[aria-label="Rotate Soon"]').trigger('click')
    expect(wrapper.emitted('rotate')).toEqual([[soon]])
  })

  it('is not there when nothing expires soon', () => {
    const wrapper = mount(TokenExpiryBanner, {
      props: { tokens: [makeToken({ expiresAt: inDays(30) }), makeToken()] },
    })
    expect(wrapper.find('[data-testid="expiry-banner"]').exists()).toBe(false)
  })

  it('offers no Rotate where rotating is not how tokens are renewed', () => {
    const wrapper = mount(TokenExpiryBanner, {
      props: { tokens: [makeToken({ name: 'Mine', expiresAt: inDays(1) })], canRotate: false },
    })
    expect(wrapper.get('h2').text()).toBe('A token expires within 7 days')
    expect(wrapper.find('button').exists()).toBe(false)
  })
})
