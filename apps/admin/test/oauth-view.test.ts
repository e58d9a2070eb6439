import type { OAuthClient } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import OAuthView from '../src/views/admin/oauth-view.vue'

function client(overrides: Partial<OAuthClient> = {}): OAuthClient {
  return {
    id: '30000000-0000-4000-8000-000000000001',
    clientId: 'tsc_one',
    name: 'Claude Desktop',
    redirectUris: ['http://127.0.0.1:33418/callback'],
    clientUri: null,
    softwareId: null,
    softwareVersion: null,
    registrationType: 'dynamic',
    registeredIp: '10.0.0.5',
    metadataFetchedAt: null,
    metadataExpiresAt: null,
    createdAt: '2025-01-10T10:00:00.000Z',
    approvedAt: null,
    blockedAt: null,
    status: 'active',
    ...overrides,
  }
}

let sent: { method: string; url: string; body: unknown }[]
let clients: OAuthClient[]

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

beforeEach(() => {
  sent = []
  clients = [
    client(),
    client({ id: '30000000-0000-4000-8000-000000000002', name: 'Newcomer', status: 'pending' }),
  ]
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    sent.push({ method, url, body })
    if (url === '/api/v1/admin/oauth/settings') {
      return json(
        body ?? {
          enabled: true,
          clientApprovalRequired: true,
          clientMetadataFromPrivateAddresses: false,
        },
      )
    }
    if (method === 'PATCH') {
      const id = url.split('/').at(-1)
      const target = clients.find((c) => c.id === id) as OAuthClient
      return json({
        client: {
          ...target,
          status: body.blocked ? 'blocked' : body.approved ? 'active' : target.status,
        },
      })
    }
    return json({ clients })
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function open() {
  const wrapper = mount(OAuthView, { attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('admin: OAuth apps', () => {
  it('lists the registered apps with where they return to and their status', async () => {
    const wrapper = await open()
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0]?.text()).toContain('Claude Desktop')
    expect(rows[0]?.text()).toContain('127.0.0.1:33418')
    expect(rows[1]?.get('[data-testid="client-status"]').text()).toBe('Waiting for approval')
  })

  it('turning OAuth off saves every switch', async () => {
    const wrapper = await open()
    await wrapper.get('input[name="enabled"]').setValue(false)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.method === 'PUT')?.body).toEqual({
      enabled: false,
      clientApprovalRequired: true,
      clientMetadataFromPrivateAddresses: false,
    })
  })

  it('metadata documents on private addresses can be allowed', async () => {
    const wrapper = await open()
    await wrapper.get('input[name="private-metadata"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.method === 'PUT')?.body).toMatchObject({
      clientMetadataFromPrivateAddresses: true,
    })
  })

  it('an app known by its metadata document shows the document URL', async () => {
    const url = 'https://client.example.test/oauth/client.json'
    clients = [
      client({
        clientId: url,
        name: 'Web client',
        registrationType: 'metadata_document',
        metadataFetchedAt: '2025-01-10T10:00:00.000Z',
        metadataExpiresAt: '2025-01-10T11:00:00.000Z',
      }),
    ]
    const wrapper = await open()
    expect(wrapper.get('[data-testid="client-url"]').text()).toBe(url)
  })

  it('approving and blocking change one app at a time', async () => {
    const wrapper = await open()
    await wrapper.get('button[aria-label="Approve Newcomer"]').trigger('click')
    await flushPromises()
    expect(sent.at(-1)).toMatchObject({ method: 'PATCH', body: { approved: true } })
    await wrapper.get('button[aria-label="Block Claude Desktop"]').trigger('click')
    await flushPromises()
    expect(sent.at(-1)).toMatchObject({ method: 'PATCH', body: { blocked: true } })
    const statuses = wrapper.findAll('[data-testid="client-status"]').map((s) => s.text())
    expect(statuses).toEqual(['Blocked', 'Active'])
    expect(wrapper.find('button[aria-label="Unblock Claude Desktop"]').exists()).toBe(true)
  })
})
