import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../src/api/client'
import CreateTaskDialog from '../src/components/create-task-dialog.vue'
import { makeMember, makeUserRef } from './fixtures'

afterEach(() => {
  document.body.innerHTML = ''
})

const me = makeUserRef({ name: 'Me Myself' })
const ada = makeUserRef({ name: 'Ada Lovelace' })

function mountDialog(props: Record<string, unknown> = {}) {
  return mount(CreateTaskDialog, {
    attachTo: document.body,
    props: {
      open: true,
      project: { key: 'WEB', name: 'Website' },
      members: [makeMember({ user: me, role: 'owner' }), makeMember({ user: ada })],
      currentUserId: me.id,
      ...props,
    },
  })
}

async function submit(wrapper: ReturnType<typeof mountDialog>) {
  await wrapper.get('form').trigger('submit')
  await nextTick()
}

describe('new task dialog', () => {
  it('names the project it creates the task in', () => {
    const wrapper = mountDialog()
    expect(wrapper.get('h2').text()).toBe('New Task')
    expect(wrapper.text()).toContain('In Website (WEB).')
  })

  it('needs a title', async () => {
    const wrapper = mountDialog()
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(wrapper.get('input[name="title"]').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(wrapper.get('input[name="title"]').element)
  })

  it('sends defaults: to do, no priority, unassigned, no due date', async () => {
    const wrapper = mountDialog()
    await wrapper.get('input[name="title"]').setValue('  Write the launch post ')
    await submit(wrapper)
    expect(wrapper.emitted('submit')).toEqual([
      [
        {
          project: 'WEB',
          title: 'Write the launch post',
          description: '',
          status: 'todo',
          priority: 'none',
          assignee: null,
          dueDate: null,
        },
      ],
    ])
  })

  it('offers "Me" and the other members as assignees, and sends what was chosen', async () => {
    const wrapper = mountDialog()
    const options = wrapper.findAll('select[name="assignee"] option').map((option) => option.text())
    expect(options).toEqual(['Unassigned', 'Me', 'Ada Lovelace'])
    await wrapper.get('input[name="title"]').setValue('Review')
    await wrapper.get('textarea[name="description"]').setValue('**Soon**')
    await wrapper.get('select[name="status"]').setValue('in_progress')
    await wrapper.get('select[name="priority"]').setValue('urgent')
    await wrapper.get('select[name="assignee"]').setValue(ada.id)
    await wrapper.get('input[name="dueDate"]').setValue('2026-03-04')
    await submit(wrapper)
    expect(wrapper.emitted('submit')?.[0]).toEqual([
      {
        project: 'WEB',
        title: 'Review',
        description: '**Soon**',
        status: 'in_progress',
        priority: 'urgent',
        assignee: ada.id,
        dueDate: '2026-03-04',
      },
    ])
  })

  it('does not offer "Me" to an admin who is not in the project', () => {
    const wrapper = mountDialog({ currentUserId: makeUserRef().id })
    const options = wrapper.findAll('select[name="assignee"] option').map((option) => option.text())
    expect(options).toEqual(['Unassigned', 'Me Myself', 'Ada Lovelace'])
  })

  it('shows why the server refused', () => {
    const error = new ApiError({
      status: 400,
      code: 'assignee_not_member',
      message: 'The assignee is not a member of WEB.',
    })
    const wrapper = mountDialog({ error })
    expect(wrapper.get('[role="alert"]').text()).toContain('not a member of WEB')
  })
})
