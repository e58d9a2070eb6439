import type { Permission } from '@tessera/api/contract'
import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import { safeRedirect } from './lib/redirect'
import { loadSession, useSession } from './stores/session'
// The sign-in page is the one screen in the initial bundle; everything else loads on demand.
import SignInView from './views/sign-in-view.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Shown in the tab title and the page heading. */
    title?: string
    /** Without it the shell shows which permission is missing instead of the page. */
    permission?: Permission
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    {
      path: '/sign-in',
      name: 'sign-in',
      component: SignInView,
      meta: { public: true, title: 'Sign in' },
    },
    {
      // Where the OAuth authorization endpoint sends the browser; signing in first if needed.
      path: '/oauth/consent',
      name: 'oauth-consent',
      component: () => import('./views/oauth-consent-view.vue'),
      meta: { title: 'Connect an app' },
    },
    {
      // After sign-in, when an administrator requires a new password: nothing else until then.
      path: '/change-password',
      name: 'change-password',
      component: () => import('./views/change-password-view.vue'),
      meta: { title: 'Choose a New Password' },
    },
    {
      path: '/',
      component: () => import('./views/app-shell.vue'),
      children: [
        // The workspace is what everyone can use; tokens need a permission some members lack.
        { path: '', name: 'home', redirect: { name: 'projects' } },
        {
          path: 'projects',
          name: 'projects',
          component: () => import('./views/workspace/projects-view.vue'),
          meta: { title: 'Projects' },
        },
        {
          path: 'projects/:key',
          name: 'project',
          component: () => import('./views/workspace/project-view.vue'),
          meta: { title: 'Project' },
        },
        {
          path: 'tasks/:ref',
          name: 'task',
          component: () => import('./views/workspace/task-view.vue'),
          meta: { title: 'Task' },
        },
        {
          path: 'activity',
          name: 'activity',
          component: () => import('./views/activity-view.vue'),
          meta: { title: 'Activity' },
        },
        {
          path: 'account',
          name: 'account',
          component: () => import('./views/account-view.vue'),
          meta: { title: 'Account' },
        },
        {
          path: 'tokens',
          name: 'tokens',
          component: () => import('./views/tokens-view.vue'),
          meta: { title: 'API Tokens', permission: 'ManageApiTokens' },
        },
        {
          path: 'tokens/:id',
          name: 'token',
          component: () => import('./views/token-detail-view.vue'),
          meta: { title: 'API Token', permission: 'ManageApiTokens' },
        },
        {
          path: 'admin/users',
          name: 'admin-users',
          component: () => import('./views/admin/users-view.vue'),
          meta: { title: 'Users', permission: 'ManageUsers' },
        },
        {
          path: 'admin/tokens',
          name: 'admin-tokens',
          component: () => import('./views/admin/all-tokens-view.vue'),
          meta: { title: 'All tokens', permission: 'ManageAllTokens' },
        },
        {
          path: 'admin/tokens/:id',
          name: 'admin-token',
          component: () => import('./views/token-detail-view.vue'),
          props: { admin: true },
          meta: { title: 'Token', permission: 'ManageAllTokens' },
        },
        {
          path: 'admin/policy',
          name: 'admin-policy',
          component: () => import('./views/admin/token-policy-view.vue'),
          meta: { title: 'Token policy', permission: 'ManageSettings' },
        },
        {
          path: 'admin/oauth',
          name: 'admin-oauth',
          component: () => import('./views/admin/oauth-view.vue'),
          meta: { title: 'OAuth apps', permission: 'ManageSettings' },
        },
        {
          // Where the whole workspace's feed was before everyone had one: same page, same filters.
          path: 'admin/activity',
          name: 'admin-activity',
          redirect: (to) => ({ name: 'activity', query: to.query }),
        },
        {
          path: ':pathMatch(.*)*',
          name: 'not-found',
          component: () => import('./views/not-found-view.vue'),
          meta: { title: 'Page not found' },
        },
      ],
    },
  ],
})

router.beforeEach(async (to): Promise<RouteLocationRaw | true> => {
  try {
    await loadSession()
  } catch {
    // The server cannot be reached: the sign-in page shows why when the user tries.
  }
  const { user, passwordChangeRequired } = useSession()
  if (to.meta.public) {
    if (to.name === 'sign-in' && user.value) return safeRedirect(to.query.redirect) ?? '/'
    return true
  }
  if (!user.value) {
    return { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (passwordChangeRequired.value && to.name !== 'change-password') {
    return { name: 'change-password', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (!passwordChangeRequired.value && to.name === 'change-password') return { name: 'account' }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · Tessera` : 'Tessera'
})
