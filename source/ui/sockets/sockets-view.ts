/** The Sockets pane's pure logic: which sockets show, in what order, and how each reads. */
import type {Container, NetworkInterface, Socket, SocketState} from '../../model.js';
import type {SocketsView, SocketSort} from '../../store/sockets-view-state.js';
import {
  isListener,
  socketKey,
  type ClosedListener,
  type Listing,
} from '../../collect/sockets/changes.js';
import {serviceName} from '../../net/services.js';
import {parseAddress} from '../../net/classify.js';
import {sanitizeLine} from '../../sanitize.js';
import {
  localHostId,
  type HostData,
  type HostId,
  type OwnConnection,
  type PortholeState,
} from '../../store/store.js';
import {ownSockets, ownWord, type OwnSockets} from './own-connections.js';

export type SocketRow = {
  key: string;
  socket: Socket;
  /** When it appeared, if after launch: a socket that appeared a moment ago is highlighted. */
  seenAt: number | undefined;
  /** A listener that went away a moment ago: dimmed, marked closed. */
  closed: boolean;
  /** Whose socket it is, in the table of every host's sockets. */
  host?: HostId;
};

/** What a socket says about itself, without the kernel's bookkeeping (as in the JSON snapshot). */
export type SocketFacts = Omit<Socket, 'inode'>;

