import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import TokenSecretDialog from '../src/components/token-secret-dialog.vue'
import { makeSecret } from './fixtures'

const copyText = vi.hoisted(() => vi.fn(async (_text: string) => true))
vi.mock('../src/lib/clipboard', () => ({ copyText }))

afterEach(() => {
  document.body.innerHTML = ''
  copyText.mockClear()
})

const ORIGIN = 'https://tessera.example.com'

function mountDialog(props: Record<string, unknown> = {}) {
  return mount(TokenSecretDialog, {
    attachTo: document.body,
    props: { open: true, result: makeSecret(), origin: ORIGIN, ...props },
  })
}

describe('token success dialog', () => {
  it('shows the full token with a warning that it will not be shown again', () => {
    const wrapper = mountDialog()
    const field = wrapper.get('[data-testid="token-secret"]').element as HTMLInputElement
    expect(field.value).toBe(makeSecret().secret)
    expect(field.readOnly).toBe(true)
    expect(wrapper.text()).toContain('It will not be shown again')
  })

  it('copies the token and confirms it on the button', async () => {
    const wrapper = mountDialog()
    const button = wrapper.get('button[aria-label="Copy token"]')
    await button.trigger('click')
    await vi.waitFor(() => expect(button.text()).toContain('Copied'))
    expect(copyText).toHaveBeenCalledWith(makeSecret().secret)
    expect(wrapper.get('[role="status"]').text()).toContain('copied')
  })

  it('tells the user when copying failed', async () => {
    copyText.mockResolvedValueOnce(false)
    const wrapper = mountDialog()
    const button = wrapper.get('button[aria-label="Copy token"]')
    await button.trigger('click')
    await vi.waitFor(() => expect(button.text()).toContain('Copy Failed'))
  })

  it('offers a tab per client, each snippet with this server’s URL and the new token', async () => {
    const wrapper = mountDialog()
    const tabs = wrapper.findAll('[role="tab"]')
    expect(tabs.map((tab) => tab.text())).toEqual([
      'VS Code Extension',
      'VS Code mcp.json',
      'Cursor',
      'Claude Desktop',
      'curl',
    ])
    for (const tab of tabs.slice(2)) {
      await tab.trigger('click')
      const code = wrapper.get('[role="tabpanel"] pre').text()
      expect(code).toContain(ORIGIN)
      expect(code).toContain(makeSecret().secret)
    }
  })

  it('gives every snippet its own copy button that copies exactly that snippet', async () => {
    const wrapper = mountDialog()
    await wrapper.findAll('[role="tab"]')[2]?.trigger('click')
    const snippet = wrapper.get('[role="tabpanel"] pre').text()
    await wrapper.get('[role="tabpanel"] button').trigger('click')
    expect(copyText).toHaveBeenCalledWith(snippet)
    expect(JSON.parse(snippet)).toEqual({
      mcpServers: {
        tessera: {
          url: `${ORIGIN}/api/v1/mcp`,
          headers: { Authorization: `Bearer ${makeSecret().secret}` },
        },
      },
    })
  })

  it('moves between client tabs with the arrow keys', async () => {
    const wrapper = mountDialog()
    const first = wrapper.get('[role="tab"]')
    ;(first.element as HTMLElement).focus()
    await first.trigger('keydown', { key: 'ArrowRight' })
    await nextTick()
    expect(document.activeElement?.textContent?.trim()).toBe('VS Code mcp.json')
    expect(document.activeElement?.getAttribute('aria-selected')).toBe('true')
    await wrapper.findAll('[role="tab"]')[1]?.trigger('keydown', { key: 'End' })
    await nextTick()
    expect(document.activeElement?.textContent?.trim()).toBe('curl')
  })

  it('says the old token stopped working after a rotation', () => {
    const wrapper = mountDialog({ mode: 'rotated' })
    expect(wrapper.get('h2').text()).toBe('Token Rotated')
    expect(wrapper.text()).toContain('The old one no longer works')
  })

  it('closes with Done', async () => {
    const wrapper = mountDialog()
    const done = wrapper.findAll('footer button').find((button) => button.text() === 'Done')
    await done?.trigger('click')
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})
