/**
 * A host's addresses per interface, from what its poll printed: `ip -o addr show` cut to
 * `name family address/prefix` lines, or, on a host without `ip`, /proc/net/fib_trie with
 * /proc/net/route (IPv4) and /proc/net/if_inet6 (IPv6).
 *
 * fib_trie names no interface: an address is a `/32 host LOCAL` leaf; its prefix is the longest
 * connected route (`link UNICAST`) or local range (`host LOCAL` shorter than /32, as 127.0.0.0/8)
 * that holds it; its interface is the one /proc/net/route gives that connected route, or, for a
 * local range, the loopback interface. An address whose interface cannot be told is left out.
 */
import type {Family, InterfaceAddress} from '../model.js';
import {classifyAddress} from '../net/classify.js';
import {formatIpv6} from '../collect/sockets/proc-net.js';

export type AddressesByName = Map<string, InterfaceAddress[]>;

function add(
  byName: AddressesByName,
  name: string,
  address: string,
  family: Family,
  prefix: number,
) {
  const kind = classifyAddress(address);
  if (kind === 'invalid') return;
  const list = byName.get(name) ?? [];
  if (list.some((entry) => entry.address === address && entry.prefixLength === prefix)) return;
  list.push({address, family, prefixLength: prefix, kind});
  byName.set(name, list);
}

/**
 * Parses `ip -o addr show` lines, `N: name inet|inet6 address[/prefix] …` (a peer address,
 * `inet A peer B/n`, has no prefix of its own: /32 or /128).
 */
export function parseIpAddrLines(text: string): AddressesByName {
  const byName: AddressesByName = new Map();
  for (const line of text.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+(inet6?)\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, family, cidr] = match as unknown as [string, string, string, string];
    const slash = cidr.indexOf('/');
    const address = slash === -1 ? cidr : cidr.slice(0, slash);
    const full = family === 'inet' ? 32 : 128;
    const prefix = slash === -1 ? full : Number(cidr.slice(slash + 1));
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > full) continue;
    add(byName, name, address, family === 'inet' ? 4 : 6, prefix);
  }
  return byName;
}

function ipv4Number(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const byte = Number(part);
    if (!/^\d{1,3}$/.test(part) || byte > 255) return undefined;
    value = value * 256 + byte;
  }
  return value;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** /proc/net/route's hex words are in the host's byte order, as its socket tables' are. */
function routeWord(hex: string, littleEndian: boolean): number {
  const value = Number.parseInt(hex, 16) >>> 0;
  if (!littleEndian) return value;
  return (
    (((value & 0xff) << 24) |
      ((value & 0xff00) << 8) |
      ((value >>> 8) & 0xff00) |
      (value >>> 24)) >>>
    0
  );
}

/**
 * IPv4 addresses per interface from fib_trie and the whole of /proc/net/route (header included);
 * `loopback` names the interface local ranges such as 127.0.0.0/8 belong to.
 */
export function parseFibTrie(
  fibTrie: string,
  route: string,
  loopback: string | undefined,
  littleEndian = true,
): AddressesByName {
  const locals: number[] = [];
  const ranges: Array<{net: number; prefix: number; local: boolean}> = [];
  let leaf: number | undefined;
  for (const line of fibTrie.split('\n')) {
    const leafMatch = /^[\s|]*\|-- (\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leafMatch) {
      leaf = ipv4Number(leafMatch[1]!);
      continue;
    }
    const entry = /^\s*\/(\d+) (\S+) (\S+)/.exec(line);
    if (!entry || leaf === undefined) {
      if (!entry) leaf = undefined;
      continue;
    }
    const prefix = Number(entry[1]);
    const [, , scope, type] = entry;
    if (type === 'LOCAL' && scope === 'host' && prefix === 32) {
      if (!locals.includes(leaf)) locals.push(leaf);
    } else if (prefix < 32 && prefix > 0 && (type === 'UNICAST' || type === 'LOCAL')) {
      const local = type === 'LOCAL';
      if (scope === (local ? 'host' : 'link')) ranges.push({net: leaf, prefix, local});
    }
  }
  // Connected routes of the main table: destination, mask, no gateway.
  const routes: Array<{net: number; mask: number; name: string}> = [];
  for (const line of route.split('\n').slice(1)) {
    const [name, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
    if (!name || !destination || !mask || gateway !== '00000000') continue;
    routes.push({
      net: routeWord(destination, littleEndian),
      mask: routeWord(mask, littleEndian),
      name,
    });
  }
  const byName: AddressesByName = new Map();
  for (const address of locals) {
    let best: (typeof ranges)[number] | undefined;
    for (const range of ranges) {
      if ((address & maskOf(range.prefix)) >>> 0 !== range.net) continue;
      if (!best || range.prefix > best.prefix) best = range;
    }
    const prefix = best?.prefix ?? 32;
    const mask = maskOf(prefix);
    const name = best?.local
      ? loopback
      : routes.find((entry) => entry.mask === mask && entry.net === (address & mask) >>> 0)?.name;
    if (name === undefined) continue;
    const text = [
      address >>> 24,
      (address >>> 16) & 255,
      (address >>> 8) & 255,
      address & 255,
    ].join('.');
    add(byName, name, text, 4, prefix);
  }
  return byName;
}

/** IPv6 addresses per interface from /proc/net/if_inet6 (address, index, prefix, scope, flags, name). */
export function parseIfInet6(text: string): AddressesByName {
  const byName: AddressesByName = new Map();
  for (const line of text.split('\n')) {
    const [hex, , prefixHex, , , name] = line.trim().split(/\s+/);
    if (!hex || !name || !/^[0-9a-f]{32}$/i.test(hex)) continue;
    const bytes: number[] = [];
    for (let i = 0; i < 32; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
    const prefix = Number.parseInt(prefixHex ?? '', 16);
    if (!Number.isInteger(prefix) || prefix > 128) continue;
    add(byName, name, formatIpv6(bytes), 6, prefix);
  }
  return byName;
}

/** Both families together, IPv4 first on each interface (as `ip addr` lists them). */
export function mergeAddresses(...parts: AddressesByName[]): AddressesByName {
  const byName: AddressesByName = new Map();
  for (const part of parts) {
    for (const [name, list] of part) byName.set(name, [...(byName.get(name) ?? []), ...list]);
  }
  return byName;
}
