/**
 * A small Markdown reader for task descriptions and comments: paragraphs (single line breaks
 * kept), headings, fenced code, lists, quotes, rules, and inline code, bold, italics and links.
 *
 * It builds a tree, never HTML: `markdown-text.vue` turns the tree into Vue nodes, so text from
 * other people is always rendered as text. Links keep only http(s), mailto and in-app paths;
 * anything else (`javascript:`, `data:`) is shown as plain text.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'break' }

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: 1 | 2 | 3; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'quote'; children: Block[] }
  | { type: 'rule' }

/** The Markdown this reader understands, in one line, for the hint under a Markdown field. */
export const MARKDOWN_HINT =
  'Markdown works: **bold**, `code`, lists with “-”, links as [text](https://…).'

// Deeper nesting is shown as text: a bound on recursion for hostile input.
const MAX_DEPTH = 8

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w#+.-]*)/
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/
const QUOTE = /^ {0,3}> ?/
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(\s+|$)/

/** Whether a link target is safe to open: web and mail links, and paths inside the console. */
export function safeHref(href: string): string | null {
  const value = href.trim()
  if (/^(https?:\/\/|mailto:)/i.test(value)) return value
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return value
  return null
}

function startsBlock(line: string): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    QUOTE.test(line) ||
    RULE.test(line) ||
    LIST_ITEM.test(line)
  )
}

const isBlank = (line: string) => line.trim() === ''

/** Index of the first non-blank line at or after `from`, or -1. */
function nextNonBlank(lines: string[], from: number): number {
  for (let index = from; index < lines.length; index += 1) {
    if (!isBlank(lines[index] as string)) return index
  }
  return -1
}
const indentOf = (line: string) => line.length - line.trimStart().length

function listKind(marker: string): string {
  return /\d/.test(marker) ? `ordered${marker.at(-1)}` : marker
}

function parseLines(lines: string[], depth: number): Block[] {
  const blocks: Block[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] as string
    if (isBlank(line)) {
      i += 1
      continue
    }

    const fence = FENCE.exec(line)
    if (fence) {
      const marker = fence[1] as string
      const body: string[] = []
      i += 1
      while (i < lines.length) {
        const next = lines[i] as string
        const trimmed = next.trim()
        if (trimmed.startsWith(marker) && trimmed.replaceAll(marker[0] as string, '') === '') break
        body.push(next)
        i += 1
      }
      i += 1 // the closing fence, or past the end
      blocks.push({ type: 'code', lang: fence[2] ?? '', text: body.join('\n') })
      continue
    }

    const heading = HEADING.exec(line)
    if (heading) {
      const level = Math.min((heading[1] as string).length, 3) as 1 | 2 | 3
      blocks.push({ type: 'heading', level, children: parseInline(heading[2] ?? '', depth) })
      i += 1
      continue
    }

    if (RULE.test(line)) {
      blocks.push({ type: 'rule' })
      i += 1
      continue
    }

    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const body: string[] = []
      while (i < lines.length && !isBlank(lines[i] as string)) {
        const next = lines[i] as string
        body.push(QUOTE.test(next) ? next.replace(QUOTE, '') : next)
        i += 1
      }
      blocks.push({ type: 'quote', children: parseLines(body, depth + 1) })
      continue
    }

    const item = LIST_ITEM.exec(line)
    if (item && depth < MAX_DEPTH) {
      const kind = listKind(item[2] as string)
      const ordered = kind.startsWith('ordered')
      const start = ordered ? Number.parseInt(item[2] as string, 10) : 1
      const items: string[][] = []
      while (i < lines.length) {
        const current = LIST_ITEM.exec(lines[i] as string)
        if (!current || listKind(current[2] as string) !== kind) break
        // Continuation lines are indented to at least the item's content, or lazily not at all.
        const contentIndent = (current[0] as string).length
        const body = [(lines[i] as string).slice(contentIndent)]
        i += 1
        while (i < lines.length) {
          const next = lines[i] as string
          if (isBlank(next)) {
            const following = lines[nextNonBlank(lines, i + 1)]
            if (following !== undefined && indentOf(following) >= Math.min(contentIndent, 4)) {
              body.push('')
              i += 1
              continue
            }
            break
          }
          if (indentOf(next) >= Math.min(contentIndent, 4)) {
            body.push(next.slice(Math.min(indentOf(next), contentIndent)))
          } else if (!startsBlock(next) && !isBlank(body.at(-1) ?? '')) {
            body.push(next.trimStart())
          } else {
            break
          }
          i += 1
        }
        items.push(body)
        // A blank line between two items of the same list keeps them in one list.
        if (i < lines.length && isBlank(lines[i] as string)) {
          const nextIndex = nextNonBlank(lines, i + 1)
          const next = nextIndex === -1 ? null : LIST_ITEM.exec(lines[nextIndex] as string)
          if (next && listKind(next[2] as string) === kind) i = nextIndex
        }
      }
      blocks.push({
        type: 'list',
        ordered,
        start,
        items: items.map((body) => parseLines(body, depth + 1)),
      })
      continue
    }

    const paragraph: string[] = [line.trim()]
    i += 1
    while (i < lines.length && !isBlank(lines[i] as string) && !startsBlock(lines[i] as string)) {
      paragraph.push((lines[i] as string).trim())
      i += 1
    }
    blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n'), depth) })
  }
  return blocks
}