/** `127.0.0.1:8080`, `[::1]:8080`, `*:*` for an unconnected peer, as ss writes them. */
export function endpoint(address: string, port: number): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${port === 0 ? '*' : port}`;
}

export function peerEndpoint(socket: SocketFacts): string {
  const unspecified = socket.peerAddress === '0.0.0.0' || socket.peerAddress === '::';
  return unspecified && socket.peerPort === 0
    ? '*:*'
    : endpoint(socket.peerAddress, socket.peerPort);
}

/**
 * A socket's local end as `ss` writes it: a dual-stack `::` listener, which takes IPv4 too, is
 * `*:8083`; an IPv6-only one stays `[::]:8090`.
 */
export function localEndpoint(
  socket: Pick<Socket, 'localAddress' | 'localPort' | 'dualStack'>,
): string {
  if (socket.dualStack === true && socket.localAddress === '::') return `*:${socket.localPort}`;
  return endpoint(socket.localAddress, socket.localPort);
}

/** A container as the process column names it: its name, else its id's first 12 digits. */
export function containerLabel(container: Container): string {
  return sanitizeLine(container.name ?? container.id.slice(0, 12));
}

/**
 * The process column: `nginx 4121`, `web · nginx 4121` for a process in a container, and for a
 * port a container engine published, where it leads: `→ web (172.17.0.2:80)`.
 */
export function ownerLabel(socket: SocketFacts): string {
  if (socket.published) {
    const {containerAddress, containerPort, container} = socket.published;
    const target = endpoint(sanitizeLine(containerAddress), containerPort);
    return container ? `→ ${sanitizeLine(container)} (${target})` : `→ ${target}`;
  }
  if (socket.pid === null) return '-';
  const owner = `${sanitizeLine(socket.process ?? '?')} ${socket.pid}`;
  return socket.container ? `${containerLabel(socket.container)} · ${owner}` : owner;
}

/** `LISTEN 0.0.0.0:8080 (node 4121)`: how events and the header name a socket. */
export function socketLabel(socket: SocketFacts): string {
  const owner = socket.pid === null ? '' : ` (${ownerLabel(socket)})`;
  return `${socket.state} ${localEndpoint(socket)}${owner}`;
}

/** The interface that owns a socket's local address, for sockets bound to one address. */
export function owningInterface(
  socket: SocketFacts,
  interfaces: readonly NetworkInterface[],
): string | undefined {
  const parsed = parseAddress(socket.localAddress);
  if (!parsed) return undefined;
  const local =
    parsed.kind === 'ipv6' && parsed.value.isIPv4MappedAddress()
      ? parsed.value.toIPv4Address().toString()
      : parsed.value.toString();
  for (const iface of interfaces) {
    for (const address of iface.addresses) {
      const candidate = parseAddress(address.address);
      if (candidate?.value.toString() === local) return iface.name;
    }
  }
  return undefined;
}

export function exposureLabel(
  socket: SocketFacts,
  interfaces: readonly NetworkInterface[],
): string {
  if (socket.exposure === 'all-interfaces') return 'all interfaces';
  if (socket.exposure === 'loopback') return 'local only';
  const iface = owningInterface(socket, interfaces);
  return iface ? `${sanitizeLine(iface)} only` : 'this address';
}

const stateOrder: readonly SocketState[] = [
  'LISTEN',
  'UNCONN',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'NEW-SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
  'UNKNOWN',
];

/** Plain code-unit order: addresses and names need no locale, and localeCompare costs 10x more. */
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const byPort = (a: Socket, b: Socket) =>
  a.localPort - b.localPort ||
  text(a.protocol, b.protocol) ||
  a.family - b.family ||
  text(a.localAddress, b.localAddress) ||
  a.peerPort - b.peerPort ||
  text(a.peerAddress, b.peerAddress);

const comparators: Record<SocketSort, (a: Socket, b: Socket) => number> = {
  port: byPort,
  state: (a, b) => stateOrder.indexOf(a.state) - stateOrder.indexOf(b.state) || byPort(a, b),
  process: (a, b) =>
    text(a.process ?? '\uffff', b.process ?? '\uffff') ||
    (a.pid ?? Infinity) - (b.pid ?? Infinity) ||
    byPort(a, b),
  queue: (a, b) => b.recvQ + b.sendQ - (a.recvQ + a.sendQ) || byPort(a, b),
};

const stateRank = new Map(stateOrder.map((state, rank) => [state, rank]));

/**
 * A number per socket that orders it like the comparator does on its first fields, so that a sort
 * of 100k rows compares numbers and reaches the comparator only on ties (62-120 ms -> ~20 ms).
 */
function sortKeys(sockets: readonly Socket[], sort: SocketSort): Float64Array {
  const keys = new Float64Array(sockets.length);
  const portKey = (socket: Socket) =>
    socket.localPort * 4 + (socket.protocol === 'udp' ? 2 : 0) + (socket.family === 6 ? 1 : 0);
  if (sort === 'process') {
    const names = [...new Set(sockets.map((socket) => socket.process ?? '\uffff'))].sort(text);
    const rank = new Map(names.map((name, index) => [name, index]));
    sockets.forEach((socket, index) => {
      keys[index] =
        (rank.get(socket.process ?? '\uffff') ?? 0) * 2 ** 22 + (socket.pid ?? 2 ** 22 - 1);
    });
    return keys;
  }
  sockets.forEach((socket, index) => {
    if (sort === 'port') keys[index] = portKey(socket);
    else if (sort === 'state')
      keys[index] = (stateRank.get(socket.state) ?? 99) * 2 ** 18 + portKey(socket);
    else keys[index] = -(socket.recvQ + socket.sendQ) * 2 ** 18 + portKey(socket);
  });
  return keys;
}

/**
 * One filter term: `:8080` is a port; a bare number is a port or a pid; anything else is looked
 * for, case-insensitively, in the protocol, state, addresses, service and process name (for
 * porthole's own connections, the `porthole` the process column shows).
 */
function matchesTerm(socket: Socket, term: string, own: OwnSockets | undefined): boolean {
  if (/^:\d+$/.test(term)) {
    const port = Number(term.slice(1));
    return socket.localPort === port || socket.peerPort === port;
  }
  if (/^\d+$/.test(term)) {
    const value = Number(term);
    return socket.localPort === value || socket.peerPort === value || socket.pid === value;
  }
  const haystack = [
    socket.protocol + socket.family,
    socket.state,
    endpoint(socket.localAddress, socket.localPort),
    peerEndpoint(socket),
    serviceName(socket.localPort, socket.protocol) ?? '',
    socket.process ?? '',
    socket.dualStack === true && socket.localAddress === '::' ? `*:${socket.localPort}` : '',
    socket.container ? `${socket.container.name ?? ''} ${socket.container.id.slice(0, 12)}` : '',
    socket.published?.container ?? '',
    own?.has(socket) === true ? ownWord : '',
    socket.exposure === 'all-interfaces' ? 'all interfaces exposed' : socket.exposure,
  ]
    .join(' ')
    .toLowerCase();
  return haystack.includes(term);
}

/** The view's toggles that decide whether a socket shows. */
export type ViewToggles = Pick<
  SocketsView,
  'tcp' | 'udp' | 'ipv4' | 'ipv6' | 'showAll' | 'exposedOnly'
>;

export function matchesView(
  socket: Socket,
  view: ViewToggles,
  terms: readonly string[],
  own?: OwnSockets,
): boolean {
  if (!(socket.protocol === 'tcp' ? view.tcp : view.udp)) return false;
  // A dual-stack listener takes IPv4 as well: either toggle shows it.
  const v4 = socket.family === 4 || (socket.dualStack === true && socket.localAddress === '::');
  if (!((v4 && view.ipv4) || (socket.family === 6 && view.ipv6))) return false;
  const listener = isListener(socket);
  if (!view.showAll && !listener) return false;
  // Exposed: reachable from beyond this host, bound to every interface or to one address.
  if (view.exposedOnly && !(listener && socket.exposure !== 'loopback')) return false;
  // A plain loop: this runs for every socket on every change, and a callback per call was a
  // megabyte of garbage a poll at 10k sockets.
  for (let index = 0; index < terms.length; index++) {
    if (!matchesTerm(socket, terms[index]!, own)) return false;
  }
  return true;
}

export function filterTerms(filter: string): string[] {
  return filter.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The rows to show, in order, without an object per row: at 100k sockets the rows are an index
 * array (400 KiB) rather than 100k objects, and keys come from the change tracker's listing
 * instead of being built again. A row is made into an object only when it is drawn.
 */
export type SocketRows = {
  /** Index into `sockets`, or `sockets.length + j` for the j-th closed listener, in display order. */
  order: Int32Array;
  sockets: readonly Socket[];
  /** Each socket's key and first-seen time, aligned with `sockets`, when a tracker made them. */
  keys: readonly string[] | undefined;
  seen: readonly number[] | undefined;
  closed: readonly ClosedListener[];
  /** In the table of every host's sockets: each ref's host, as an index into `ids`. */
  hosts?: {ids: readonly HostId[]; of: Int32Array};
};

/**
 * The rows that pass the view, closed listeners among them, sorted. Computed when the sockets or
 * the view change, not when the cursor moves.
 */
export function socketRows(
  sockets: readonly Socket[],
  view: SocketsView,
  changes: {listing?: Listing; closed?: readonly ClosedListener[]},
  own?: OwnSockets,
): SocketRows {
  const terms = filterTerms(view.filter);
  const listing = changes.listing?.sockets === sockets ? changes.listing : undefined;
  const closed = changes.closed ?? [];
  const refs = new Int32Array(sockets.length + closed.length);
  let count = 0;
  for (let index = 0; index < sockets.length; index++) {
    if (matchesView(sockets[index]!, view, terms, own)) refs[count++] = index;
  }
  closed.forEach(({socket}, index) => {
    if (matchesView(socket, view, terms, own)) refs[count++] = sockets.length + index;
  });
  const rows = {
    order: refs.subarray(0, count),
    sockets,
    keys: listing?.keys,
    seen: listing?.seen,
    closed,
  };
  const all = closed.length === 0 ? sockets : [...sockets, ...closed.map((entry) => entry.socket)];
  const keys = sortKeys(all, view.sort);
  const compare = comparators[view.sort];
  rows.order.sort((a, b) => keys[a]! - keys[b]! || compare(all[a]!, all[b]!) || a - b);
  return rows;
}

/**
 * The rows of a listing made from the last one (its `change`), patched from that listing's rows
 * under the same view: the sockets kept keep their places (renumbered), the ones gone are dropped,
 * and the new ones and the closed listeners that pass are sorted among themselves and merged in.
 * A poll that changed a few of 100k sockets then costs a pass over the order, not a filter and a
 * sort of every socket. The order is the one `socketRows` makes (ties go by position in the
 * listing); undefined when the change does not follow from `previous` or reorders what it kept.
 */
export function patchedRows(
  previous: SocketRows,
  listing: Listing,
  view: SocketsView,
  closed: readonly ClosedListener[],
  own?: OwnSockets,
): SocketRows | undefined {
  const change = listing.change;
  if (!change || change.previous !== previous.sockets || previous.hosts) return undefined;
  const {sockets} = listing;
  const before = previous.sockets.length;
  // Where each socket of the last listing went, or -1; and the positions of the new ones.
  const moved = new Int32Array(before).fill(-1);
  const added: number[] = [];
  const {runs} = change;
  let at = 0;
  let end = 0;
  for (let pair = 0; pair < runs.length; pair += 2) {
    const from = runs[pair]!;
    const length = runs[pair + 1]!;
    if (length < 0 || at + length > sockets.length) return undefined;
    if (from === -1) {
      for (let index = 0; index < length; index++) added.push(at + index);
    } else {
      // Kept sockets in another order would break ties differently from a sort: sort instead.
      if (from < end || from + length > before) return undefined;
      for (let index = 0; index < length; index++) moved[from + index] = at + index;
      end = from + length;
    }
    at += length;
  }
  if (at !== sockets.length) return undefined;
  const terms = filterTerms(view.filter);
  const fresh: number[] = [];
  for (const index of added) {
    if (matchesView(sockets[index]!, view, terms, own)) fresh.push(index);
  }
  closed.forEach(({socket}, index) => {
    if (matchesView(socket, view, terms, own)) fresh.push(sockets.length + index);
  });
  const socketOf = (ref: number) =>
    ref < sockets.length ? sockets[ref]! : closed[ref - sockets.length]!.socket;
  const compare = comparators[view.sort];
  const order = (a: number, b: number) => compare(socketOf(a), socketOf(b)) || a - b;
  fresh.sort(order);
  // The kept rows in their order, renumbered (the closed listeners are among the fresh ones).
  const kept = new Int32Array(previous.order.length);
  let keptCount = 0;
  for (let position = 0; position < previous.order.length; position++) {
    const ref = previous.order[position]!;
    const to = ref < before ? moved[ref]! : -1;
    if (to >= 0) kept[keptCount++] = to;
  }
  // Each fresh row goes in by binary search (a few comparisons, not one per kept row), and the
  // kept rows between are copied as blocks.
  const result = new Int32Array(keptCount + fresh.length);
  let count = 0;
  let from = 0;
  for (const ref of fresh) {
    let low = from;
    let high = keptCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(kept[middle]!, ref) < 0) low = middle + 1;
      else high = middle;
    }
    result.set(kept.subarray(from, low), count);
    count += low - from;
    from = low;
    result[count++] = ref;
  }
  result.set(kept.subarray(from, keptCount), count);
  count += keptCount - from;
  return {
    order: result,
    sockets,
    keys: listing.keys,
    seen: listing.seen,
    closed,
  };
}

/** One host's part of the table of every host's sockets. */
export type HostPart = {
  id: HostId;
  /** As the HOST column shows it; the filter matches it too. */
  name: string;
  sockets: readonly Socket[];
  changes: {listing?: Listing; closed?: readonly ClosedListener[]} | undefined;
  /** The Request pane's connections, for this machine's part. */
  own?: OwnSockets;
};

/**
 * Every host's sockets in one table, sorted as one: a filter term that names a host (`web`)
 * keeps that host's rows, the other terms match sockets as in one host's table (`:5432` finds
 * every host with something on 5432). Keys start with the host's id, so a row stays selected
 * as the table changes and two hosts' identical sockets are two rows.
 */
export function fleetRows(parts: readonly HostPart[], view: SocketsView): SocketRows {
  const terms = filterTerms(view.filter);
  const sockets: Socket[] = [];
  const keys: string[] = [];
  const seen: number[] = [];
  const socketHost: number[] = [];
  const closed: ClosedListener[] = [];
  const closedHost: number[] = [];
  const passed: number[] = [];
  const closedPassed: number[] = [];
  parts.forEach((part, hostIndex) => {
    const name = part.name.toLowerCase();
    const id = part.id.toLowerCase();
    const left = terms.filter((term) => !name.includes(term) && !id.includes(term));
    const listing =
      part.changes?.listing?.sockets === part.sockets ? part.changes.listing : undefined;
    part.sockets.forEach((socket, index) => {
      if (matchesView(socket, view, left, part.own)) passed.push(sockets.length);
      sockets.push(socket);
      keys.push(`${part.id} ${listing?.keys[index] ?? socketKey(socket)}`);
      seen.push(listing?.seen[index] ?? Number.NEGATIVE_INFINITY);
      socketHost.push(hostIndex);
    });
    for (const entry of part.changes?.closed ?? []) {
      if (matchesView(entry.socket, view, left, part.own)) closedPassed.push(closed.length);
      closed.push(entry);
      closedHost.push(hostIndex);
    }
  });
  const order = Int32Array.from([...passed, ...closedPassed.map((j) => sockets.length + j)]);
  const of = Int32Array.from([...socketHost, ...closedHost]);
  const all = closed.length === 0 ? sockets : [...sockets, ...closed.map((entry) => entry.socket)];
  const sortKey = sortKeys(all, view.sort);
  const compare = comparators[view.sort];
  order.sort((a, b) => sortKey[a]! - sortKey[b]! || compare(all[a]!, all[b]!) || of[a]! - of[b]!);
  return {order, sockets, keys, seen, closed, hosts: {ids: parts.map((part) => part.id), of}};
}

function socketAt(rows: SocketRows, ref: number): Socket {
  return ref < rows.sockets.length
    ? rows.sockets[ref]!
    : rows.closed[ref - rows.sockets.length]!.socket;
}

function keyOf(rows: SocketRows, ref: number): string {
  if (ref >= rows.sockets.length) {
    const host = rows.hosts ? `${rows.hosts.ids[rows.hosts.of[ref]!]} ` : '';
    return `${host}closed ${socketKey(socketAt(rows, ref))}`;
  }
  // In the fleet table the keys were made with their host in front.
  return rows.keys?.[ref] ?? socketKey(rows.sockets[ref]!);
}

/** The row at a position, as an object, for drawing or acting on it. */
export function rowAt(rows: SocketRows, position: number): SocketRow | undefined {
  const ref = rows.order[position];
  if (ref === undefined) return undefined;
  const closed = ref >= rows.sockets.length;
  const seenAt = closed ? undefined : rows.seen?.[ref];
  const row: SocketRow = {
    key: keyOf(rows, ref),
    socket: socketAt(rows, ref),
    seenAt: seenAt === undefined || !Number.isFinite(seenAt) ? undefined : seenAt,
    closed,
  };
  if (rows.hosts) row.host = rows.hosts.ids[rows.hosts.of[ref]!];
  return row;
}

/** The last counts made, so that those of a listing made from its listing are patched. */
let lastCounts: {sockets: readonly Socket[]; counts: Map<SocketState, number>} | undefined;

/** The counts of a listing made from the last one counted: its old counts, less the gone, plus the new. */
function patchedCounts(
  sockets: readonly Socket[],
  change: NonNullable<Listing['change']>,
  before: Map<SocketState, number>,
): Map<SocketState, number> | undefined {
  const {previous, runs} = change;
  const kept = new Uint8Array(previous.length);
  const counts = new Map(before);
  let at = 0;
  for (let pair = 0; pair < runs.length; pair += 2) {
    const from = runs[pair]!;
    const length = runs[pair + 1]!;
    if (at + length > sockets.length || from + length > previous.length) return undefined;
    if (from === -1) {
      for (let index = at; index < at + length; index++) {
        const {state} = sockets[index]!;
        counts.set(state, (counts.get(state) ?? 0) + 1);
      }
    } else kept.fill(1, from, from + length);
    at += length;
  }
  if (at !== sockets.length) return undefined;
  for (let index = 0; index < previous.length; index++) {
    if (kept[index]) continue;
    const {state} = previous[index]!;
    counts.set(state, (counts.get(state) ?? 0) - 1);
  }
  return counts;
}

/**
 * Sockets per state, most common first: `ESTAB 120 · TIME-WAIT 33 · LISTEN 12`. Given the listing
 * of `sockets` made from the last sockets counted, only what changed is counted.
 */
export function stateCounts(
  sockets: readonly Socket[],
  listing?: Listing,
): Array<[SocketState, number]> {
  const change = listing?.sockets === sockets ? listing.change : undefined;
  let counts =
    change && lastCounts?.sockets === change.previous
      ? patchedCounts(sockets, change, lastCounts.counts)
      : undefined;
  if (!counts) {
    counts = new Map<SocketState, number>();
    for (const socket of sockets) counts.set(socket.state, (counts.get(socket.state) ?? 0) + 1);
  }
  lastCounts = {sockets, counts};
  return [...counts]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The first row to draw so that the cursor stays in a window of `visible` rows. */
export function scrollFor(cursor: number, scroll: number, visible: number, total: number): number {
  if (visible <= 0) return 0;
  let first = Math.min(scroll, cursor);
  if (cursor >= first + visible) first = cursor - visible + 1;
  return Math.max(0, Math.min(first, Math.max(0, total - visible)));
}

/** The URL a request to a TCP listener goes to: loopback for wildcard binds, else the bound address. */
export function listenerUrl(socket: Socket): string | undefined {
  if (socket.protocol !== 'tcp' || socket.state !== 'LISTEN') return undefined;
  let host = socket.localAddress;
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  else if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice('::ffff:'.length);
  const scheme = socket.localPort === 443 || socket.localPort === 8443 ? 'https' : 'http';
  const authority = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${authority}:${socket.localPort}/`;
}

