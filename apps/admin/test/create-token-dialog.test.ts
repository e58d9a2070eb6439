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

/** The expiry choices as they read: "7 days" … "Custom", "Never". */
const presetLabels = (wrapper: ReturnType<typeof mountDialog>) =>
  wrapper.findAll('[data-testid="expiry-presets"] label').map((label) => label.text())

const checkedPreset = (wrapper: ReturnType<typeof mountDialog>) =>
  wrapper
    .findAll('[data-testid="expiry-presets"] label')
    .find((label) => (label.get('input').element as HTMLInputElement).checked)
    ?.text()

async function choosePreset(wrapper: ReturnType<typeof mountDialog>, text: string) {
  const label = wrapper
    .findAll('[data-testid="expiry-presets"] label')
    .find((candidate) => candidate.text() === text)
  if (!label) throw new Error(`no expiry choice "${text}"`)
  await label.get('input').setValue(true)
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

  it('offers 7, 30, 60 and 90 days, Custom and Never, with 30 days chosen', async () => {
    const wrapper = mountDialog()
    expect(presetLabels(wrapper)).toEqual([
      '7 days',
      '30 days',
      '60 days',
      '90 days',
      'Custom',
      'Never',
    ])
    expect(checkedPreset(wrapper)).toBe('30 days')
    expect(wrapper.find('input[name="expiresInDays"]').exists()).toBe(false)
    await wrapper.get('input[name="name"]').setValue('  Cursor MCP  ')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toEqual([
      [{ name: 'Cursor MCP', expiresInDays: 30, scopes: ['read', 'write'] }],
    ])
    expect(wrapper.text()).toContain('Expires on')
  })

  it('submits a token that never expires when Never is chosen, and says what that means', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('Cursor MCP')
    await choosePreset(wrapper, 'Never')
    expect(wrapper.get('[data-testid="expiry-hint"]').text()).toContain('works until it is revoked')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toEqual([
      [{ name: 'Cursor MCP', expiresInDays: null, scopes: ['read', 'write'] }],
    ])
  })

  it('sends read-only scopes and a custom number of days', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="name"]').setValue('Report script')
    await choosePreset(wrapper, 'Custom')
    const days = wrapper.get('input[name="expiresInDays"]')
    expect(wrapper.get(`label[for="${days.attributes('id')}"]`).text()).toBe('Expires In (days)')
    await days.setValue('14')
    await wrapper.get('input[value="read"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      { name: 'Report script', expiresInDays: 14, scopes: ['read'] },
    ])
    expect(wrapper.text()).toContain('Expires on')
  })

  it('makes the expiry required and shows the reason when the policy demands one', async () => {
    const wrapper = mountDialog({ policy: makePolicy({ tokenExpiryRequired: true }) })
    expect(presetLabels(wrapper)).not.toContain('Never')
    expect(wrapper.get('[data-testid="policy-reason"]').text()).toContain(
      'Your administrator requires every token to expire.',
    )
    await choosePreset(wrapper, 'Custom')
    const days = wrapper.get('input[name="expiresInDays"]')
    expect(days.attributes('required')).toBeDefined()
    await wrapper.get('input[name="name"]').setValue('CI')
    await days.setValue('')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(days.attributes('aria-invalid')).toBe('true')
  })

  it('offers only the presets within the administrator maximum', async () => {
    const wrapper = mountDialog({ policy: makePolicy({ maxTokenLifetimeDays: 60 }) })
    expect(presetLabels(wrapper)).toEqual(['7 days', '30 days', '60 days', 'Custom'])
    expect(checkedPreset(wrapper)).toBe('30 days')
    // Under a maximum shorter than 30 days, the maximum is the suggestion.
    const short = mountDialog({ policy: makePolicy({ maxTokenLifetimeDays: 14 }) })
    expect(presetLabels(short)).toEqual(['7 days', 'Custom'])
    expect(checkedPreset(short)).toBe('Custom')
    expect((short.get('input[name="expiresInDays"]').element as HTMLInputElement).value).toBe('14')
  })

  it('keeps 30 days when the policy arrives after the dialog opened, unless the user chose', async () => {
    const wrapper = mountDialog({ policy: null })
    expect(checkedPreset(wrapper)).toBe('30 days')
    await wrapper.setProps({ policy: makePolicy({ maxTokenLifetimeDays: 14 }) })
    expect(checkedPreset(wrapper)).toBe('Custom')
    const chosen = mountDialog({ policy: null })
    await choosePreset(chosen, '7 days')
    await chosen.setProps({ policy: makePolicy({ maxTokenLifetimeDays: 14 }) })
    expect(checkedPreset(chosen)).toBe('7 days')
  })

  it('refuses a lifetime above the administrator maximum and names the limit', async () => {
    const wrapper = mountDialog({ policy: makePolicy({ maxTokenLifetimeDays: 90 }) })
    expect(checkedPreset(wrapper)).toBe('30 days')
    await wrapper.get('input[name="name"]').setValue('Cursor MCP')
    await choosePreset(wrapper, 'Custom')
    await wrapper.get('input[name="expiresInDays"]').setValue('365')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(wrapper.text()).toContain('At most 90 days')
    expect(wrapper.text()).toContain('limits tokens to at most 90 days')
  })

  it('shows the server’s policy refusal next to the expiry field', async () => {
    const error = new ApiError({
      status: 400,
      code: 'token_lifetime_exceeded',
      message: 'Tokens may last at most 30 days.',
    })
    const wrapper = mountDialog({ error })
    const group = wrapper.get('fieldset[aria-describedby]')
    const hint = wrapper.get(`#${group.attributes('aria-describedby')}`)
    expect(hint.text()).toContain('Tokens may last at most 30 days.')
    await choosePreset(wrapper, 'Custom')
    const days = wrapper.get('input[name="expiresInDays"]')
    expect(days.attributes('aria-invalid')).toBe('true')
    expect(days.attributes('aria-describedby')).toBe(group.attributes('aria-describedby'))
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
        expiresInDays: 30,
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
      { name: 'Report', expiresInDays: 30, scopes: ['read', 'project:WEB'] },
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
