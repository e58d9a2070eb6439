import { flushPromises, mount } from '@vue/test-utils'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import MarkdownText from '../src/components/markdown-text.vue'
import { loadMarkdownParser, safeHref } from '../src/lib/markdown'

// Loaded once up front, so each render below is synchronous, as on a page opened after another.
beforeAll(async () => {
  await loadMarkdownParser()
})

const render = (source: string) => mount(MarkdownText, { props: { source } })
const html = (source: string) => render(source).get('.markdown').element.innerHTML

describe('markdown: CommonMark', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    const wrapper = render('one\ntwo\n\nthree')
    const paragraphs = wrapper.findAll('p')
    expect(paragraphs.map((paragraph) => paragraph.text())).toEqual(['onetwo', 'three'])
    expect(paragraphs[0]?.find('br').exists()).toBe(true)
  })

  it('reads bold, italics, inline code and links', () => {
    expect(html('**a** *b* _c_ `d <e>` [f](https://x.test/)')).toBe(
      '<p><strong>a</strong> <em>b</em> <em>c</em> <code>d &lt;e&gt;</code> ' +
        '<a href="https://x.test/" target="_blank" rel="noopener noreferrer nofollow">f</a></p>',
    )
  })

  it('leaves snake_case words, lone asterisks and escaped delimiters alone', () => {
    const wrapper = render('use snake_case_names and 2 * 3 * 4, \\*not emphasis\\*')
    expect(wrapper.find('em').exists()).toBe(false)
    expect(wrapper.text()).toBe('use snake_case_names and 2 * 3 * 4, *not emphasis*')
  })

  it('links bare web addresses without the sentence’s punctuation, and <autolinks>', () => {
    const links = render('See https://example.com/a_b. Or <https://example.org>.').findAll('a')
    expect(links.map((link) => link.attributes('href'))).toEqual([
      'https://example.com/a_b',
      'https://example.org',
    ])
    expect(render('www.example.com and a@example.com').find('a').exists()).toBe(false)
  })

  it('reads reference links and entities', () => {
    const wrapper = render('[the spec][1] &amp; more\n\n[1]: https://spec.commonmark.org/')
    expect(wrapper.get('a').attributes('href')).toBe('https://spec.commonmark.org/')
    expect(wrapper.text()).toBe('the spec & more')
  })

  it('renders fenced code verbatim, lists, quotes, rules and headings', () => {
    const wrapper = render(
      '# Plan\n\n```ts\nconst a = **b**\n```\n\n- one\n- two\n  continued\n\n3. three\n4. four\n\n> quoted\n\n---',
    )
    // The page has its own h1 and h2: a description's headings sit below them.
    expect(wrapper.get('h3').text()).toBe('Plan')
    expect(wrapper.get('pre code').text()).toBe('const a = **b**')
    expect(wrapper.find('pre strong').exists()).toBe(false)
    expect(wrapper.findAll('ul > li').map((item) => item.text())).toEqual(['one', 'twocontinued'])
    expect(wrapper.get('ol').attributes('start')).toBe('3')
    expect(wrapper.get('blockquote').text()).toBe('quoted')
    expect(wrapper.find('hr').exists()).toBe(true)
  })

  it('nests an indented list inside an item, without paragraphs in a tight list', () => {
    expect(html('- parent\n  - child')).toBe('<ul><li>parent<ul><li>child</li></ul></li></ul>')
  })

  it('opens outside links in a new tab without giving them the console (rel=noopener)', () => {
    const link = render('[docs](https://example.com/docs)').get('a')
    expect(link.attributes('href')).toBe('https://example.com/docs')
    expect(link.attributes('target')).toBe('_blank')
    expect(link.attributes('rel')).toBe('noopener noreferrer nofollow')
  })

  it('keeps in-app links in the same tab', () => {
    const link = render('[WEB-1](/tasks/WEB-1)').get('a')
    expect(link.attributes('href')).toBe('/tasks/WEB-1')
    expect(link.attributes('target')).toBeUndefined()
  })
})

