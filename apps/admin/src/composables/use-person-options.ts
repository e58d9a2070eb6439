import { onMounted, type Ref, ref } from 'vue'
import { listUsers } from '../api/users'
import { useSession } from '../stores/session'

export interface PersonOption {
  value: string
  label: string
}

/**
 * Everyone in the workspace, sorted by name, as options for a "filter by person" select. Listing
 * people needs ManageUsers: without it, or when the list cannot be read, this stays null and the
 * page leaves the filter out (the list itself still works, unfiltered).
 */
export function usePersonOptions(): Ref<PersonOption[] | null> {
  const session = useSession()
  const options = ref<PersonOption[] | null>(null)
  onMounted(() => {
    if (!session.can('ManageUsers')) return
    listUsers()
      .then((result) => {
        options.value = [...result.users]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((user) => ({ value: user.id, label: `${user.name} (${user.email})` }))
      })
      .catch(() => {
        options.value = null
      })
  })
  return options
}