const PUNCTUATION = /[!-/:-@[-`{-~]/
const WORD = /[\p{L}\p{N}]/u
const URL_START = /^https?:\/\/[^\s<>]/i

/** Trailing punctuation after a bare URL belongs to the sentence, not the address. */
function trimUrl(url: string): string {
  let end = url.length
  while (end > 0 && /[.,;:!?'"*_]/.test(url[end - 1] as string)) end -= 1
  let trimmed = url.slice(0, end)
  if (trimmed.endsWith(')') && !trimmed.includes('(')) trimmed = trimmed.slice(0, -1)
  return trimmed
}

export function parseInline(source: string, depth = 0, inLink = false): Inline[] {
  const out: Inline[] = []
  let text = ''
  // Where a closing delimiter was searched for and none exists: later searches can stop early.
  const noCloseFrom = new Map<string, number>()

  const flush = () => {
    if (text) out.push({ type: 'text', text })
    text = ''
  }
  const findClose = (delimiter: string, from: number): number => {
    const none = noCloseFrom.get(delimiter)
    if (none !== undefined && from >= none) return -1
    const index = source.indexOf(delimiter, from)
    if (index === -1) noCloseFrom.set(delimiter, from)
    return index
  }
  const nested = (inner: string) =>
    depth < MAX_DEPTH
      ? parseInline(inner, depth + 1, inLink)
      : [{ type: 'text' as const, text: inner }]

  let i = 0
  while (i < source.length) {
    const char = source[i] as string
    const before = i > 0 ? (source[i - 1] as string) : ' '

    if (char === '\\' && PUNCTUATION.test(source[i + 1] ?? '')) {
      text += source[i + 1]
      i += 2
      continue
    }

    if (char === '\n') {
      flush()
      out.push({ type: 'break' })
      i += 1
      continue
    }

    if (char === '`') {
      let run = 1
      while (source[i + run] === '`') run += 1
      const fence = '`'.repeat(run)
      const close = findClose(fence, i + run)
      if (close !== -1) {
        let code = source.slice(i + run, close).replaceAll('\n', ' ')
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1)
        flush()
        out.push({ type: 'code', text: code })
        i = close + run
        continue
      }
      text += fence
      i += run
      continue
    }

    if (char === '*' || char === '_') {
      const double = source[i + 1] === char
      const delimiter = double ? char + char : char
      const opens =
        !/\s/.test(source[i + delimiter.length] ?? ' ') && (char === '*' || !WORD.test(before))
      if (opens) {
        let close = findClose(delimiter, i + delimiter.length + 1)
        // A single delimiter must not close on half of a double one.
        while (!double && close !== -1 && source[close + 1] === char) {
          close = findClose(delimiter, close + 2)
        }
        const after = close === -1 ? '' : (source[close + delimiter.length] ?? ' ')
        if (
          close !== -1 &&
          !/\s/.test(source[close - 1] ?? ' ') &&
          (char === '*' || !WORD.test(after))
        ) {
          flush()
          const children = nested(source.slice(i + delimiter.length, close))
          out.push(double ? { type: 'strong', children } : { type: 'em', children })
          i = close + delimiter.length
          continue
        }
      }
      text += delimiter
      i += delimiter.length
      continue
    }

    if (char === '[' && !inLink) {
      const labelEnd = findClose('](', i + 1)
      const hrefEnd = labelEnd === -1 ? -1 : findClose(')', labelEnd + 2)
      const label = labelEnd === -1 ? '' : source.slice(i + 1, labelEnd)
      const href = hrefEnd === -1 ? '' : source.slice(labelEnd + 2, hrefEnd).trim()
      if (labelEnd !== -1 && hrefEnd !== -1 && label && !label.includes('\n') && !/\s/.test(href)) {
        flush()
        const children = depth < MAX_DEPTH ? parseInline(label, depth + 1, true) : []
        const safe = safeHref(href)
        if (safe) out.push({ type: 'link', href: safe, children })
        else out.push(...(children.length ? children : [{ type: 'text' as const, text: label }]))
        i = hrefEnd + 1
        continue
      }
    }

    if (char === '<' && !inLink) {
      const close = findClose('>', i + 1)
      const inner = close === -1 ? '' : source.slice(i + 1, close)
      if (URL_START.test(inner) && !/\s/.test(inner)) {
        flush()
        out.push({ type: 'link', href: inner, children: [{ type: 'text', text: inner }] })
        i = close + 1
        continue
      }
    }

    if ((char === 'h' || char === 'H') && !inLink && !WORD.test(before)) {
      const rest = source.slice(i, i + 2048)
      if (URL_START.test(rest)) {
        const url = trimUrl(/^\S+/.exec(rest)?.[0]?.split('<')[0] ?? '')
        flush()
        out.push({ type: 'link', href: url, children: [{ type: 'text', text: url }] })
        i += url.length
        continue
      }
    }

    text += char
    i += 1
  }
  flush()
  return out
}

/** Reads Markdown into blocks. */
export function parseMarkdown(source: string): Block[] {
  return parseLines(source.replace(/\r\n?/g, '\n').split('\n'), 0)
}
