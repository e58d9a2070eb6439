import type { Project } from '@tessera/api/contract'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ProjectView from '../src/views/workspace/project-view.vue'
import { makeMember, makeProject, makeUserRef } from './fixtures'
import { routerAt } from './router'

const api = vi.hoisted(() => ({
  getProject: vi.fn<(key: string) => Promise<Project>>(),
  listMembers: vi.fn(),
  updateProject: vi.fn(),
}))
vi.mock('../src/api/projects', () => api)
const activityApi = vi.hoisted(() => ({
  listActivity: vi.fn(async () => ({ activity: [], nextCursor: null })),
}))
vi.mock('../src/api/activity', () => activityApi)
vi.mock('../src/api/tokens', () => ({ listTokens: vi.fn() }))

afterEach(() => {
  document.body.innerHTML = ''
})

async function mountProject(project: Project, query = '') {
  api.getProject.mockResolvedValue(project)
  api.listMembers.mockResolvedValue([
    makeMember({ user: makeUserRef({ name: 'Zoe Owner', email: 'zoe@example.com' }) }),
    makeMember({ user: makeUserRef({ name: 'Al Member', email: 'al@example.com' }) }),
  ])
  const router = await routerAt(`/projects/${project.key}${query}`)
  const wrapper = mount(ProjectView, {
    attachTo: document.body,
    // The tabs have their own tests; this one is about the header.
    global: { plugins: [router], stubs: { ProjectTasks: true, ProjectMembers: true } },
  })
  await flushPromises()
  // The Markdown parser is loaded when the first description shows.
  await vi.dynamicImportSettled()
  await flushPromises()
  return wrapper
}

describe('project page', () => {
  it('renders the description as Markdown: **bold** is bold, HTML stays text', async () => {
    const wrapper = await mountProject(
      makeProject({
        key: 'WEB',
        description: 'The **new** site.\n\n<script>alert(1)</script> [docs](javascript:alert(2))',
      }),
    )
    expect(api.getProject).toHaveBeenCalledWith('WEB')
    const description = wrapper.get('[data-testid="project-description"]')
    expect(description.get('strong').text()).toBe('new')
    expect(description.text()).not.toContain('**new**')
    expect(description.find('script').exists()).toBe(false)
    expect(description.find('a').exists()).toBe(false)
    expect(description.text()).toContain('<script>alert(1)</script>')
  })

  it('shows no description block when the project has none', async () => {
    const wrapper = await mountProject(makeProject({ key: 'API', description: '' }))
    expect(wrapper.find('[data-testid="project-description"]').exists()).toBe(false)
  })

  it("has an Activity tab: the project's feed, filtered by its members, way in and token", async () => {
    const wrapper = await mountProject(makeProject({ key: 'WEB' }), '?tab=activity')
    const tab = wrapper.get('.project__tab.is-active')
    expect(tab.text()).toBe('Activity')
    expect(tab.attributes('aria-current')).toBe('page')
    expect(activityApi.listActivity).toHaveBeenLastCalledWith({ project: 'WEB', cursor: undefined })
    expect(wrapper.findAll('#filter-actor option').map((o) => o.text())).toEqual([
      'Everyone',
      'Al Member (al@example.com)',
      'Zoe Owner (zoe@example.com)',
    ])
    expect(wrapper.find('#filter-via').exists()).toBe(true)
    expect(wrapper.find('#filter-token').exists()).toBe(true)
    // The project is fixed by the tab: no project filter.
    expect(wrapper.find('#filter-project').exists()).toBe(false)
    expect(wrapper.get('caption').text()).toBe('Activity in WEB, newest first')
  })
})
