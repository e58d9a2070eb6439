import ipaddr from 'ipaddr.js'

/**
 * Whether the server may open a connection to an address on behalf of someone else (a client
 * metadata document's URL): what a verdict on one resolved address says.
 * `private`: a private, loopback, unique-local or carrier-grade NAT address, which an admin may
 * allow for clients on the server's own network. `special`: every other special-use address
 * (RFC 6890: unspecified, link-local such as cloud metadata services, multicast, broadcast,
 * documentation, benchmarking, 6to4, Teredo...), which is never fetched from.
 */
export type AddressVerdict =
  | { ok: true }
  | { ok: false; reason: 'private' | 'special'; range: string }

/** Ranges an admin may open up for clients on the same network as the server. */
const PRIVATE_IPV4 = new Set(['private', 'loopback', 'carrierGradeNat'])
const PRIVATE_IPV6 = new Set(['loopback', 'uniqueLocal'])

/** IPv6 global unicast (RFC 4291 §2.4); everything outside it is special-use or unassigned. */
const GLOBAL_UNICAST_IPV6 = ipaddr.parseCIDR('2000::/3')
/** NAT64's well-known prefix (RFC 6052): the last 32 bits are an IPv4 address. */
const NAT64_PREFIX = ipaddr.parseCIDR('64:ff9b::/96')

/** Judges one IP address (IPv4, IPv6, IPv4-mapped IPv6, zone ids allowed). */
export function judgeAddress(address: string, allowPrivate: boolean): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6
  try {
    parsed = ipaddr.parse(address)
  } catch {
    return { ok: false, reason: 'special', range: 'invalid' }
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6
    // ::ffff:127.0.0.1 reaches 127.0.0.1, and 64:ff9b::10.0.0.1 a NAT64 gateway's 10.0.0.1:
    // judged as the IPv4 address they carry.
    if (v6.isIPv4MappedAddress()) return judgeIPv4(v6.toIPv4Address(), allowPrivate)
    if (v6.match(NAT64_PREFIX)) {
      const bytes = v6.toByteArray().slice(12)
      return judgeIPv4(new ipaddr.IPv4(bytes), allowPrivate)
    }
    const range = v6.range()
    if (PRIVATE_IPV6.has(range)) {
      return allowPrivate ? { ok: true } : { ok: false, reason: 'private', range }
    }
    // ipaddr.js calls IPv4-compatible addresses (::7f00:1, deprecated) unicast (and reads the
    // dotted form ::127.0.0.1 as IPv4-mapped, judged above): only global unicast is public.
    if (range !== 'unicast' || !v6.match(GLOBAL_UNICAST_IPV6)) {
      return { ok: false, reason: 'special', range: range === 'unicast' ? 'reserved' : range }
    }
    return { ok: true }
  }
  return judgeIPv4(parsed as ipaddr.IPv4, allowPrivate)
}

function judgeIPv4(address: ipaddr.IPv4, allowPrivate: boolean): AddressVerdict {
  const range = address.range()
  if (range === 'unicast') return { ok: true }
  if (PRIVATE_IPV4.has(range)) {
    return allowPrivate ? { ok: true } : { ok: false, reason: 'private', range }
  }
  return { ok: false, reason: 'special', range }
}
