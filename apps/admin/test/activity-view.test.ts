import type {
  ActivityList,
  MeResponse,
  Permission,
  ProjectMember,
  TokenList,
} from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ActivityFilter } from '../src/api/activity'
import { loadSession } from '../src/stores/session'
import ActivityView from '../src/views/activity-view.vue'
import { makeActivity, makeMember, makeProject, makeToken, makeUserRef } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  listActivity: vi.fn<(filter: ActivityFilter) => Promise<ActivityList>>(),
}))
vi.mock('../src/api/activity', () => api)
const usersApi = vi.hoisted(() => ({ listUsers: vi.fn(async () => ({ users: [] })) }))
vi.mock('../src/api/users', () => usersApi)
const projectsApi = vi.hoisted(() => ({
  listProjects: vi.fn(),
  listMembers: vi.fn<(key: string) => Promise<ProjectMember[]>>(),
}))
vi.mock('../src/api/projects', () => projectsApi)
const tokensApi = vi.hoisted(() => ({ listTokens: vi.fn<() => Promise<TokenList>>() }))
vi.mock('../src/api/tokens', () => tokensApi)
const authApi = vi.hoisted(() => ({ getMe: vi.fn<() => Promise<MeResponse | null>>() }))
vi.mock('../src/api/auth', () => authApi)

const me = makeUserRef({ name: 'Mia Member', email: 'mia@example.com' })
const colleague = makeUserRef({ name: 'Cole League', email: 'cole@example.com' })
const agent = makeToken({ name: 'Cursor on laptop' })

async function signedInWith(permissions: Permission[]) {
  authApi.getMe.mockResolvedValue({
    user: { ...me, role: permissions.includes('ViewAllActivity') ? 'admin' : 'member' },
    permissions,
    auth: { method: 'session', csrfToken: 'c' },
  } as MeResponse)
  await loadSession(true)
}

beforeEach(() => {
  api.listActivity.mockResolvedValue({ activity: [], nextCursor: null })
  projectsApi.listProjects.mockResolvedValue([
    makeProject({ key: 'WEB', name: 'Website' }),
    makeProject({ key: 'APP', name: 'App' }),
  ])
  projectsApi.listMembers.mockImplementation(async (key) =>
    key === 'WEB'
      ? [makeMember({ user: me }), makeMember({ user: colleague })]
      : [makeMember({ user: me })],
  )
  tokensApi.listTokens.mockResolvedValue({ tokens: [agent], nextCursor: null })
})

afterEach(() => {
  document.body.innerHTML = ''
  vi.clearAllMocks()
})

async function mountAt(path: string) {
  const router = await routerAt(path)
  const wrapper = mount(ActivityView, { attachTo: document.body, global: { plugins: [router] } })
  await flushPromises()
  return { wrapper, router }
}

const optionsOf = (wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], id: string) =>
  wrapper.findAll(`#${id} option`).map((option) => option.text())

