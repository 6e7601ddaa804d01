/**
 * A socket listing sent across a thread as a difference from the last one sent, so that the
 * receiving thread pays for what changed, not for the whole listing: structured-cloning 100k
 * sockets takes longer than the poll that read them (see worker-feed.ts for the figures).
 *
 * The sender keeps the listing it last sent. A socket of the new listing that is the same object
 * under the same key at some index of the last one is sent as that index; the others are sent
 * whole. Runs of consecutive indexes are sent as one `[from, length]` pair, so a listing in which
 * few sockets changed costs a few pairs, the new sockets and the first-seen times (one typed
 * array, copied as a block). The receiver rebuilds the listing from its own copy of the last one,
 * keeping the objects of unchanged sockets: the dashboard's row memo relies on their identity.
 * The rebuilt listing carries its runs and the last listing's sockets (its `change`), so that the
 * rows memo and the state counts patch what they made of the last one instead of starting over.
 */
import type {Listing} from '../collect/sockets/changes.js';
import type {Container, PublishedPort, Socket} from '../model.js';

export type EncodedListing = {
  /** Which sent listing this one differs from (0: none, the listing is sent whole). */
  base: number;
  /** This listing's number, the base of the next. */
  sequence: number;
  /** Pairs: `[from, length]` takes `length` sockets of the base from `from`; `from` -1 takes them from `added`. */
  runs: Int32Array;
  added: Socket[];
  addedKeys: string[];
  addedSeen: number[];
};

export type ListingEncoder = {encode(listing: Listing): EncodedListing};
export type ListingDecoder = {decode(encoded: EncodedListing): Listing};

export function createListingEncoder(): ListingEncoder {
  let last: Listing | undefined;
  let sequence = 0;
  return {
    encode(listing) {
      const runs: number[] = [];
      const added: Socket[] = [];
      const addedKeys: string[] = [];
      const addedSeen: number[] = [];
      const {sockets, keys, seen} = listing;
      const before = last ?? {sockets: [], keys: [], seen: []};
      // Where each socket of the last listing was: built only once one is not where expected.
      let index: Map<Socket, number> | undefined;
      const find = (socket: Socket, expected: number): number | undefined => {
        if (before.sockets[expected] === socket) return expected;
        if (!index) {
          index = new Map();
          for (let at = 0; at < before.sockets.length; at++) index.set(before.sockets[at]!, at);
        }
        return index.get(socket);
      };
      let runFrom = -2;
      let runLength = 0;
      let expected = 0;
      const close = () => {
        if (runLength > 0) runs.push(runFrom, runLength);
        runLength = 0;
      };
      for (let at = 0; at < sockets.length; at++) {
        const socket = sockets[at]!;
        const from = find(socket, expected);
        // Kept: the same object under the same key, first seen at the same time.
        if (
          from !== undefined &&
          before.keys[from] === keys[at] &&
          before.seen[from] === seen[at]
        ) {
          if (runFrom < 0 || from !== expected) {
            close();
            runFrom = from;
          }
          runLength++;
          expected = from + 1;
          continue;
        }
        added.push(socket);
        addedKeys.push(keys[at]!);
        addedSeen.push(seen[at]!);
        if (runFrom !== -1) {
          close();
          runFrom = -1;
        }
        runLength++;
      }
      close();
      const base = last ? sequence : 0;
      sequence++;
      last = listing;
      return {base, sequence, runs: Int32Array.from(runs), added, addedKeys, addedSeen};
    },
  };
}

/** Joins the parts: a few runs are copied as blocks (concat and slice copy in bulk). */
function joined<T>(parts: T[][]): T[] {
  if (parts.length === 1) return parts[0]!;
  if (parts.length <= 1000) return ([] as T[]).concat(...parts);
  const all: T[] = [];
  for (const part of parts) for (const each of part) all.push(each);
  return all;
}

/**
 * One string for each spelling of the sockets' repeated fields. A structured clone makes a new
 * string for every occurrence (it shares objects, not strings), so 100k cloned sockets came with
 * 600k strings, most of them `127.0.0.1`, `ESTAB`, `tcp` or a process name over again.
 *
 * A container and a published port are objects that the reader hands out once per container and
 * kept while unchanged, and the tracker compares them by identity (changes.ts): a socket sent
 * again gets the object this thread already has for the same value, so a row re-sent unchanged
 * is not a changed row. Few sockets have either; the rest pay one test each.
 */
