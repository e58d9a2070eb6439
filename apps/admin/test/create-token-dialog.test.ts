import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../src/api/client'
import CreateTokenDialog from '../src/components/create-token-dialog.vue'
import { makePolicy, makeProject, makeToken } from './fixtures'

afterEach(() => {
  document.body.innerHTML = ''
})

function mountDialog(props: Record<string, unknown> = {}) {
  return mount(CreateTokenDialog, {
    attachTo: document.body,
    props: { open: true, policy: makePolicy(), ...props },
  })
}

async function submit(wrapper: ReturnType<typeof mountDialog>) {
  await wrapper.get('form').trigger('submit')
  await nextTick()
}

describe('create token dialog', () => {
  it('is titled "Create New Token" and suggests names such as "Cursor MCP"', () => {
    const wrapper = mountDialog()
    expect(wrapper.get('h2').text()).toBe('Create New Token')
    expect(wrapper.get('input[name="name"]').attributes('placeholder')).toContain('Cursor MCP')
  })

  it('refuses to submit without a name and says why', async () => {
    const wrapper = mountDialog()
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    const name = wrapper.get('input[name="name"]')
    expect(name.attributes('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Give the token a name')
  })

  it('submits a token that never expires with full access when the policy allows it', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('  Cursor MCP  ')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toEqual([
      [{ name: 'Cursor MCP', expiresInDays: null, scopes: ['read', 'write'] }],
    ])
  })

  it('sends read-only scopes and the chosen number of days', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('Report script')
    await wrapper.get('input[name="expiresInDays"]').setValue('14')
    await wrapper.get('input[value="read"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      { name: 'Report script', expiresInDays: 14, scopes: ['read'] },
    ])
    expect(wrapper.text()).toContain('Expires on')
  })

  it('makes the expiry required and shows the reason when the policy demands one', async () => {
    const wrapper = mountDialog({ policy: makePolicy({ tokenExpiryRequired: true }) })
    const days = wrapper.get('input[name="expiresInDays"]')
    expect(days.attributes('required')).toBeDefined()
    expect(wrapper.get('[data-testid="policy-reason"]').text()).toContain(
      'Your administrator requires every token to expire.',
    )
    await wrapper.get('input[name="name"]').setValue('CI')
    await days.setValue('')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(days.attributes('aria-invalid')).toBe('true')
  })

  it('refuses a lifetime above the administrator maximum and names the limit', async () => {
    const wrapper = mountDialog({ policy: makePolicy({ maxTokenLifetimeDays: 90 }) })
    expect((wrapper.get('input[name="expiresInDays"]').element as HTMLInputElement).value).toBe(
      '30',
    )
    await wrapper.get('input[name="name"]').setValue('Cursor MCP')
    await wrapper.get('input[name="expiresInDays"]').setValue('365')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(wrapper.text()).toContain('At most 90 days')
    expect(wrapper.text()).toContain('limits tokens to at most 90 days')
  })

  it('shows the server’s policy refusal next to the expiry field', () => {
    const error = new ApiError({
      status: 400,
      code: 'token_lifetime_exceeded',
      message: 'Tokens may last at most 30 days.',
    })
    const wrapper = mountDialog({ error })
    const days = wrapper.get('input[name="expiresInDays"]')
    expect(days.attributes('aria-invalid')).toBe('true')
    const hint = wrapper.get(`#${days.attributes('aria-describedby')}`)
    expect(hint.text()).toContain('Tokens may last at most 30 days.')
  })

  it('in one-token mode offers "Generate Token" and warns that it replaces the current one', () => {
    const wrapper = mountDialog({
      policy: makePolicy({ tokensPerUser: 1 }),
      replaces: makeToken({ name: 'My laptop' }),
    })
    expect(wrapper.get('h2').text()).toBe('Generate Token')
    expect(wrapper.text()).toContain('replaces “My laptop”')
    expect(wrapper.get('button[type="submit"]').text()).toBe('Generate Token')
  })

  it('limits the token to the chosen projects, with full access', async () => {
    const wrapper = mountDialog({
      projects: [
        makeProject({ key: 'WEB', name: 'Website' }),
        makeProject({ key: 'OPS', name: 'Ops' }),
      ],
    })
    await wrapper.get('input[name="name"]').setValue('Cursor MCP')
    await wrapper.get('input[value="some"]').setValue(true)
    const boxes = wrapper.findAll('input[name="projects"]')
    expect(boxes.map((box) => box.attributes('value'))).toEqual(['OPS', 'WEB'])
    await wrapper.get('input[name="projects"][value="WEB"]').setValue(true)
    await wrapper.get('input[name="projects"][value="OPS"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      {
        name: 'Cursor MCP',
        expiresInDays: null,
        scopes: ['read', 'write', 'project:OPS', 'project:WEB'],
      },
    ])
  })

  it('combines read only with a project limit', async () => {
    const wrapper = mountDialog({ projects: [makeProject({ key: 'WEB' })] })
    await wrapper.get('input[name="name"]').setValue('Report')
    await wrapper.get('input[value="read"]').setValue(true)
    await wrapper.get('input[value="some"]').setValue(true)
    await wrapper.get('input[name="projects"][value="WEB"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      { name: 'Report', expiresInDays: null, scopes: ['read', 'project:WEB'] },
    ])
  })

  it('asks for at least one project when only some projects are chosen', async () => {
    const wrapper = mountDialog({ projects: [makeProject({ key: 'WEB' })] })
    await wrapper.get('input[name="name"]').setValue('Report')
    await wrapper.get('input[value="some"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(wrapper.text()).toContain('Choose at least one project')
  })

  it('says so while the projects load, and when there are none', async () => {
    const wrapper = mountDialog({ projects: null })
    await wrapper.get('input[value="some"]').setValue(true)
    expect(wrapper.get('[data-testid="project-choices"]').text()).toContain('Loading your projects')
    await wrapper.setProps({ projects: [] })
    expect(wrapper.get('[data-testid="project-choices"]').text()).toContain(
      'not in any project yet',
    )
  })

  it('closes on Escape', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})
