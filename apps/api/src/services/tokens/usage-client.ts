/**
 * Names the client behind a token request for the token's usage: the MCP `initialize` request's
 * `clientInfo` ("Cursor 1.7") when there is one, else the User-Agent reduced to its product
 * ("curl", "python-requests", "Tessera VS Code"). Whatever a client sends is cut short and
 * stripped of control characters: it is shown in the console and stored per day.
 */

const MAX_NAME = 60
const MAX_VERSION = 24

/** Products whose User-Agent name says less than the name people know them by. */
const KNOWN_PRODUCTS: Record<string, string> = {
  'tessera-vscode': 'Tessera VS Code',
  tessera: 'Tessera',
}

/** Browsers, by the token their User-Agent carries; the first match wins (Edge also says Chrome). */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
]

/** Printable text on one line, at most `max` characters; empty when nothing printable is left. */
function clean(value: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]/g, ' ')
  return text.replace(/\s+/g, ' ').trim().slice(0, max).trim()
}

/** User-Agents seen lately -> their product: a busy client sends the same one every time. */
const reduced = new Map<string, string>()
const MAX_REMEMBERED = 500

/** The product a User-Agent names, or '' when there is none. */
export function clientFromUserAgent(userAgent: string | undefined): string {
  if (!userAgent) return ''
  if (userAgent.length > 256) return productOf(userAgent)
  let client = reduced.get(userAgent)
  if (client === undefined) {
    client = productOf(userAgent)
    if (reduced.size >= MAX_REMEMBERED) reduced.clear()
    reduced.set(userAgent, client)
  }
  return client
}

function productOf(userAgent: string): string {
  if (userAgent.startsWith('Mozilla/')) {
    for (const [pattern, name] of BROWSERS) if (pattern.test(userAgent)) return name
    return 'Browser'
  }
  const product = /^\s*([A-Za-z0-9][A-Za-z0-9._+-]{0,39})/.exec(userAgent)?.[1]
  if (!product) return ''
  return KNOWN_PRODUCTS[product.toLowerCase()] ?? product
}

interface JsonRpcMessage {
  method?: unknown
  params?: { clientInfo?: { name?: unknown; title?: unknown; version?: unknown } }
}

/**
 * The client an MCP POST names: `clientInfo` of an `initialize` request in it (a single message
 * or a batch), as "title-or-name version"; null when it holds no such request.
 */
export function clientFromMcpBody(body: unknown): string | null {
  const messages = Array.isArray(body) ? body : [body]
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue
    const { method, params } = message as JsonRpcMessage
    if (method !== 'initialize') continue
    const info = params?.clientInfo
    if (!info || typeof info !== 'object') continue
    const label = typeof info.title === 'string' && clean(info.title, MAX_NAME)
    const name = label || (typeof info.name === 'string' ? clean(info.name, MAX_NAME) : '')
    if (!name) continue
    const version = typeof info.version === 'string' ? clean(info.version, MAX_VERSION) : ''
    return version ? `${name} ${version}` : name
  }
  return null
}
