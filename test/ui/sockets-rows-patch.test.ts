import {describe, expect, it} from 'vitest';
import {trackSocketChanges, type SocketTracker} from '../../source/collect/sockets/changes.js';
import {createListingDecoder, createListingEncoder} from '../../source/fleet/listing-codec.js';
import {initialSocketsView, type SocketSort} from '../../source/store/sockets-view-state.js';
import type {Socket, SocketState} from '../../source/model.js';
import {
  createRowsMemo,
  patchedRows,
  socketRows,
  stateCounts,
} from '../../source/ui/sockets/sockets-view.js';

/** A small deterministic generator, so that a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const states: SocketState[] = ['LISTEN', 'ESTAB', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT'];

function socketFrom(next: () => number): Socket {
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  const protocol = pick(['tcp', 'udp'] as const);
  const family = pick([4, 6] as const);
  const state = protocol === 'udp' ? pick(['UNCONN', 'ESTAB'] as const) : pick(states);
  const owned = next() < 0.7;
  return {
    protocol,
    family,
    state,
    localAddress: family === 4 ? pick(['127.0.0.1', '0.0.0.0', '10.0.0.2']) : pick(['::1', '::']),
    // Few ports, so that sorts meet ties and the comparator's later fields decide.
    localPort: pick([22, 80, 443, 8080, 40000 + Math.floor(next() * 5)]),
    peerAddress:
      state === 'LISTEN' ? (family === 4 ? '0.0.0.0' : '::') : pick(['127.0.0.1', '::1']),
    peerPort: state === 'LISTEN' ? 0 : pick([0, 5000, 5001, 6000]),
    recvQ: pick([0, 0, 3, 100]),
    sendQ: pick([0, 7]),
    pid: owned ? pick([100, 200, 300]) : null,
    process: owned ? pick(['nginx', 'node', 'sshd']) : null,
    exposure: pick(['loopback', 'all-interfaces', 'address'] as const),
    inode: Math.floor(next() * 1e6),
  };
}

/** The next listing: some sockets gone, some changed, some new, in kept order mostly. */
function nextListing(before: readonly Socket[], next: () => number): Socket[] {
  const after: Socket[] = [];
  for (const socket of before) {
    const roll = next();
    if (roll < 0.1) continue;
    if (roll < 0.2) after.push({...socket, recvQ: socket.recvQ + 1, state: 'ESTAB'});
    else after.push({...socket});
    if (next() < 0.08) after.push(socketFrom(next));
  }
  if (next() < 0.3 && after.length > 2) {
    // A socket listed out of order.
    const [moved] = after.splice(Math.floor(next() * after.length), 1);
    after.push(moved!);
  }
  return after;
}

function countedByHand(sockets: readonly Socket[]): Array<[SocketState, number]> {
  const counts: Partial<Record<SocketState, number>> = {};
  for (const {state} of sockets) counts[state] = (counts[state] ?? 0) + 1;
  return (Object.entries(counts) as Array<[SocketState, number]>).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
}

describe('the rows patched from the last listing', () => {
  const sorts: SocketSort[] = ['port', 'state', 'process', 'queue'];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`equal a full filter and sort of every listing (seed ${seed})`, () => {
      const next = random(seed);
      const encoder = createListingEncoder();
      const decoder = createListingDecoder();
      let tracker: SocketTracker | undefined;
      let raw: Socket[] = Array.from({length: 300}, () => socketFrom(next));
      let now = 1_000_000;
      const view = {
        ...initialSocketsView,
        showAll: next() < 0.7,
        udp: next() < 0.8,
        ipv6: next() < 0.8,
        filter: ['', '', 'nginx', ':80', 'estab'][seed % 5]!,
        sort: sorts[seed % sorts.length]!,
      };
      let rows: ReturnType<typeof socketRows> | undefined;
      let patchedCount = 0;
      for (let poll = 0; poll < 25; poll++) {
        tracker = trackSocketChanges(tracker, raw, now, {closedMs: 3000});
        const listing = decoder.decode(structuredClone(encoder.encode(tracker.listing)));
        // Rebuilt as sent, whether by edits of the last listing or by joining its runs.
        expect(listing.sockets).toEqual(tracker.listing.sockets);
        expect(listing.keys).toEqual(tracker.listing.keys);
        expect(listing.seen).toEqual(tracker.listing.seen);
        const full = socketRows(listing.sockets, view, {listing, closed: tracker.closed});
        const patched = rows && patchedRows(rows, listing, view, tracker.closed);
        if (patched) {
          patchedCount++;
          expect(Array.from(patched.order)).toEqual(Array.from(full.order));
          expect(patched.keys).toBe(listing.keys);
        }
        expect(stateCounts(listing.sockets, listing)).toEqual(countedByHand(listing.sockets));
        rows = patched ?? full;
        raw = nextListing(listing.sockets, next);
        now += 1000;
      }
      // Most polls keep their sockets in order: the patch must have been taken, not only refused.
      expect(patchedCount).toBeGreaterThan(10);
    });
  }

  it('are refused for a listing not made from the rows given', () => {
    const next = random(99);
    const encoder = createListingEncoder();
    const decoder = createListingDecoder();
    const first = trackSocketChanges(
      undefined,
      Array.from({length: 50}, () => socketFrom(next)),
      1,
    );
    const one = decoder.decode(encoder.encode(first.listing));
    const two = decoder.decode(encoder.encode(trackSocketChanges(first, [], 2).listing));
    const rows = socketRows(two.sockets, initialSocketsView, {listing: two});
    const three = decoder.decode(encoder.encode(first.listing));
    expect(one.change).toBeUndefined();
    expect(patchedRows(rows, three, initialSocketsView, [])).toBeDefined();
    expect(
      patchedRows(socketRows(one.sockets, initialSocketsView, {}), three, initialSocketsView, []),
    ).toBeUndefined();
  });

  it('are what the memo gives, and a changed view sorts again', () => {
    const next = random(7);
    const encoder = createListingEncoder();
    const decoder = createListingDecoder();
    const memo = createRowsMemo();
    let tracker = trackSocketChanges(
      undefined,
      Array.from({length: 200}, () => socketFrom(next)),
      1,
    );
    let listing = decoder.decode(encoder.encode(tracker.listing));
    const view = {...initialSocketsView, showAll: true};
    memo({sockets: listing.sockets, socketsView: view, socketTracker: {...tracker, listing}});
    for (let poll = 2; poll < 10; poll++) {
      tracker = trackSocketChanges(tracker, nextListing(listing.sockets, next), poll * 1000);
      listing = decoder.decode(encoder.encode(tracker.listing));
      for (const shown of [view, {...view, sort: 'queue' as const}]) {
        const input = {
          sockets: listing.sockets,
          socketsView: shown,
          socketTracker: {...tracker, listing},
        };
        const full = socketRows(listing.sockets, shown, {listing, closed: tracker.closed});
        expect(Array.from(memo(input).order)).toEqual(Array.from(full.order));
      }
    }
  });
});
