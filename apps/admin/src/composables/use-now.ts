import { onScopeDispose, ref } from 'vue'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

/** One shared clock for relative dates, ticking every 30 s while anything shows one. */
export function useNow() {
  users += 1
  if (users === 1) {
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, 30_000)
  }
  onScopeDispose(() => {
    users -= 1
    if (users === 0) clearInterval(timer)
  })
  return now
}
