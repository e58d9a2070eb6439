/**
 * A readable name for the browser behind a User-Agent, for the account's session list:
 * "Firefox 128 on Windows", "Safari 17 on iPhone". Only the major version: the rest changes
 * every few weeks and tells the person nothing. Null when nothing was sent.
 */
export function describeBrowser(userAgent: string | null | undefined): string | null {
  const ua = userAgent?.trim()
  if (!ua) return null
  const browser = browserName(ua)
  const system = systemName(ua)
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? productName(ua)
}

/** Most specific first: Edge and Opera say "Chrome", Chrome says "Safari". */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\b(?:OPR|Opera)\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bVivaldi\/(\d+)/, 'Vivaldi'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)(?:\.\d+)*(?: Mobile\/\S+)? Safari\//, 'Safari'],
]

function browserName(ua: string): string | null {
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(ua)
    if (match) return `${name} ${match[1]}`
  }
  return null
}

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
]

function systemName(ua: string): string | null {
  return SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null
}

/** Not a browser (curl, a script): its first product and version, "curl 8". */
function productName(ua: string): string {
  const match = /^([A-Za-z][\w.-]{0,40})(?:\/(\d+))?/.exec(ua)
  if (!match?.[1]) return 'Unknown browser'
  return match[2] ? `${match[1]} ${match[2]}` : match[1]
}