describe('markdown: safety', () => {
  it('shows raw HTML as text, never as elements', () => {
    const wrapper = render(
      '<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n**<b>bold</b>**\n\n' +
        '<div onclick="alert(3)">\nblock\n</div>\n\n<iframe src="https://evil.test"></iframe>',
    )
    for (const tag of ['img', 'script', 'b', '.markdown div', 'iframe']) {
      expect(wrapper.find(tag).exists()).toBe(false)
    }
    expect(wrapper.text()).toContain('<img src=x onerror="alert(1)">')
    expect(wrapper.text()).toContain('<script>alert(2)</script>')
    expect(wrapper.get('strong').text()).toBe('<b>bold</b>')
    expect(wrapper.html()).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
  })

  it('does not turn escaped entities back into markup', () => {
    const wrapper = render('&lt;img src=x onerror=alert(1)&gt;')
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.text()).toBe('<img src=x onerror=alert(1)>')
  })

  it('shows javascript:, data: and other schemes as text, not links', () => {
    const wrapper = render(
      [
        '[click me](javascript:alert(1))',
        '[again](JaVaScRiPt:alert(1))',
        '[spaced](  javascript:alert(1) )',
        '[encoded](java&#115;cript:alert(1))',
        '[vb](vbscript:msgbox(1))',
        '[data](data:text/html,<script>alert(1)</script>)',
        '[other app](vscode://file/etc/passwd)',
        '[elsewhere](//evil.example/path)',
        '<javascript:alert(1)>',
        '[ref]',
        '',
        '[ref]: javascript:alert(1)',
      ].join('\n'),
    )
    expect(wrapper.find('a').exists()).toBe(false)
    expect(wrapper.text()).toContain('click me')
  })

  it('shows images as links to them, so reading a task loads nothing from elsewhere', () => {
    const wrapper = render(
      '![a *chart*](https://example.com/chart.png) ![x](data:image/png;base64,AA)',
    )
    expect(wrapper.find('img').exists()).toBe(false)
    const links = wrapper.findAll('a')
    expect(links).toHaveLength(1)
    expect(links[0]?.attributes('href')).toBe('https://example.com/chart.png')
    expect(links[0]?.text()).toBe('a chart')
  })

  it('only keeps web, mail and in-app links', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com')
    expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com')
    expect(safeHref('/tasks/WEB-1')).toBe('/tasks/WEB-1')
    expect(safeHref('javascript:alert(1)')).toBeNull()
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull()
    expect(safeHref('data:text/html,<script>alert(1)</script>')).toBeNull()
    expect(safeHref('//evil.example/path')).toBeNull()
    expect(safeHref('/\\evil.example/path')).toBeNull()
  })

  // The old reader took 33 s on 50,000 characters like these. No clock here: each must simply
  // finish inside the test timeout.
  it.each([
    ['runs of emphasis', '*a'.repeat(25_000)],
    ['unclosed strong', '**a'.repeat(16_700)],
    ['unclosed underscores', '_a'.repeat(25_000)],
    ['nested emphasis', `${'*'.repeat(25_000)}a${'*'.repeat(25_000)}`],
    ['open brackets', '['.repeat(50_000)],
    ['unfinished links', '[x]('.repeat(12_500)],
    ['unfinished images', '!['.repeat(25_000)],
    ['backticks', '`'.repeat(50_000)],
    [
      'backtick runs',
      Array.from({ length: 300 }, (_, index) => `${'`'.repeat(index + 1)}a`).join(''),
    ],
    ['mixed delimiters', '*_`['.repeat(12_500)],
    ['unclosed autolinks', '<https://a'.repeat(5_000)],
    ['deep quotes', `${'> '.repeat(25_000)}x`],
    ['deep lists', `${'- '.repeat(25_000)}y`],
    ['many list items', '- item\n\n'.repeat(6_000)],
  ])('renders hostile input (%s) in linear time', (_name, source) => {
    expect(source.length).toBeGreaterThanOrEqual(45_000)
    expect(render(source).find('.markdown').exists()).toBe(true)
  })
})

describe('markdown: loading', () => {
  it('loads markdown-it on first use, then renders', async () => {
    // A fresh copy of the component and its loader, as on the first page that shows Markdown.
    vi.resetModules()
    const { default: FreshMarkdownText } = await import('../src/components/markdown-text.vue')
    const wrapper = mount(FreshMarkdownText, { props: { source: 'a **b**' } })
    expect(wrapper.get('.markdown').attributes('aria-busy')).toBe('true')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('strong').text()).toBe('b')
    })
    expect(wrapper.get('.markdown').attributes('aria-busy')).toBe('false')
  })
})
