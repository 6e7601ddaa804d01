/**
 * Reads what remote-script.ts printed on a host into the shapes the local collectors produce, with
 * their parsers: parseProcNetLines for the socket tables, parseNetDev for counters,
 * parseDefaultRoutes and linkUp for interfaces. A socket's exposure is judged from its own bound
 * address (exposureOf), and the interfaces are that host's, so "eth0 only" names the host's eth0.
 *
 * Host and process names are data from the host: the local readers keep them as the kernel gives
 * them and the views sanitize; these are made visible here as well (sanitizeLine, which the view
 * applying it again leaves as it is), as nothing else vouches for what a remote host prints.
 */
import {gunzipSync} from 'node:zlib';
import type {InterfaceCounters, NetworkInterface, Socket} from '../model.js';
import {
  parseProcNetLines,
  type ProcNetTable,
  type ProcSocket,
} from '../collect/sockets/proc-net.js';
import {parseNetDev} from '../collect/traffic.js';
import {linkUp, parseDefaultRoutes} from '../collect/interfaces.js';
import {sanitizeLine} from '../sanitize.js';
import {remoteMarker} from './remote-script.js';
import {
  mergeAddresses,
  parseFibTrie,
  parseIfInet6,
  parseIpAddrLines,
  type AddressesByName,
} from './remote-addresses.js';

export type RemoteReading = {
  name: string;
  interfaces: NetworkInterface[];
  counters: Map<string, InterfaceCounters>;
  sockets: Socket[];
  ownersHidden: boolean;
  owners: 'root' | 'sudo' | 'user';
};

type Section = {name: string; value: string; start: number; end: number};

const markerBytes = Buffer.from(remoteMarker, 'latin1');
const tables: readonly ProcNetTable[] = ['tcp', 'tcp6', 'udp', 'udp6'];
const IFF_LOOPBACK = 0x8;

/** Where the first marker line starts (a marker at the start of a line), or -1. */
function firstMarker(output: Buffer): number {
  let at = output.indexOf(markerBytes);
  while (at > 0 && output[at - 1] !== 10) at = output.indexOf(markerBytes, at + 1);
  return at;
}

/** Splits the text from `from` on marker lines; each section runs to the next marker. */
function sections(text: Buffer): Section[] {
  const found: Section[] = [];
  let index = 0;
  while (index < text.length) {
    let lineEnd = text.indexOf(10, index);
    if (lineEnd < 0) lineEnd = text.length;
    if (
      index + markerBytes.length <= text.length &&
      text.compare(markerBytes, 0, markerBytes.length, index, index + markerBytes.length) === 0
    ) {
      const line = text.toString('utf8', index + markerBytes.length, lineEnd);
      const close = line.indexOf('@@');
      if (close > 0) {
        const previous = found.at(-1);
        if (previous) previous.end = index;
        found.push({
          name: line.slice(0, close),
          value: line.slice(close + 3),
          start: lineEnd + 1,
          end: text.length,
        });
      }
    }
    index = lineEnd + 1;
  }
  return found;
}

function numberOrNull(text: string | undefined): number | null {
  if (text === undefined || text === '-') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** Reads one poll's output; throws a one-line Error when it is not a Linux host's reading. */
export function parseRemoteReading(output: Buffer): RemoteReading {
  const at = firstMarker(output);
  if (at < 0) throw new Error('unreadable output');
  let text = output.subarray(at);
  let found = sections(text);
  const gzip = found.find((section) => section.name === 'gzip');
  if (gzip) {
    const head = found.slice(0, found.indexOf(gzip));
    let rest: Buffer;
    try {
      rest = gunzipSync(text.subarray(gzip.start));
    } catch {
      throw new Error('unreadable output: broken gzip stream');
    }
    // Sections before the stream keep their own offsets; the stream's are re-based.
    text = Buffer.concat([text.subarray(0, gzip.start), rest]);
    found = [
      ...head,
      ...sections(text.subarray(gzip.start)).map((section) => ({
        ...section,
        start: section.start + gzip.start,
        end: section.end + gzip.start,
      })),
    ];
  }
  const byName = new Map(found.map((section) => [section.name, section]));
  const body = (name: string) => {
    const section = byName.get(name);
    return section ? text.toString('utf8', section.start, section.end) : undefined;
  };
  const kernel = byName.get('uname')?.value.trim();
  if (!byName.has('host') || !kernel) throw new Error('unreadable output');
  if (kernel !== 'Linux' || !byName.has('tcp')) throw new Error('unsupported: no /proc');
  if (!byName.has('end')) throw new Error('unreadable output: cut short');

  const sockets: ProcSocket[] = [];
  for (const table of tables) {
    const section = byName.get(table);
    if (section) parseProcNetLines(text, section.start, section.end, table, sockets);
  }

  const owners = byName.get('owners');
  const ownerOf = new Map<number, {pid: number; name: string}>();
  let denied = 0;
  let owner: {pid: number; name: string} | undefined;
  for (const line of (body('owners') ?? '').split('\n')) {
    if (line.startsWith('p ')) {
      const space = line.indexOf(' ', 2);
      const pid = Number(line.slice(2, space < 0 ? undefined : space));
      const name = space < 0 ? '' : line.slice(space + 1);
      owner = Number.isSafeInteger(pid) ? {pid, name: sanitizeLine(name)} : undefined;
    } else if (line.startsWith('d ')) {
      denied = Number(line.slice(2)) || 0;
    } else if (owner && /^\d+$/.test(line)) {
      ownerOf.set(Number(line), owner);
    }
  }
  let unowned = false;
  for (const socket of sockets) {
    if (socket.inode === 0) continue;
    const found = ownerOf.get(socket.inode);
    if (!found) unowned = true;
    socket.pid = found?.pid ?? null;
    // An empty name: the process ended between listing its fds and reading its comm.
    socket.process = found?.name || null;
  }

  const links = (body('links') ?? '')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 6 && fields[0] !== '');
  let addresses: AddressesByName;
  const ipLines = body('addr');
  if (ipLines !== undefined) {
    addresses = parseIpAddrLines(ipLines);
  } else {
    const loopback = links.find(([, flags]) => Number.parseInt(flags ?? '0', 16) & IFF_LOOPBACK);
    addresses = mergeAddresses(
      parseFibTrie(body('fib_trie') ?? '', body('rt') ?? '', loopback?.[0]),
      parseIfInet6(body('if_inet6') ?? ''),
    );
  }
  const routeLines = (body('route') ?? '').split('\n');
  const defaults = parseDefaultRoutes(
    ['Iface', ...routeLines.filter((line) => !/^[0-9a-f]{32} /i.test(line))].join('\n'),
    routeLines.filter((line) => /^[0-9a-f]{32} /i.test(line)).join('\n'),
  );
  const interfaces: NetworkInterface[] = links
    .map(([name, flags, operstate, mac, mtu, speed]) => ({
      name: name!,
      up: linkUp(flags, operstate),
      mac: mac && mac !== '-' && mac !== '00:00:00:00:00:00' ? mac : null,
      mtu: numberOrNull(mtu),
      speed: numberOrNull(speed),
      defaultRoute: defaults.has(name!),
      addresses: addresses.get(name!) ?? [],
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const ownersWord = owners?.value.trim();
  return {
    name: sanitizeLine(byName.get('host')!.value),
    interfaces,
    counters: parseNetDev(body('dev') ?? ''),
    sockets,
    ownersHidden: unowned && denied > 0,
    owners: ownersWord === 'root' || ownersWord === 'sudo' ? ownersWord : 'user',
  };
}
