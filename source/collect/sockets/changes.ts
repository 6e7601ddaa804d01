/**
 * What changed between two socket listings, as plain data and without I/O: when each socket first
 * appeared, which listeners opened or closed, and whether anything shown on screen differs at all
 * (so a poll that changed nothing does not cause a render).
 */
import type {Socket, SocketEvent} from '../../model.js';

export type ClosedListener = {socket: Socket; closedAt: number};

export type SocketTracker = {
  /**
   * Socket key -> when it appeared; `baselineTime` for sockets present at the first listing.
   * Trackers form a chain (each listing is tracked against the latest tracker): this map is
   * handed along the chain and updated in place, as rebuilding it took a third of the tracker's
   * time and a megabyte a poll at 10k sockets. An older tracker's map is the latest one.
   */
  firstSeen: Map<string, number>;
  /** Keys listed more than once (SO_REUSEPORT listeners), with how many times beyond the first. */
  repeats: Map<string, number>;
  /** Listeners that disappeared less than `closedMs` ago and have not come back. */
  closed: ClosedListener[];
  /** Listeners opened and closed, newest last. */
  events: SocketEvent[];
  /** The latest listener opened on all interfaces since tracking began. */
  newlyExposed: SocketEvent | undefined;
  /** Whether anything shown differs from the previous listing (sockets, fields, highlights). */
  changed: boolean;
  /** How long a new socket counts as new, to highlight it. */
  highlightMs: number;
  /** When this listing was taken. */
  at: number;
  /** The earliest time a highlight or a closed listener runs out, or Infinity. */
  nextExpiry: number;
  /** This listing with each socket's key and first-seen time, in the same order, for the next. */
  listing: Listing;
};

export type Listing = {
  readonly sockets: readonly Socket[];
  readonly keys: readonly string[];
  readonly seen: readonly number[];
  /** How this listing was made from the one before it, when its maker knows (listing-codec.ts). */
  readonly change?: ListingChange;
};

/**
 * A listing as runs of the one before it and new sockets, so that what is derived from a listing
 * (the sockets view's order) can be patched from the last one rather than made again.
 */
export type ListingChange = {
  /** The sockets of the listing this one was made from (not that listing: no chain of them). */
  readonly previous: readonly Socket[];
  /**
   * Pairs in this listing's order: `[from, length]` is `length` sockets of `previous` from
   * `from`; `[-1, length]` is `length` sockets not taken from it.
   */
  readonly runs: Int32Array;
};

export type TrackOptions = {highlightMs?: number; closedMs?: number; maxEvents?: number};

/** First-seen time of sockets that were already there when tracking began: never new. */
export const baselineTime = Number.NEGATIVE_INFINITY;

// ":0" ... ":65535", made once: converting ports to text was a third of the cost of a key.
const portTexts: string[] = [];
function portText(port: number): string {
  if (portTexts.length === 0) for (let p = 0; p <= 65_535; p++) portTexts.push(`:${p}`);
  return portTexts[port] ?? `:${port}`;
}

/**
 * Identity of a socket across listings: protocol, family, local and peer endpoints. The key is
 * read once after being built: that makes V8 flatten the tree of pieces `+` leaves behind (five
 * string objects per key, ~160 bytes) into one string, which at 100k sockets saves ~10 MiB.
 */
export function socketKey(
  socket: Pick<
    Socket,
    'protocol' | 'family' | 'localAddress' | 'localPort' | 'peerAddress' | 'peerPort'
  >,
): string {
  const key =
    socket.family === 6
      ? socket.protocol +
        '6 [' +
        socket.localAddress +
        ']' +
        portText(socket.localPort) +
        ' [' +
        socket.peerAddress +
        ']' +
        portText(socket.peerPort)
      : socket.protocol +
        '4 ' +
        socket.localAddress +
        portText(socket.localPort) +
        ' ' +
        socket.peerAddress +
        portText(socket.peerPort);
  key.charCodeAt(key.length - 1);
  return key;
}

