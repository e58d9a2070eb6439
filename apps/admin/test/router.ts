import { createMemoryHistory, createRouter, type Router } from 'vue-router'

const Stub = { template: '<p>page</p>' }

/** A router with the console's route names, at `path`, for views that link or read the query. */
export async function routerAt(path: string, component: object = Stub): Promise<Router> {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/projects', name: 'projects', component },
      { path: '/projects/:key', name: 'project', component },
      { path: '/tasks/:ref', name: 'task', component },
      { path: '/activity', name: 'activity', component },
      { path: '/tokens', name: 'tokens', component },
      { path: '/tokens/:id', name: 'token', component },
      { path: '/admin/tokens', name: 'admin-tokens', component },
      { path: '/admin/tokens/:id', name: 'admin-token', component },
      { path: '/admin/activity', name: 'admin-activity', component },
      { path: '/:any(.*)*', name: 'other', component: Stub },
    ],
  })
  await router.push(path)
  await router.isReady()
  return router
}
