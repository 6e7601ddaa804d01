/**
 * Who can reach a listener: the join of its bound address with the addresses on this host's
 * interfaces. A wildcard bind answers on every address of its family that an interface that is up
 * carries (a dual-stack `::` on the IPv4 ones too); a bind to one address answers there only; a
 * loopback bind answers this host alone. The firewall is not part of this: see firewall.ts.
 */
import ipaddr from 'ipaddr.js';
import type {AddressKind, NetworkInterface, Reach, ReachAddress, Socket} from '../model.js';
import {addressKinds, classifyParsed, parseAddress} from './classify.js';

export type ReachFacts = Pick<Socket, 'localAddress' | 'family' | 'dualStack'>;

export type ReachResult = {
  reach: Reach;
  /** Every address the listener answers on, those reachable from farthest away first. */
  addresses: ReachAddress[];
};

/**
 * Test networks: a namespace a test makes carries addresses from 198.18.0.0/15, the benchmarking
 * range no real network uses (porthole calls it reserved). `PORTHOLE_TEST_RANGES=198.18.0.0/24=public,
 * 198.18.1.0/24=private,198.18.2.0/24=cgnat` makes those ranges stand in for other kinds, for reach
 * only. Read once; anything unreadable in it is ignored.
 */
const testRanges = (process.env.PORTHOLE_TEST_RANGES ?? '')
  .split(',')
  .map((entry) => entry.trim().split('='))
  .flatMap(([cidr, kind]) => {
    if (!cidr || !kind || !(addressKinds as readonly string[]).includes(kind)) return [];
    try {
      return [{range: ipaddr.parseCIDR(cidr), kind: kind as AddressKind}];
    } catch {
      return [];
    }
  });

/** An address's kind, with the test ranges applied. */
export function reachKind(address: string): AddressKind | undefined {
  const parsed = parseAddress(address.replace(/%.*$/, ''));
  if (!parsed) return undefined;
  const value =
    parsed.kind === 'ipv6' && parsed.value.isIPv4MappedAddress()
      ? parsed.value.toIPv4Address()
      : parsed.value;
  for (const {range, kind} of testRanges) {
    if (value.kind() === range[0].kind() && value.match(range)) return kind;
  }
  return value.kind() === 'ipv4'
    ? classifyParsed({kind: 'ipv4', value: value as ipaddr.IPv4})
    : classifyParsed({kind: 'ipv6', value: value as ipaddr.IPv6});
}

/** How far away the senders an address kind admits can be: larger is farther. */
const distance: Record<AddressKind, number> = {
  public: 5,
  cgnat: 3,
  private: 3,
  reserved: 2,
  'link-local': 1,
  multicast: 1,
  unspecified: 0,
  loopback: 0,
};

/** `::ffff:10.0.0.5` as `10.0.0.5`; every other address as it is written. */
function plain(address: string): {text: string; family: 4 | 6} | undefined {
  const parsed = parseAddress(address.replace(/%.*$/, ''));
  if (!parsed) return undefined;
  if (parsed.kind === 'ipv6' && parsed.value.isIPv4MappedAddress()) {
    return {text: parsed.value.toIPv4Address().toString(), family: 4};
  }
  return {text: parsed.value.toString(), family: parsed.kind === 'ipv4' ? 4 : 6};
}

/**
 * Who can reach a socket bound to `socket.localAddress`, given the host's interfaces. A `::`
 * bind whose dual-stack is unknown is taken as dual-stack: Linux's default (bindv6only = 0).
 */
export function reachOf(socket: ReachFacts, interfaces: readonly NetworkInterface[]): ReachResult {
  const bound = plain(socket.localAddress);
  const addresses: ReachAddress[] = [];
  if (bound && (bound.text === '0.0.0.0' || bound.text === '::')) {
    const families = new Set<number>([bound.family]);
    if (bound.family === 6 && socket.dualStack !== false) families.add(4);
    for (const iface of interfaces) {
      if (!iface.up && !iface.addresses.some((a) => reachKind(a.address) === 'loopback')) continue;
      for (const address of iface.addresses) {
        if (!families.has(address.family)) continue;
        const kind = reachKind(address.address) ?? address.kind;
        addresses.push({address: address.address, interface: iface.name, kind});
      }
    }
  } else if (bound) {
    const kind = reachKind(bound.text) ?? 'reserved';
    const iface = interfaces.find((candidate) =>
      candidate.addresses.some((address) => plain(address.address)?.text === bound.text),
    );
    addresses.push({
      address: bound.text,
      interface: iface?.name ?? (kind === 'loopback' ? 'lo' : ''),
      kind,
    });
  }
  addresses.sort((a, b) => distance[b.kind] - distance[a.kind]);
  const farthest = addresses.length > 0 ? distance[addresses[0]!.kind] : 0;
  const reach: Reach =
    farthest >= distance.public ? 'internet' : farthest > 0 ? 'network' : 'this host';
  return {reach, addresses};
}

/** A network kind as a person calls it: "LAN", "tailnet", "link-local", … */
export function networkWord(address: ReachAddress): string {
  switch (address.kind) {
    case 'public':
      return 'internet';
    case 'private':
      return address.address.includes(':') ? 'ULA' : 'LAN';
    case 'cgnat':
      return /^(tailscale|ts\d|tun|wg)/.test(address.interface) ? 'tailnet' : 'CGNAT';
    case 'link-local':
      return 'link-local';
    case 'loopback':
      return 'this host';
    default:
      return address.kind;
  }
}

/**
 * The reach in a few words: `internet`, `LAN 10.0.0.5`, `tailnet 100.101.1.2 +1`, `this host`.
 * The first address shown is the farthest-reaching one.
 */
export function reachWords(result: ReachResult): string {
  if (result.reach === 'this host') return 'this host';
  if (result.reach === 'internet') {
    const count = result.addresses.filter((address) => address.kind === 'public').length;
    return count > 1 ? `internet (${count} addresses)` : 'internet';
  }
  const first = result.addresses[0]!;
  const others = result.addresses.filter((address) => distance[address.kind] > 0).length - 1;
  return `${networkWord(first)} ${first.address}${others > 0 ? ` +${others}` : ''}`;
}
