import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import CreateUserDialog from '../src/components/create-user-dialog.vue'

afterEach(() => {
  document.body.innerHTML = ''
})

function mountDialog() {
  return mount(CreateUserDialog, { attachTo: document.body, props: { open: true } })
}

describe('add user dialog', () => {
  it('an incomplete form is not sent, and focus moves to the first invalid field at once', async () => {
    const wrapper = mountDialog()
    // The email is fine, so the first invalid field is not the one focused when the dialog opened.
    await wrapper.get('input[type="email"]').setValue('ada@example.com')
    ;(wrapper.get('input[type="email"]').element as HTMLInputElement).focus()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.emitted('submit')).toBeUndefined()
    const invalid = wrapper.findAll('[aria-invalid="true"]')
    expect(invalid.length).toBeGreaterThan(0)
    expect(invalid[0]?.attributes('type')).not.toBe('email')
    expect(document.activeElement).toBe(invalid[0]?.element)
  })

  it('a complete form is sent trimmed, with the chosen role', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[type="email"]').setValue(' ada@example.com ')
    const texts = wrapper.findAll('input[type="text"], input:not([type])')
    await texts[0]?.setValue(' Ada ')
    await wrapper.get('input[type="password"]').setValue('a-long-enough-password')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.emitted('submit')?.[0]?.[0]).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada',
    })
  })
})
