import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import MarkdownText from '../src/components/markdown-text.vue'
import { parseInline, parseMarkdown, safeHref } from '../src/lib/markdown'

const render = (source: string) => mount(MarkdownText, { props: { source } })

describe('markdown reader', () => {
  it('reads paragraphs, keeping single line breaks and splitting on blank lines', () => {
    expect(parseMarkdown('one\ntwo\n\nthree')).toEqual([
      {
        type: 'paragraph',
        children: [{ type: 'text', text: 'one' }, { type: 'break' }, { type: 'text', text: 'two' }],
      },
      { type: 'paragraph', children: [{ type: 'text', text: 'three' }] },
    ])
  })

  it('reads bold, italics, inline code and links', () => {
    expect(parseInline('**a** *b* `c <d>` [e](https://x.test/)')).toEqual([
      { type: 'strong', children: [{ type: 'text', text: 'a' }] },
      { type: 'text', text: ' ' },
      { type: 'em', children: [{ type: 'text', text: 'b' }] },
      { type: 'text', text: ' ' },
      { type: 'code', text: 'c <d>' },
      { type: 'text', text: ' ' },
      { type: 'link', href: 'https://x.test/', children: [{ type: 'text', text: 'e' }] },
    ])
  })

  it('leaves snake_case words and lone asterisks alone', () => {
    expect(parseInline('use snake_case_names and 2 * 3 * 4')).toEqual([
      { type: 'text', text: 'use snake_case_names and 2 * 3 * 4' },
    ])
  })

  it('links bare URLs without swallowing the sentence’s punctuation', () => {
    expect(parseInline('See https://example.com/a_b.')).toEqual([
      { type: 'text', text: 'See ' },
      {
        type: 'link',
        href: 'https://example.com/a_b',
        children: [{ type: 'text', text: 'https://example.com/a_b' }],
      },
      { type: 'text', text: '.' },
    ])
  })

  it('reads fenced code verbatim, lists, quotes and headings', () => {
    const blocks = parseMarkdown(
      '# Plan\n\n```ts\nconst a = **b**\n```\n\n- one\n- two\n  continued\n\n3. three\n4. four\n\n> quoted',
    )
    expect(blocks.map((block) => block.type)).toEqual(['heading', 'code', 'list', 'list', 'quote'])
    expect(blocks[1]).toEqual({ type: 'code', lang: 'ts', text: 'const a = **b**' })
    const bullets = blocks[2]
    expect(bullets?.type === 'list' && bullets.items).toHaveLength(2)
    const ordered = blocks[3]
    expect(ordered?.type === 'list' && [ordered.ordered, ordered.start]).toEqual([true, 3])
  })

  it('nests an indented list inside an item', () => {
    const [list] = parseMarkdown('- parent\n  - child')
    expect(list?.type).toBe('list')
    const item = list?.type === 'list' ? list.items[0] : undefined
    expect(item?.map((block) => block.type)).toEqual(['paragraph', 'list'])
  })

  it('only keeps web, mail and in-app links', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com')
    expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com')
    expect(safeHref('/tasks/WEB-1')).toBe('/tasks/WEB-1')
    expect(safeHref('javascript:alert(1)')).toBeNull()
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull()
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeNull()
    expect(safeHref('//evil.example/path')).toBeNull()
  })

  it('stays fast on hostile input (many unmatched delimiters)', () => {
    const started = performance.now()
    parseMarkdown(`${'*_`['.repeat(12_000)}\n${'> '.repeat(2000)}x\n${'- '.repeat(2000)}y`)
    parseMarkdown('- item\n\n'.repeat(8000))
    parseMarkdown('[x]('.repeat(12_000) + '<https://a'.repeat(5000))
    expect(performance.now() - started).toBeLessThan(1500)
  })
})

describe('markdown rendering', () => {
  it('renders HTML in the text as text, never as elements', () => {
    const wrapper = render(
      '<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n**<b>bold</b>**',
    )
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.text()).toContain('<img src=x onerror="alert(1)">')
    expect(wrapper.get('strong').text()).toBe('<b>bold</b>')
  })

  it('opens outside links in a new tab without giving them the console (rel=noopener)', () => {
    const link = render('[docs](https://example.com/docs)').get('a')
    expect(link.attributes('href')).toBe('https://example.com/docs')
    expect(link.attributes('target')).toBe('_blank')
    expect(link.attributes('rel')).toContain('noopener')
  })

  it('shows a javascript: link as its text only', () => {
    const wrapper = render('[click me](javascript:alert(1))')
    expect(wrapper.find('a').exists()).toBe(false)
    expect(wrapper.text()).toContain('click me')
  })

  it('renders lists, code blocks and paragraphs as their elements', () => {
    const wrapper = render('intro\n\n- a\n- b\n\n```\n<x>\n```')
    expect(wrapper.findAll('li').map((item) => item.text())).toEqual(['a', 'b'])
    expect(wrapper.get('pre code').text()).toBe('<x>')
    expect(wrapper.get('p').text()).toBe('intro')
  })
})
