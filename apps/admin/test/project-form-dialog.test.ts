import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../src/api/client'
import ProjectFormDialog from '../src/components/project-form-dialog.vue'
import { makeProject } from './fixtures'

afterEach(() => {
  document.body.innerHTML = ''
})

function mountDialog(props: Record<string, unknown> = {}) {
  return mount(ProjectFormDialog, { attachTo: document.body, props: { open: true, ...props } })
}

async function submit(wrapper: ReturnType<typeof mountDialog>) {
  await wrapper.get('form').trigger('submit')
  await nextTick()
}

const keyValue = (wrapper: ReturnType<typeof mountDialog>) =>
  (wrapper.get('input[name="key"]').element as HTMLInputElement).value

describe('new project dialog', () => {
  it('suggests a key from the name until the user types one', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('Mobile App')
    expect(keyValue(wrapper)).toBe('MA')
    await wrapper.get('input[name="name"]').setValue('Website')
    expect(keyValue(wrapper)).toBe('WEB')
    await wrapper.get('input[name="key"]').setValue('site 2')
    await wrapper.get('input[name="name"]').setValue('Website relaunch')
    expect(keyValue(wrapper)).toBe('SITE2')
  })

  it('submits the name, the key in capitals and the description', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('  Website ')
    await wrapper.get('input[name="key"]').setValue('web')
    await wrapper.get('textarea[name="description"]').setValue('Public site')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toEqual([
      [{ key: 'WEB', name: 'Website', description: 'Public site' }],
    ])
  })

  it('refuses a key that is not 2-10 capitals or digits starting with a letter', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('Ops')
    await wrapper.get('input[name="key"]').setValue('2OPS')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    const key = wrapper.get('input[name="key"]')
    expect(key.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(key.element)
    expect(wrapper.text()).toContain('starting with a letter')
  })

  it('shows "key taken" from the server next to the key field', () => {
    const error = new ApiError({
      status: 409,
      code: 'project_key_taken',
      message: 'A project with key WEB already exists.',
    })
    const wrapper = mountDialog({ error })
    const key = wrapper.get('input[name="key"]')
    expect(key.attributes('aria-invalid')).toBe('true')
    expect(wrapper.get(`#${key.attributes('aria-describedby')}`).text()).toContain(
      'A project with key WEB already exists.',
    )
  })

  it('edits name and description of a project but keeps its key read-only', async () => {
    const wrapper = mountDialog({ project: makeProject({ key: 'OPS', name: 'Operations' }) })
    expect(wrapper.get('h2').text()).toBe('Edit Project')
    expect(wrapper.get('input[name="key"]').attributes('readonly')).toBeDefined()
    await wrapper.get('input[name="name"]').setValue('Ops team')
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      { key: 'OPS', name: 'Ops team', description: '' },
    ])
  })

  it('closes on Escape', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})
