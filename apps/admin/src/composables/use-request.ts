import { type Ref, ref, shallowRef } from 'vue'

export interface RequestState<T> {
  data: Ref<T | undefined>
  error: Ref<unknown>
  loading: Ref<boolean>
  /** Runs the request; a newer run wins over an older one still in flight. */
  run: () => Promise<void>
}

/** Loading, error and data of one read request, for views that show all three. */
export function useRequest<T>(load: () => Promise<T>): RequestState<T> {
  const data = shallowRef<T>()
  const error = ref<unknown>(null)
  const loading = ref(false)
  let latest = 0
  async function run() {
    const id = ++latest
    loading.value = true
    error.value = null
    try {
      const result = await load()
      if (id === latest) data.value = result
    } catch (caught) {
      if (id === latest) error.value = caught
    } finally {
      if (id === latest) loading.value = false
    }
  }
  return { data: data as Ref<T | undefined>, error, loading, run }
}
