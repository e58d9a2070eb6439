import { type Ref, ref, shallowRef } from 'vue'
import { describeError } from '../lib/errors'

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

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface PagedRequestState<T> {
  /** The rows read so far; null until the first page arrives. */
  items: Ref<T[] | null>
  nextCursor: Ref<string | null>
  loading: Ref<boolean>
  /** Why the first page could not be read: the view shows it instead of the list. */
  error: Ref<unknown>
  /** Why a further page could not be read: the rows stay, the message sits by the button. */
  moreError: Ref<string | null>
  /** Reads the first page again; a newer run wins over an older one still in flight. */
  load: () => Promise<void>
  /** Adds the next page to the rows. */
  loadMore: () => Promise<void>
}

/** A list read page by page, with a "load more" button, for views that show all its states. */
export function usePagedRequest<T>(
  loadPage: (cursor: string | undefined) => Promise<Page<T>>,
): PagedRequestState<T> {
  const items = ref<T[] | null>(null) as Ref<T[] | null>
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const moreError = ref<string | null>(null)
  let latest = 0

  async function read(more: boolean) {
    const id = more ? latest : ++latest
    loading.value = true
    if (more) moreError.value = null
    else error.value = null
    try {
      const page = await loadPage(more ? (nextCursor.value ?? undefined) : undefined)
      if (id !== latest) return
      items.value = more ? [...(items.value ?? []), ...page.items] : page.items
      nextCursor.value = page.nextCursor
    } catch (caught) {
      if (id !== latest) return
      if (more) moreError.value = describeError(caught)
      else error.value = caught
    } finally {
      if (id === latest) loading.value = false
    }
  }

  return {
    items,
    nextCursor,
    loading,
    error,
    moreError,
    load: () => read(false),
    loadMore: () => read(true),
  }
}

export interface FormDialogState<Body> {
  open: Ref<boolean>
  busy: Ref<boolean>
  /** Why the last submit failed, for the dialog to explain. */
  error: Ref<unknown>
  show: () => void
  submit: (body: Body) => Promise<void>
}

/**
 * A dialog whose form is sent to the server: it opens without an old error, is busy while the
 * request runs, closes when it succeeds (then `done` runs) and keeps the error when it fails.
 */
export function useFormDialog<Body, Result>(
  send: (body: Body) => Promise<Result>,
  done: (result: Result) => void | Promise<void>,
): FormDialogState<Body> {
  const open = ref(false)
  const busy = ref(false)
  const error = ref<unknown>(null)

  function show() {
    error.value = null
    open.value = true
  }

  async function submit(body: Body) {
    busy.value = true
    error.value = null
    try {
      const result = await send(body)
      open.value = false
      await done(result)
    } catch (caught) {
      error.value = caught
    } finally {
      busy.value = false
    }
  }

  return { open, busy, error, show, submit }
}
