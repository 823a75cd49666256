// Which IP addresses an image URL may reach: public unicast only. Pure (no DNS), so Workers can
// check literal hosts and Node can check every address DNS returns before connecting.

/** Why an address is refused, or undefined when it is public. */
export function forbiddenAddressReason(address: string): string | undefined {
  const v4 = parseIpv4(address)
  if (v4 !== undefined) return forbiddenIpv4Reason(v4)
  const v6 = parseIpv6(address)
  if (v6 === undefined) return 'not an IP address'
  return forbiddenIpv6Reason(v6)
}

/** True for an IPv4 or IPv6 literal (IPv6 with or without brackets). */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== undefined || parseIpv6(host) !== undefined
}

type Ipv4Range = [base: number, prefixLength: number, reason: string]

const ipv4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

const forbiddenIpv4: Ipv4Range[] = [
  [ipv4(0, 0, 0, 0), 8, '"this network" (0.0.0.0/8)'],
  [ipv4(10, 0, 0, 0), 8, 'private (10.0.0.0/8)'],
  [ipv4(100, 64, 0, 0), 10, 'carrier-grade NAT (100.64.0.0/10)'],
  [ipv4(127, 0, 0, 0), 8, 'loopback (127.0.0.0/8)'],
  [ipv4(169, 254, 0, 0), 16, 'link-local (169.254.0.0/16)'],
  [ipv4(172, 16, 0, 0), 12, 'private (172.16.0.0/12)'],
  [ipv4(192, 0, 0, 0), 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [ipv4(192, 0, 2, 0), 24, 'documentation (192.0.2.0/24)'],
  [ipv4(192, 88, 99, 0), 24, '6to4 relay anycast (192.88.99.0/24)'],
  [ipv4(192, 168, 0, 0), 16, 'private (192.168.0.0/16)'],
  [ipv4(198, 18, 0, 0), 15, 'benchmarking (198.18.0.0/15)'],
  [ipv4(198, 51, 100, 0), 24, 'documentation (198.51.100.0/24)'],
  [ipv4(203, 0, 113, 0), 24, 'documentation (203.0.113.0/24)'],
  [ipv4(224, 0, 0, 0), 4, 'multicast (224.0.0.0/4)'],
  [ipv4(240, 0, 0, 0), 4, 'reserved or broadcast (240.0.0.0/4)'],
]

function forbiddenIpv4Reason(address: number): string | undefined {
  for (const [base, prefixLength, reason] of forbiddenIpv4) {
    const mask = prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0
    if ((address & mask) >>> 0 === base) return reason
  }
  return undefined
}

function forbiddenIpv6Reason(groups: number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups
  const embeddedV4 = ((g6 << 16) | g7) >>> 0
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
  if (upperZero && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return 'unspecified or loopback (::, ::1)'
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d) reach the
  // embedded IPv4 address: judge that instead.
  if (upperZero && (g5 === 0xffff || g5 === 0)) return embedded('IPv4-mapped', embeddedV4)
  // NAT64 (64:ff9b::/96) translates to the embedded IPv4 address; the local-use prefix is private.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedded('NAT64', embeddedV4)
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'local-use NAT64 (64:ff9b:1::/48)'
  if (g0 === 0x2002) return embedded('6to4', ((g1 << 16) | g2) >>> 0)
  if (g0 === 0x2001 && g1 === 0) return 'Teredo (2001::/32)'
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation (2001:db8::/32)'
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard-only (100::/64)'
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local (fc00::/7)'
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)'
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local (fec0::/10)'
  if ((g0 & 0xff00) === 0xff00) return 'multicast (ff00::/8)'
  return undefined
}

function embedded(form: string, address: number): string | undefined {
  const reason = forbiddenIpv4Reason(address)
  return reason === undefined ? undefined : `${form} form of ${reason}`
}

/** Strict dotted-quad only: URL parsing has already normalised decimal, octal and hex hosts. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

function parseIpv6(text: string): number[] | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  // A zone id (fe80::1%eth0) only exists on link-local addresses; the link-local check decides.
  body = body.split('%')[0] ?? ''
  if (!/^[0-9a-fA-F:.]+$/.test(body) || !body.includes(':')) return undefined
  let tail: number[] = []
  const lastColon = body.lastIndexOf(':')
  const last = body.slice(lastColon + 1)
  if (last.includes('.')) {
    const v4 = parseIpv4(last)
    if (v4 === undefined) return undefined
    tail = [v4 >>> 16, v4 & 0xffff]
    const prefix = body.slice(0, lastColon + 1)
    body = prefix.endsWith('::') ? prefix : body.slice(0, lastColon)
  }
  const halves = body.split('::')
  if (halves.length > 2) return undefined
  const parseGroups = (half: string | undefined) =>
    half === undefined || half === ''
      ? []
      : half
          .split(':')
          .map((group) => (/^[0-9a-fA-F]{1,4}$/.test(group) ? Number.parseInt(group, 16) : Number.NaN))
  const head = parseGroups(halves[0])
  const rest = halves.length === 2 ? parseGroups(halves[1]) : []
  if ([...head, ...rest].some(Number.isNaN)) return undefined
  const explicit = head.length + rest.length + tail.length
  if (halves.length === 1 && explicit !== 8) return undefined
  if (halves.length === 2 && explicit > 7) return undefined
  return [...head, ...Array(8 - explicit).fill(0), ...rest, ...tail]
}