export type RowsInput = {
  sockets: readonly Socket[];
  socketsView: SocketsView;
  socketTracker?: {listing?: Listing; closed?: readonly ClosedListener[]} | undefined;
  ownConnections?: readonly OwnConnection[];
  /** Every host's part, for the table of every host's sockets (`sockets` is then unused). */
  fleet?: readonly HostPart[];
};

/** What the rows are made of in the store: the shown host's sockets and the view's settings. */
export function rowsInput(state: PortholeState, host: HostData): RowsInput {
  return {
    sockets: host.sockets,
    socketsView: state.socketsView,
    socketTracker: host.socketChanges,
    // The Request pane's connections are this machine's sockets.
    ownConnections: host.local ? state.ownConnections : undefined,
  };
}

const noSockets: readonly Socket[] = [];

/**
 * Every host's sockets, in `hostOrder`, for the one table of them all. `name` labels a host as the
 * HOST column shows it.
 */
export function fleetInput(state: PortholeState, name: (host: HostData) => string): RowsInput {
  const fleet = state.hostOrder.flatMap((id): HostPart[] => {
    const host = state.hosts[id];
    if (!host) return [];
    return [{id, name: name(host), sockets: host.sockets, changes: host.socketChanges}];
  });
  return {
    sockets: noSockets,
    socketsView: state.socketsView,
    // The Request pane's connections are this machine's sockets.
    ownConnections: state.ownConnections,
    fleet,
  };
}

