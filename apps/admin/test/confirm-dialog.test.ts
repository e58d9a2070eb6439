import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import ConfirmDialog from '../src/components/confirm-dialog.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

function mountConfirm(props: Record<string, unknown> = {}) {
  return mount(ConfirmDialog, {
    attachTo: document.body,
    props: { open: true, title: 'Revoke “Cursor MCP”?', confirmLabel: 'Revoke Token', ...props },
    slots: { default: '<p>Cursor MCP stops working immediately.</p>' },
  })
}

describe('confirm dialog', () => {
  it('names what is confirmed in its title and message', () => {
    const wrapper = mountConfirm()
    expect(wrapper.get('h2').text()).toBe('Revoke “Cursor MCP”?')
    expect(wrapper.text()).toContain('Cursor MCP stops working immediately.')
    expect(wrapper.get('dialog').attributes('role')).toBe('alertdialog')
  })

  it('focuses Cancel first, so Enter does not destroy anything by accident', async () => {
    mountConfirm()
    await nextTick()
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel')
  })

  it('emits confirm from the confirm button and close from Cancel', async () => {
    const wrapper = mountConfirm()
    const buttons = wrapper.findAll('footer button')
    await buttons[1]?.trigger('click')
    await buttons[0]?.trigger('click')
    expect(wrapper.emitted('confirm')).toHaveLength(1)
    expect(wrapper.emitted('close')).toHaveLength(1)
  })

  it('disables both buttons while busy and shows the error of a failed attempt', () => {
    const wrapper = mountConfirm({ busy: true, error: 'The server could not be reached.' })
    for (const button of wrapper.findAll('footer button')) {
      expect(button.attributes('disabled')).toBeDefined()
    }
    expect(wrapper.get('[role="alert"]').text()).toBe('The server could not be reached.')
  })
})
