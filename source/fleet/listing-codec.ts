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
 */
import type {Listing} from '../collect/sockets/changes.js';
import type {Socket} from '../model.js';

export type EncodedListing = {
  /** Which sent listing this one differs from (0: none, the listing is sent whole). */
  base: number;
  /** This listing's number, the base of the next. */
  sequence: number;
  /** Pairs: `[from, length]` takes `length` sockets of the base from `from`; `from` -1 takes them from `added`. */
  runs: Int32Array;
  added: Socket[];
  addedKeys: string[];
  /** Every socket's first-seen time, in order. */
  seen: Float64Array;
};

export type ListingEncoder = {encode(listing: Listing): EncodedListing};
export type ListingDecoder = {decode(encoded: EncodedListing): Listing};

export function createListingEncoder(): ListingEncoder {
  let last: Listing | undefined;
  let sequence = 0;
  return {
    encode(listing) {
      const index = new Map<Socket, number>();
      if (last) {
        const previous = last.sockets;
        for (let at = 0; at < previous.length; at++) index.set(previous[at]!, at);
      }
      const runs: number[] = [];
      const added: Socket[] = [];
      const addedKeys: string[] = [];
      const {sockets, keys} = listing;
      let runFrom = -2;
      let runLength = 0;
      let runNext = -2;
      const close = () => {
        if (runLength > 0) runs.push(runFrom, runLength);
        runLength = 0;
      };
      for (let at = 0; at < sockets.length; at++) {
        const socket = sockets[at]!;
        const key = keys[at]!;
        const from = index.get(socket);
        const kept = from !== undefined && last!.keys[from] === key;
        if (kept) {
          if (runFrom >= 0 && from === runNext) {
            runLength++;
            runNext++;
            continue;
          }
          close();
          runFrom = from;
          runLength = 1;
          runNext = from + 1;
          continue;
        }
        added.push(socket);
        addedKeys.push(key);
        if (runFrom === -1) {
          runLength++;
          continue;
        }
        close();
        runFrom = -1;
        runLength = 1;
      }
      close();
      const base = last ? sequence : 0;
      sequence++;
      last = listing;
      return {
        base,
        sequence,
        runs: Int32Array.from(runs),
        added,
        addedKeys,
        seen: Float64Array.from(listing.seen),
      };
    },
  };
}

export function createListingDecoder(): ListingDecoder {
  let last: Listing | undefined;
  let sequence = 0;
  return {
    decode(encoded) {
      if (encoded.base !== 0 && (encoded.base !== sequence || !last)) {
        throw new Error(`listing ${encoded.sequence} is based on ${encoded.base}, not ${sequence}`);
      }
      const sockets: Socket[] = new Array<Socket>(encoded.seen.length);
      const keys: string[] = new Array<string>(encoded.seen.length);
      const {runs, added, addedKeys} = encoded;
      let at = 0;
      let next = 0;
      for (let pair = 0; pair < runs.length; pair += 2) {
        const from = runs[pair]!;
        const length = runs[pair + 1]!;
        if (from === -1) {
          for (let taken = 0; taken < length; taken++, next++, at++) {
            sockets[at] = added[next]!;
            keys[at] = addedKeys[next]!;
          }
          continue;
        }
        const base = last!;
        for (let taken = 0; taken < length; taken++, at++) {
          sockets[at] = base.sockets[from + taken]!;
          keys[at] = base.keys[from + taken]!;
        }
      }
      if (at !== encoded.seen.length || next !== added.length) {
        throw new Error(`listing ${encoded.sequence} does not add up`);
      }
      const listing: Listing = {sockets, keys, seen: Array.from(encoded.seen)};
      last = listing;
      sequence = encoded.sequence;
      return listing;
    },
  };
}
