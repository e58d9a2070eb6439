import type { ProjectMember } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/client'
import ProjectMembers from '../src/views/workspace/project-members.vue'
import { makeMember, makeUserRef } from './fixtures'

const api = vi.hoisted(() => ({
  addMember: vi.fn<(key: string, body: Record<string, unknown>) => Promise<ProjectMember[]>>(),
  removeMember: vi.fn(),
}))
vi.mock('../src/api/projects', () => api)
vi.mock('../src/api/users', () => ({ listUsers: vi.fn(async () => ({ users: [] })) }))

const owner = makeMember({ user: makeUserRef({ name: 'Olivia Owner' }), role: 'owner' })
const member = makeMember({ user: makeUserRef({ name: 'Max Member' }), role: 'member' })

beforeEach(() => {
  api.addMember.mockReset()
  api.removeMember.mockReset()
})

afterEach(() => {
  document.body.innerHTML = ''
})

function mountMembers(canManage: boolean, members: ProjectMember[] = [owner, member]) {
  return mount(ProjectMembers, {
    attachTo: document.body,
    props: { projectKey: 'WEB', members, error: null, canManage },
  })
}

describe('project members', () => {
  it('lists members with their roles, read-only for people who do not manage the project', () => {
    const wrapper = mountMembers(false)
    const rows = wrapper.findAll('[data-testid="member-row"]')
    expect(rows.map((row) => row.get('.cell-strong').text())).toEqual([
      'Olivia Owner',
      'Max Member',
    ])
    expect(rows[0]?.text()).toContain('Owner')
    expect(wrapper.find('form').exists()).toBe(false)
    expect(wrapper.find('select').exists()).toBe(false)
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('adds someone by email with a role', async () => {
    const added = makeMember({ user: makeUserRef({ email: 'new@example.com' }) })
    api.addMember.mockResolvedValue([owner, member, added])
    const wrapper = mountMembers(true)
    await wrapper.get('input[type="email"]').setValue(' new@example.com ')
    await wrapper.get('form select').setValue('owner')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.addMember).toHaveBeenCalledWith('WEB', { email: 'new@example.com', role: 'owner' })
    expect(wrapper.emitted('update:members')?.[0]).toEqual([[owner, member, added]])
    expect((wrapper.get('input[type="email"]').element as HTMLInputElement).value).toBe('')
  })

  it('explains an unknown email', async () => {
    api.addMember.mockRejectedValue(
      new ApiError({ status: 404, code: 'not_found', message: 'User not found' }),
    )
    const wrapper = mountMembers(true)
    await wrapper.get('input[type="email"]').setValue('nobody@example.com')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain(
      'Nobody with the email nobody@example.com has an account here',
    )
  })

  it('does not let the only owner lose the role', () => {
    const wrapper = mountMembers(true)
    const ownerRole = wrapper.get(`select[id$="role-${owner.user.id}"]`)
    expect(ownerRole.attributes('disabled')).toBeDefined()
    const memberRole = wrapper.get(`select[id$="role-${member.user.id}"]`)
    expect(memberRole.attributes('disabled')).toBeUndefined()
  })

  it('removes a member after confirmation', async () => {
    api.removeMember.mockResolvedValue(undefined)
    const wrapper = mountMembers(true)
    await wrapper.get('button[aria-label="Remove Max Member"]').trigger('click')
    const dialog = wrapper.get('dialog[role="alertdialog"]')
    expect(dialog.text()).toContain('Remove Max Member from WEB?')
    await dialog.findAll('footer button')[1]?.trigger('click')
    await flushPromises()
    expect(api.removeMember).toHaveBeenCalledWith('WEB', member.user.id)
    expect(wrapper.emitted('update:members')?.[0]).toEqual([[owner]])
  })

  it('explains the last-owner rule when the server refuses a removal', async () => {
    api.removeMember.mockRejectedValue(
      new ApiError({ status: 400, code: 'last_owner', message: 'A project needs an owner.' }),
    )
    const wrapper = mountMembers(true)
    await wrapper.get('button[aria-label="Remove Olivia Owner"]').trigger('click')
    await wrapper.get('dialog[role="alertdialog"]').findAll('footer button')[1]?.trigger('click')
    await flushPromises()
    expect(wrapper.get('dialog [role="alert"]').text()).toContain(
      'Make someone else an owner first',
    )
  })
})
