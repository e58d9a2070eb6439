import type { OAuthRequest } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import OAuthConsentView from '../src/views/oauth-consent-view.vue'
import { makeProject } from './fixtures'

const REQUEST: OAuthRequest = {
  client: {
    id: '20000000-0000-4000-8000-000000000001',
    clientId: 'tsc_abc',
    name: 'Claude Desktop',
    clientUri: null,
    redirectUri: 'http://127.0.0.1:33418/callback',
    redirectHost: '127.0.0.1:33418',
  },
  scopes: ['read', 'write'],
  resource: 'https://tessera.example/api/v1/mcp',
  expiresAt: '2030-01-01T00:00:00.000Z',
  policy: { maxLifetimeDays: 90, expiryRequired: true, defaultLifetimeDays: 90 },
  accessTokenLifetimeSeconds: 3600,
}

let sent: { method: string; url: string; body: unknown }[]
let decision: () => Response
const assign = vi.fn()

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

beforeEach(() => {
  sent = []
  decision = () => json({ redirectTo: 'http://127.0.0.1:33418/callback?code=c&state=s' })
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    sent.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined })
    if (url.startsWith('/api/v1/projects')) {
      return json({ projects: [makeProject({ key: 'WEB' }), makeProject({ key: 'OPS' })] })
    }
    if (method === 'POST') return decision()
    return json(REQUEST)
  })
  vi.stubGlobal('location', { ...window.location, assign })
})

afterEach(() => {
  vi.unstubAllGlobals()
  assign.mockReset()
  document.body.innerHTML = ''
})

async function openConsent(path = '/oauth/consent?request=req-1') {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:any(.*)*', component: OAuthConsentView }],
  })
  await router.push(path)
  const wrapper = mount(OAuthConsentView, {
    attachTo: document.body,
    global: { plugins: [router] },
  })
  await flushPromises()
  return wrapper
}

describe('OAuth consent page', () => {
  it('shows who asks and where the browser goes back to', async () => {
    const wrapper = await openConsent()
    expect(wrapper.get('[data-testid="consent-client"]').text()).toBe('Claude Desktop')
    expect(wrapper.get('[data-testid="consent-redirect"]').text()).toBe('127.0.0.1:33418')
    expect(wrapper.find('[data-testid="consent-publisher"]').exists()).toBe(false)
    expect(sent[0]?.url).toBe('/api/v1/oauth/requests/req-1')
    // Lifetimes within the policy only: at most 90 days, never "until disconnected".
    const options = wrapper.findAll('option').map((o) => o.text())
    expect(options).toEqual(['7 days', '30 days', '90 days'])
  })

  it('a client known by its metadata document shows the host that publishes it', async () => {
    const request: OAuthRequest = {
      ...REQUEST,
      client: { ...REQUEST.client, clientId: 'https://client.example.test/oauth/client.json' },
    }
    vi.stubGlobal('fetch', async (url: string) =>
      url.startsWith('/api/v1/projects') ? json({ projects: [] }) : json(request),
    )
    const wrapper = await openConsent()
    expect(wrapper.get('[data-testid="consent-publisher"]').text()).toBe('client.example.test')
  })

  it('approving sends the chosen access and goes back to the app', async () => {
    const wrapper = await openConsent()
    await wrapper.get('input[name="access"][value="read"]').setValue(true)
    await wrapper.get('input[name="scope"][value="chosen"]').setValue(true)
    await wrapper.get('input[type="checkbox"][value="OPS"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const post = sent.find((r) => r.method === 'POST')
    expect(post?.body).toEqual({
      approve: true,
      scopes: ['read'],
      projects: ['OPS'],
      expiresInDays: 90,
    })
    expect(assign).toHaveBeenCalledWith('http://127.0.0.1:33418/callback?code=c&state=s')
  })

  it('denying tells the app so', async () => {
    const wrapper = await openConsent()
    const deny = wrapper.findAll('button').find((b) => b.text() === 'Deny')
    await deny?.trigger('click')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ approve: false })
    expect(assign).toHaveBeenCalled()
  })

  it('an expired request says to start again', async () => {
    vi.stubGlobal('fetch', async () =>
      json(
        {
          status: 410,
          code: 'oauth_request_expired',
          detail: 'This authorization request has expired.',
          hint: 'Start connecting again from your app.',
        },
        410,
      ),
    )
    const wrapper = await openConsent()
    expect(wrapper.get('[data-testid="consent-error"]').text()).toContain('Start connecting again')
  })

  it('a refusal of the decision is shown, and nothing leaves the page', async () => {
    decision = () =>
      json(
        { status: 409, code: 'token_limit_reached', detail: 'You already have 1 active token.' },
        409,
      )
    const wrapper = await openConsent()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="decide-error"]').text()).toContain('1 active token')
    expect(assign).not.toHaveBeenCalled()
  })
})
