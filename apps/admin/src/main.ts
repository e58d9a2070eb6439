import { createApp } from 'vue'
import { onUnauthorized } from './api/client'
import App from './app.vue'
import { router } from './router'
import { clearSession } from './stores/session'
import './styles/main.css'

// The one place a lost session is handled: back to sign-in, then to the page the user was on.
onUnauthorized(() => {
  clearSession()
  const current = router.currentRoute.value
  if (current.meta.public) return
  void router.replace({ name: 'sign-in', query: { redirect: current.fullPath, reason: 'expired' } })
})

createApp(App).use(router).mount('#app')