export type RowsOf = (state: RowsInput) => SocketRows;

/**
 * A memo of the rows for the current store state, computed once per change of sockets or view
 * (not per key or frame): the pane and its keys share one, so a key always acts on what it would
 * see.
 */
export function createRowsMemo(): RowsOf {
  let lastRows: RowsMemo | undefined;
  return (state) => {
    const rows = rowsOf(state, lastRows);
    lastRows = rows.memo;
    return rows.rows;
  };
}

type RowsMemo = {
  sockets: readonly Socket[];
  tracker: unknown;
  view: string;
  own: unknown;
  ownSockets: OwnSockets | undefined;
  rows: SocketRows;
  fleet?: readonly HostPart[] | undefined;
};

function sameFleet(a: readonly HostPart[] | undefined, b: readonly HostPart[] | undefined) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((part, index) => {
    const other = b[index]!;
    return (
      part.id === other.id &&
      part.name === other.name &&
      part.sockets === other.sockets &&
      part.changes === other.changes
    );
  });
}

function rowsOf(
  state: RowsInput,
  lastRows: RowsMemo | undefined,
): {rows: SocketRows; memo: RowsMemo} {
  const {showAll, tcp, udp, ipv4, ipv6, exposedOnly, filter, sort} = state.socketsView;
  const view = JSON.stringify([showAll, tcp, udp, ipv4, ipv6, exposedOnly, filter, sort]);
  // Porthole's own connections matter only to a filter (`porthole` finds them).
  const connections = filter === '' ? undefined : state.ownConnections;
  if (
    lastRows?.sockets === state.sockets &&
    lastRows.tracker === state.socketTracker &&
    lastRows.view === view &&
    lastRows.own === connections &&
    sameFleet(lastRows.fleet, state.fleet)
  ) {
    return {rows: lastRows.rows, memo: lastRows};
  }
  const own =
    lastRows && lastRows.own === connections
      ? lastRows.ownSockets
      : connections === undefined || connections.length === 0
        ? undefined
        : ownSockets(connections);
  const listing = state.socketTracker?.listing;
  const patched =
    !state.fleet &&
    !lastRows?.fleet &&
    lastRows?.view === view &&
    lastRows.own === connections &&
    listing?.sockets === state.sockets
      ? patchedRows(
          lastRows.rows,
          listing,
          state.socketsView,
          state.socketTracker?.closed ?? [],
          own,
        )
      : undefined;
  const rows =
    patched ??
    (state.fleet
      ? fleetRows(
          state.fleet.map((part) => (part.id === localHostId && own ? {...part, own} : part)),
          state.socketsView,
        )
      : socketRows(state.sockets, state.socketsView, state.socketTracker ?? {}, own));
  return {
    rows,
    memo: {
      sockets: state.sockets,
      tracker: state.socketTracker,
      view,
      own: connections,
      ownSockets: own,
      rows,
      fleet: state.fleet,
    },
  };
}

/** The selected row's position: the row with the selected key, else the remembered position. */
export function selectedIndex(
  rows: SocketRows,
  view: Pick<SocketsView, 'cursor' | 'selectedKey'>,
): number {
  const count = rows.order.length;
  if (view.selectedKey !== undefined) {
    for (let position = 0; position < count; position++) {
      if (keyOf(rows, rows.order[position]!) === view.selectedKey) return position;
    }
  }
  return Math.min(view.cursor, Math.max(0, count - 1));
}
