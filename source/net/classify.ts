import ipaddr from 'ipaddr.js';

/** What an address is, in the words of the IANA special-purpose address registries. */
export type AddressKind =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'public';

export const addressKinds: readonly AddressKind[] = [
  'loopback',
  'private',
  'link-local',
  'cgnat',
  'multicast',
  'unspecified',
  'reserved',
  'public',
];

type Range = readonly [cidr: string, kind: AddressKind];

// First match wins, so the globally reachable exceptions come before the block that holds them.
// Sources: IANA IPv4/IPv6 Special-Purpose Address Registries; RFC 1918, 6598, 4193, 5737, 3849, 9637.
const ipv4Ranges: readonly Range[] = [
  ['0.0.0.0/32', 'unspecified'],
  ['0.0.0.0/8', 'reserved'], // "this network"
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.9/32', 'public'], // PCP anycast
  ['192.0.0.10/32', 'public'], // TURN anycast
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'reserved'], // TEST-NET-1 (documentation)
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'], // benchmarking
  ['198.51.100.0/24', 'reserved'], // TEST-NET-2
  ['203.0.113.0/24', 'reserved'], // TEST-NET-3
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // includes 255.255.255.255, limited broadcast
];

const ipv6Ranges: readonly Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b::/96', 'public'], // well-known NAT64 prefix, globally reachable
  ['64:ff9b:1::/48', 'reserved'], // local-use translation
  ['100::/64', 'reserved'], // discard-only
  ['2001:1::1/128', 'public'], // PCP anycast
  ['2001:1::2/128', 'public'], // TURN anycast
  ['2001:1::3/128', 'public'], // DNS-SD SRP anycast
  ['2001:3::/32', 'public'], // AMT
  ['2001:4:112::/48', 'public'], // AS112-v6
  ['2001:20::/28', 'public'], // ORCHIDv2
  ['2001:db8::/32', 'reserved'], // documentation
  ['2001::/23', 'reserved'], // IETF protocol assignments (Teredo, benchmarking, ...)
  ['3fff::/20', 'reserved'], // documentation (RFC 9637)
  ['5f00::/16', 'reserved'], // SRv6 SIDs
  ['fc00::/7', 'private'], // unique local
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['2000::/3', 'public'], // global unicast
  ['::/0', 'reserved'], // everything IANA has not allocated for global unicast
];

type Parsed = {kind: 'ipv4'; value: ipaddr.IPv4} | {kind: 'ipv6'; value: ipaddr.IPv6};

const compile = <T extends ipaddr.IPv4 | ipaddr.IPv6>(ranges: readonly Range[]) =>
  ranges.map(([cidr, kind]) => [ipaddr.parseCIDR(cidr) as [T, number], kind] as const);

const ipv4Table = compile<ipaddr.IPv4>(ipv4Ranges);
const ipv6Table = compile<ipaddr.IPv6>(ipv6Ranges);

/** Parses a textual address strictly: dotted-quad IPv4 or IPv6 (with an optional %zone). */
export function parseAddress(text: string): Parsed | undefined {
  if (typeof text !== 'string') return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return {kind: 'ipv4', value: ipaddr.IPv4.parse(text)};
  }
  if (ipaddr.IPv6.isValid(text)) {
    return {kind: 'ipv6', value: ipaddr.IPv6.parse(text)};
  }
  return undefined;
}

export function classifyParsed(address: Parsed): AddressKind {
  if (address.kind === 'ipv6') {
    const v6 = address.value;
    if (v6.isIPv4MappedAddress()) {
      return classifyParsed({kind: 'ipv4', value: v6.toIPv4Address()});
    }
    for (const [range, kind] of ipv6Table) if (v6.match(range)) return kind;
    return 'reserved';
  }
  for (const [range, kind] of ipv4Table) if (address.value.match(range)) return kind;
  return 'public';
}

/**
 * Classifies an IP address: `loopback`, `private`, `link-local`, `cgnat`, `multicast`,
 * `unspecified`, `reserved` or `public`; `invalid` for anything that is not an address.
 */
export function classifyAddress(address: string): AddressKind | 'invalid' {
  const parsed = parseAddress(address);
  return parsed ? classifyParsed(parsed) : 'invalid';
}