describe('activity page', () => {
  it('tells changes as sentences, with a via badge naming the token or app', async () => {
    await signedInWith(['ManageApiTokens'])
    api.listActivity.mockResolvedValue({
      activity: [
        makeActivity({
          via: 'mcp',
          token: { id: agent.id, name: 'Cursor on laptop' },
          action: 'task.status_changed',
          target: { type: 'task', id: 't', label: 'WEB-3' },
          changes: { status: { before: 'todo', after: 'done' } },
        }),
        makeActivity({
          action: 'comment.added',
          target: { type: 'task', id: 't', label: 'WEB-3' },
          changes: { comment: { before: null, after: 'Looks good' } },
        }),
      ],
      nextCursor: null,
    })
    const { wrapper } = await mountAt('/activity')
    const rows = wrapper.findAll('[data-testid="activity-row"]')
    const moved = rows[0]
    expect(moved?.get('[data-label="What"]').text().replace(/\s+/g, ' ')).toBe(
      'moved WEB-3 from To do to Done',
    )
    expect(moved?.get('[data-label="What"] a').attributes('href')).toBe('/tasks/WEB-3')
    expect(moved?.get('[data-testid="via-badge"]').text()).toBe('via MCP · “Cursor on laptop”')
    expect(rows[1]?.get('[data-label="What"]').text()).toContain('commented on WEB-3')
    expect(rows[1]?.get('[data-label="What"]').text()).toContain('“Looks good”')
    expect(rows[1]?.get('[data-testid="via-badge"]').text()).toBe('via Web')
  })

  it('a member filters by the people of their projects, their projects and their tokens', async () => {
    await signedInWith(['ManageApiTokens'])
    const { wrapper, router } = await mountAt('/activity')
    expect(wrapper.text()).toContain('What happened in your projects and to your account')
    expect(api.listActivity).toHaveBeenLastCalledWith({ cursor: undefined })
    // People: the members of their projects, never the whole workspace's list.
    expect(usersApi.listUsers).not.toHaveBeenCalled()
    expect(optionsOf(wrapper, 'filter-actor')).toEqual([
      'Everyone',
      'Cole League (cole@example.com)',
      'Mia Member (mia@example.com)',
    ])
    expect(optionsOf(wrapper, 'filter-project')).toEqual([
      'All projects',
      'Website (WEB)',
      'App (APP)',
    ])
    expect(optionsOf(wrapper, 'filter-token')).toEqual([
      'With or without',
      'All my tokens',
      '“Cursor on laptop”',
    ])

    await wrapper.get('#filter-token').setValue('mine')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ token: 'mine' })
    expect(api.listActivity).toHaveBeenLastCalledWith({ token: 'mine', cursor: undefined })

    for (const [id, value] of [
      ['filter-project', 'WEB'],
      ['filter-via', 'mcp'],
      ['filter-actor', colleague.id],
    ]) {
      await wrapper.get(`#${id}`).setValue(value)
      await flushPromises()
    }
    expect(api.listActivity).toHaveBeenLastCalledWith({
      token: 'mine',
      project: 'WEB',
      via: 'mcp',
      actor: colleague.id,
      cursor: undefined,
    })
    expect(wrapper.text()).toContain('Nothing matches these filters')

    await wrapper.get('button.button--ghost').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({})
    expect(api.listActivity).toHaveBeenLastCalledWith({ cursor: undefined })
  })

  it('a filter from a link is applied and shown, and a value that cannot be one is ignored', async () => {
    await signedInWith([])
    const other = '10000000-0000-4000-8000-000000000777'
    api.listActivity.mockResolvedValue({
      activity: [makeActivity({ via: 'api', token: { id: other, name: 'nightly sync' } })],
      nextCursor: null,
    })
    const { wrapper } = await mountAt(`/activity?token=${other}&via=pigeon&project=w!`)
    expect(api.listActivity).toHaveBeenLastCalledWith({ token: other, cursor: undefined })
    // Without ManageApiTokens there is no token list: "All my tokens" and the linked token.
    expect(tokensApi.listTokens).not.toHaveBeenCalled()
    expect(optionsOf(wrapper, 'filter-token')).toEqual([
      'With or without',
      'All my tokens',
      '“nightly sync”',
    ])
    expect((wrapper.get('#filter-token').element as HTMLSelectElement).value).toBe(other)
    expect((wrapper.get('#filter-via').element as HTMLSelectElement).value).toBe('')
  })

  it('an administrator reads the whole workspace, with everyone to filter by', async () => {
    await signedInWith(['ManageApiTokens', 'ManageUsers', 'ViewAllActivity'])
    usersApi.listUsers.mockResolvedValue({
      users: [{ ...colleague, role: 'member', disabled: false }],
    } as never)
    const { wrapper } = await mountAt('/activity')
    expect(wrapper.text()).toContain('Everything that happened in the workspace')
    expect(usersApi.listUsers).toHaveBeenCalled()
    expect(projectsApi.listMembers).not.toHaveBeenCalled()
    expect(optionsOf(wrapper, 'filter-actor')).toEqual([
      'Everyone',
      'Cole League (cole@example.com)',
    ])
  })
})