/** One more socket listed under `key`, first seen at `at`. */
function addCopy(
  firstSeen: Map<string, number>,
  repeats: Map<string, number>,
  key: string,
  at: number,
): void {
  const earlier = firstSeen.get(key);
  if (earlier === undefined) {
    firstSeen.set(key, at);
    return;
  }
  if (at < earlier) firstSeen.set(key, at);
  repeats.set(key, (repeats.get(key) ?? 0) + 1);
}

/** One socket fewer listed under `key`; the key leaves the map with its last copy. */
function removeCopy(
  firstSeen: Map<string, number>,
  repeats: Map<string, number>,
  key: string,
): void {
  const more = repeats.get(key);
  if (more === undefined) firstSeen.delete(key);
  else if (more === 1) repeats.delete(key);
  else repeats.set(key, more - 1);
}

/** A socket waiting for others: a TCP listener, or a UDP socket bound without a peer. */
export function isListener(socket: Pick<Socket, 'protocol' | 'state' | 'peerPort'>): boolean {
  return socket.protocol === 'tcp'
    ? socket.state === 'LISTEN'
    : socket.state === 'UNCONN' && socket.peerPort === 0;
}

/** Whether a socket appeared less than the tracker's highlightMs ago (baseline sockets never). */
export function isNewSocket(tracker: SocketTracker, socket: Socket, now: number): boolean {
  const seen = tracker.firstSeen.get(socketKey(socket));
  return seen !== undefined && now - seen < tracker.highlightMs;
}

function sameIdentity(a: Socket, b: Socket): boolean {
  return (
    a.localPort === b.localPort &&
    a.peerPort === b.peerPort &&
    a.localAddress === b.localAddress &&
    a.peerAddress === b.peerAddress &&
    a.protocol === b.protocol &&
    a.family === b.family
  );
}

function sameShown(a: Socket, b: Socket): boolean {
  return (
    a.state === b.state &&
    a.recvQ === b.recvQ &&
    a.sendQ === b.sendQ &&
    a.pid === b.pid &&
    a.process === b.process &&
    a.dualStack === b.dualStack &&
    // Enrichers hand out one object per container and published port, kept while unchanged.
    a.container === b.container &&
    a.published === b.published
  );
}

// How far ahead in the previous listing to look for a socket before looking it up by key.
const lookahead = 8;

/**
 * Tracks changes from one listing to the next. The kernel lists sockets in hash order and keeps
 * the order of the ones that stay, so most sockets are matched with the previous listing by
 * position, reusing their keys; keys are built and looked up only for the rest. An unchanged
 * listing builds no Map and no key at all.
 */
