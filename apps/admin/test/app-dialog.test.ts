import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, nextTick, ref } from 'vue'
import AppDialog from '../src/components/app-dialog.vue'

/** A page with a button that opens a dialog holding two fields. */
const Harness = defineComponent({
  components: { AppDialog },
  setup() {
    const open = ref(false)
    return { open }
  },
  template: `
    <div>
      <button id="opener" @click="open = true">Open</button>
      <AppDialog :open="open" title="Edit thing" @close="open = false">
        <input id="first" />
        <input id="second" />
        <template #footer><button id="save">Save</button></template>
      </AppDialog>
    </div>
  `,
})

async function openHarness() {
  const wrapper = mount(Harness, { attachTo: document.body })
  const opener = wrapper.get('#opener')
  ;(opener.element as HTMLButtonElement).focus()
  await opener.trigger('click')
  await nextTick()
  await nextTick()
  return wrapper
}

function press(key: string, options: KeyboardEventInit = {}) {
  const target = document.activeElement ?? document.body
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options }),
  )
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('dialog', () => {
  it('is labelled by its title and focuses the first field when it opens', async () => {
    const wrapper = await openHarness()
    const dialog = wrapper.get('dialog')
    const titleId = dialog.attributes('aria-labelledby')
    expect(titleId && document.getElementById(titleId)?.textContent).toBe('Edit thing')
    expect(document.activeElement?.id).toBe('first')
  })

  it('keeps Tab inside the dialog: from the last control it wraps to the first', async () => {
    await openHarness()
    ;(document.getElementById('save') as HTMLElement).focus()
    press('Tab')
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close')
  })

  it('keeps Shift+Tab inside the dialog: from the first control it wraps to the last', async () => {
    await openHarness()
    ;(document.querySelector('[aria-label="Close"]') as HTMLElement).focus()
    press('Tab', { shiftKey: true })
    expect(document.activeElement?.id).toBe('save')
  })

  it('closes on Escape and returns focus to the button that opened it', async () => {
    const wrapper = await openHarness()
    press('Escape')
    await nextTick()
    await nextTick()
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('opener')
  })

  it('closes with its close button', async () => {
    const wrapper = await openHarness()
    await wrapper.get('[aria-label="Close"]').trigger('click')
    expect(wrapper.find('dialog').exists()).toBe(false)
  })
})
