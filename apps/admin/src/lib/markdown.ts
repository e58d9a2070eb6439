/**
 * Markdown for task descriptions, comments and project descriptions: CommonMark, read by
 * markdown-it, whose parser stays linear on hostile input (unclosed emphasis, brackets, code
 * spans), unlike the hand-written reader it replaced.
 *
 * Raw HTML is off, and `markdown-text.vue` builds Vue nodes from the tokens instead of inserting
 * an HTML string, so text from other people is always shown as text. Links keep only http(s),
 * mailto and in-app paths; anything else (`javascript:`, `data:`, other apps' schemes) stays
 * plain text.
 *
 * markdown-it is loaded on first use, so pages without Markdown (sign-in above all) do not
 * download it.
 */
import type { Token } from 'markdown-it'

export type { Token }

/** Reads Markdown into markdown-it's token stream. */
export type MarkdownParser = (source: string) => Token[]

/** The Markdown this reader understands, in one line, for the hint under a Markdown field. */
export const MARKDOWN_HINT =
  'Markdown works: **bold**, `code`, lists with “-”, links as [text](https://…).'

/** Whether a link target is safe to open: web and mail links, and paths inside the console. */
export function safeHref(href: string): string | null {
  const value = href.trim()
  if (/^(https?:\/\/|mailto:)/i.test(value)) return value
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return value
  return null
}

let parser: MarkdownParser | null = null
let loading: Promise<MarkdownParser> | null = null

/** The parser when it is loaded already, so a page can render at once instead of a tick later. */
export function loadedMarkdownParser(): MarkdownParser | null {
  return parser
}

/** Loads markdown-it once; a failed load (a network error) is tried again on the next call. */
export function loadMarkdownParser(): Promise<MarkdownParser> {
  loading ??= import('markdown-it').then(
    ({ default: MarkdownIt }) => {
      const md = new MarkdownIt('commonmark', { html: false, linkify: true })
      // Bare addresses become links as people expect, but only with their scheme written out.
      md.enable('linkify')
      md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })
      // Stricter than markdown-it's own check, which allows any scheme but a few known bad ones.
      md.validateLink = (url) => safeHref(url) !== null
      parser = (source) => md.parse(source, {})
      return parser
    },
    (error: unknown) => {
      loading = null
      throw error
    },
  )
  return loading
}