export function trackSocketChanges(
  previous: SocketTracker | undefined,
  sockets: readonly Socket[],
  now: number,
  options: TrackOptions = {},
): SocketTracker {
  const highlightMs = options.highlightMs ?? 4000;
  const closedMs = options.closedMs ?? 5000;
  const maxEvents = options.maxEvents ?? 500;
  const before = previous?.listing ?? {sockets: [], keys: [], seen: []};
  const count = sockets.length;
  const beforeCount = before.sockets.length;

  const keys = new Array<string>(count);
  const seen = new Array<number>(count);
  // A socket that shows the same as before keeps its previous object: at 100k sockets a poll then
  // leaves ~100k fresh objects to die young instead of retiring 100k old ones into the old space.
  const listed = new Array<Socket>(count);
  const matched = new Uint8Array(beforeCount);
  // Which sockets were matched by position with the previous listing (the rest by key, or new).
  const positional = new Uint8Array(count);
  let byKey = 0;
  const opened: SocketEvent[] = [];
  const previousSeen = previous?.firstSeen;
  let fieldsChanged = false;
  let appeared = 0;
  let j = 0;
  for (let i = 0; i < count; i++) {
    const socket = sockets[i]!;
    let match = -1;
    for (let k = j; k < beforeCount && k <= j + lookahead; k++) {
      if (!matched[k] && sameIdentity(socket, before.sockets[k]!)) {
        match = k;
        break;
      }
    }
    if (match >= 0) {
      keys[i] = before.keys[match]!;
      seen[i] = before.seen[match]!;
      matched[match] = 1;
      positional[i] = 1;
      j = match + 1;
      const earlier = before.sockets[match]!;
      if (sameShown(socket, earlier) && socket.exposure === earlier.exposure) listed[i] = earlier;
      else {
        listed[i] = socket;
        fieldsChanged = true;
      }
      continue;
    }
    listed[i] = socket;
    byKey++;
    const key = socketKey(socket);
    keys[i] = key;
    const earlier = previousSeen?.get(key);
    if (earlier !== undefined) {
      // Listed before, out of order: rare enough to count as a change without comparing fields.
      seen[i] = earlier;
      fieldsChanged = true;
    } else if (previous) {
      seen[i] = now;
      appeared++;
      if (isListener(socket)) opened.push({at: now, change: 'opened', socket});
    } else {
      seen[i] = baselineTime;
    }
  }

  let firstSeen: Map<string, number>;
  let repeats: Map<string, number>;
  let gone = 0;
  const closedNow: SocketEvent[] = [];
  const reshaped = !previous || byKey > 0 || matched.includes(0);
  if (!previous) {
    firstSeen = new Map();
    repeats = new Map();
    for (let i = 0; i < count; i++) addCopy(firstSeen, repeats, keys[i]!, seen[i]!);
  } else {
    firstSeen = previous.firstSeen;
    repeats = previous.repeats;
  }
  if (previous && reshaped) {
    // Only sockets that were not matched by position can have come or gone: take the ones that
    // left out of the map, then put the ones that arrived (or moved) in.
    const left: number[] = [];
    for (let k = 0; k < beforeCount; k++) {
      if (!matched[k]) left.push(k);
    }
    for (const k of left) removeCopy(firstSeen, repeats, before.keys[k]!);
    for (let i = 0; i < count; i++) {
      if (!positional[i]) addCopy(firstSeen, repeats, keys[i]!, seen[i]!);
    }
    for (const k of left) {
      if (firstSeen.has(before.keys[k]!)) continue;
      gone++;
      const socket = before.sockets[k]!;
      if (isListener(socket)) closedNow.push({at: now, change: 'closed', socket});
    }
  }

  let nextExpiry = Number.POSITIVE_INFINITY;
  if (reshaped || now >= previous.nextExpiry) {
    for (let i = 0; i < count; i++) {
      const expiry = seen[i]! + highlightMs;
      if (expiry > now && expiry < nextExpiry) nextExpiry = expiry;
    }
  } else {
    nextExpiry = previous.nextExpiry;
  }

  let closed = previous?.closed ?? [];
  const keptClosed = closed.filter(
    (entry) => entry.closedAt + closedMs > now && !firstSeen.has(socketKey(entry.socket)),
  );
  const closedChanged = keptClosed.length !== closed.length || closedNow.length > 0;
  if (closedChanged) {
    closed = keptClosed.concat(closedNow.map((event) => ({socket: event.socket, closedAt: now})));
  }
  for (const entry of closed) {
    if (entry.closedAt + closedMs < nextExpiry) nextExpiry = entry.closedAt + closedMs;
  }

  let events = previous?.events ?? [];
  let newlyExposed = previous?.newlyExposed;
  if (closedNow.length > 0 || opened.length > 0) {
    events = events.concat(closedNow, opened);
    if (events.length > maxEvents) events = events.slice(events.length - maxEvents);
    for (const event of opened)
      if (event.socket.exposure === 'all-interfaces') newlyExposed = event;
  }

  const changed =
    !previous ||
    appeared > 0 ||
    gone > 0 ||
    count !== beforeCount ||
    fieldsChanged ||
    closedChanged ||
    now >= previous.nextExpiry;

  return {
    firstSeen,
    repeats,
    closed,
    events,
    newlyExposed,
    changed,
    highlightMs,
    at: now,
    nextExpiry,
    listing: {sockets: listed, keys, seen},
  };
}