function createInterner(limit = 65_536) {
  let spellings = new Map<string, string>();
  const one = (text: string): string => {
    const known = spellings.get(text);
    if (known !== undefined) return known;
    if (spellings.size >= limit) spellings = new Map();
    spellings.set(text, text);
    return text;
  };
  let containers = new Map<string, Container>();
  let ports = new Map<string, PublishedPort>();
  const shared = <T>(kept: Map<string, T>, key: string, value: T): T => {
    const known = kept.get(key);
    if (known !== undefined) return known;
    kept.set(key, value);
    return value;
  };
  const container = (value: Container): Container => {
    if (containers.size >= limit) containers = new Map();
    const {engine, id, name} = value;
    return shared(containers, JSON.stringify([engine, id, name]), value);
  };
  const published = (value: PublishedPort): PublishedPort => {
    if (ports.size >= limit) ports = new Map();
    const {containerAddress, containerPort, container: name} = value;
    return shared(ports, JSON.stringify([containerAddress, containerPort, name]), value);
  };
  return (socket: Socket) => {
    socket.protocol = one(socket.protocol) as Socket['protocol'];
    socket.state = one(socket.state) as Socket['state'];
    socket.localAddress = one(socket.localAddress);
    socket.peerAddress = one(socket.peerAddress);
    socket.exposure = one(socket.exposure) as Socket['exposure'];
    if (socket.process !== null) socket.process = one(socket.process);
    if (socket.container) socket.container = container(socket.container);
    if (socket.published) socket.published = published(socket.published);
  };
}

/**
 * The listing as the last one with a few edits, when the runs take the last one in order with few
 * gaps and few new sockets: a copy of each whole array and a splice per edit (each a block move)
 * cost less than slicing every run and joining the slices (~12 ms a poll at 100k sockets).
 * Undefined when the runs are not such.
 */
function edited(last: Listing, encoded: EncodedListing, limit = 32): Listing | undefined {
  const {runs, added, addedKeys, addedSeen} = encoded;
  if (runs.length > 4 * limit || added.length > 4096) return undefined;
  // The edits, in order: at `at` of the new listing, drop `drop` of the last one's and insert
  // `length` new ones from `from` of `added` (`length` 0: none).
  const edits: Array<{at: number; drop: number; from: number; length: number}> = [];
  let oldNext = 0;
  let at = 0;
  let next = 0;
  for (let pair = 0; pair < runs.length; pair += 2) {
    const from = runs[pair]!;
    const length = runs[pair + 1]!;
    if (from === -1) {
      edits.push({at, drop: 0, from: next, length});
      next += length;
    } else {
      if (from < oldNext || from + length > last.sockets.length) return undefined;
      if (from > oldNext) edits.push({at, drop: from - oldNext, from: 0, length: 0});
      oldNext = from + length;
    }
    at += length;
  }
  if (next !== added.length) return undefined;
  const dropTail = last.sockets.length - oldNext;
  if (edits.length > limit) return undefined;
  const apply = <T>(before: readonly T[], fresh: readonly T[]): T[] => {
    const all = before.slice();
    for (const edit of edits) {
      if (edit.length === 0) all.splice(edit.at, edit.drop);
      else all.splice(edit.at, edit.drop, ...fresh.slice(edit.from, edit.from + edit.length));
    }
    if (dropTail > 0) all.length = at;
    return all;
  };
  return {
    sockets: apply(last.sockets, added),
    keys: apply(last.keys, addedKeys),
    seen: apply(last.seen, addedSeen),
  };
}

export function createListingDecoder(): ListingDecoder {
  let last: Listing = {sockets: [], keys: [], seen: []};
  let sequence = 0;
  const intern = createInterner();
  return {
    decode(encoded) {
      if (encoded.base !== 0 && encoded.base !== sequence) {
        throw new Error(`listing ${encoded.sequence} is based on ${encoded.base}, not ${sequence}`);
      }
      const {runs, added, addedKeys, addedSeen} = encoded;
      // The received sockets are this thread's own copies: their strings can be shared.
      for (const socket of added) intern(socket);
      const quick = encoded.base === 0 ? undefined : edited(last, encoded);
      if (quick) {
        last = {...quick, change: {previous: last.sockets, runs}};
        sequence = encoded.sequence;
        return last;
      }
      const sockets: Socket[][] = [];
      const keys: string[][] = [];
      const seen: number[][] = [];
      let next = 0;
      for (let pair = 0; pair < runs.length; pair += 2) {
        const from = runs[pair]!;
        const length = runs[pair + 1]!;
        const [source, start] =
          from === -1 ? [{sockets: added, keys: addedKeys, seen: addedSeen}, next] : [last, from];
        if ((from !== -1 && encoded.base === 0) || start + length > source.sockets.length) {
          throw new Error(`listing ${encoded.sequence} does not add up`);
        }
        sockets.push(source.sockets.slice(start, start + length));
        keys.push(source.keys.slice(start, start + length));
        seen.push(source.seen.slice(start, start + length));
        if (from === -1) next += length;
      }
      if (next !== added.length) throw new Error(`listing ${encoded.sequence} does not add up`);
      const change = encoded.base === 0 ? undefined : {previous: last.sockets, runs};
      last = {sockets: joined(sockets), keys: joined(keys), seen: joined(seen)};
      if (change) last = {...last, change};
      sequence = encoded.sequence;
      return last;
    },
  };
}
