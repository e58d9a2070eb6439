/** Short confirmations ("Token revoked") shown by the shell, announced to screen readers. */
import { reactive } from 'vue'

export interface Notice {
  id: number
  message: string
  tone: 'success' | 'error'
}

const DISPLAY_MS = 5000
let nextId = 1

export const notices = reactive<Notice[]>([])

export function dismissNotice(id: number): void {
  const index = notices.findIndex((notice) => notice.id === id)
  if (index !== -1) notices.splice(index, 1)
}

export function notify(message: string, tone: Notice['tone'] = 'success'): void {
  const id = nextId++
  notices.push({ id, message, tone })
  setTimeout(() => dismissNotice(id), DISPLAY_MS)
}
