import { onMounted, type Ref, ref } from 'vue'
import { listMembers, listProjects } from '../api/projects'
import { listUsers } from '../api/users'
import { useSession } from '../stores/session'

export interface PersonOption {
  value: string
  label: string
}

interface Person {
  id: string
  name: string
  email: string
}

function toOptions(people: Iterable<Person>): PersonOption[] {
  return [...people]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((user) => ({ value: user.id, label: `${user.name} (${user.email})` }))
}

/**
 * The people whose activity one may see, sorted by name, as options for a "filter by person"
 * select: everyone in the workspace for those who manage users, otherwise the people who share a
 * project with you (the members of each of your projects) and you. While they load, or when they cannot
 * be read, this stays null and the page leaves the filter out (the list itself still works).
 */
export function usePersonOptions(): Ref<PersonOption[] | null> {
  const session = useSession()
  const options = ref<PersonOption[] | null>(null)
  onMounted(() => {
    const me = session.user.value
    const people = session.can('ManageUsers') ? everyone() : colleagues(me ? [me] : [])
    people
      .then((list) => {
        options.value = toOptions(list)
      })
      .catch(() => {
        options.value = null
      })
  })
  return options
}

async function everyone(): Promise<Person[]> {
  return (await listUsers()).users
}

async function colleagues(self: Person[]): Promise<Person[]> {
  const projects = await listProjects({ includeArchived: true })
  const lists = await Promise.all(projects.map((project) => listMembers(project.key)))
  const byId = new Map<string, Person>(self.map((person) => [person.id, person]))
  for (const member of lists.flat()) byId.set(member.user.id, member.user)
  return [...byId.values()]
}
