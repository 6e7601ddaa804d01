import {describe, expect, it} from 'vitest';
import {
  baselineTime,
  isListener,
  isNewSocket,
  socketKey,
  trackSocketChanges,
} from '../../source/collect/sockets/changes.js';
import type {Socket} from '../../source/model.js';

function socket(overrides: Partial<Socket> = {}): Socket {
  return {
    protocol: 'tcp',
    family: 4,
    state: 'ESTAB',
    localAddress: '127.0.0.1',
    localPort: 8080,
    peerAddress: '127.0.0.1',
    peerPort: 50_000,
    recvQ: 0,
    sendQ: 0,
    pid: 100,
    process: 'server',
    exposure: 'loopback',
    inode: 1,
    ...overrides,
  };
}

const listener = (port: number, overrides: Partial<Socket> = {}) =>
  socket({
    state: 'LISTEN',
    localAddress: '127.0.0.1',
    localPort: port,
    peerAddress: '0.0.0.0',
    peerPort: 0,
    ...overrides,
  });

const publicListener = (port: number) =>
  listener(port, {localAddress: '0.0.0.0', exposure: 'all-interfaces'});

/** Fresh objects with the same fields, as each poll delivers them. */
const copies = (sockets: readonly Socket[]) => sockets.map((entry) => ({...entry}));

describe('socketKey and isListener', () => {
  it('tells sockets apart by protocol, family and both endpoints, not by state or owner', () => {
    const base = socket();
    const sameEndpoints: Socket = {...base, state: 'CLOSE-WAIT', pid: 7, recvQ: 9};
    expect(socketKey(base)).toBe(socketKey(sameEndpoints));
    expect(socketKey(base)).not.toBe(socketKey({...base, protocol: 'udp'}));
    expect(socketKey(base)).not.toBe(socketKey({...base, peerPort: 50_001}));
    expect(socketKey(base)).not.toBe(socketKey({...base, localAddress: '127.0.0.2'}));
    const v6 = socket({family: 6, localAddress: '::1', peerAddress: '::1'});
    expect(socketKey(v6)).toBe('tcp6 [::1]:8080 [::1]:50000');
    expect(socketKey(base)).toBe('tcp4 127.0.0.1:8080 127.0.0.1:50000');
  });

  it('counts TCP LISTEN and unconnected UDP as listeners', () => {
    expect(isListener(listener(80))).toBe(true);
    expect(isListener(socket())).toBe(false);
    expect(isListener(socket({protocol: 'udp', state: 'UNCONN', peerPort: 0}))).toBe(true);
    expect(isListener(socket({protocol: 'udp', state: 'ESTAB', peerPort: 53}))).toBe(false);
  });
});

describe('trackSocketChanges', () => {
  it('takes the first listing as baseline: nothing is new, no events', () => {
    const sockets = [listener(80), publicListener(443), socket()];
    const tracker = trackSocketChanges(undefined, sockets, 1000);
    expect([...tracker.firstSeen.values()]).toEqual([baselineTime, baselineTime, baselineTime]);
    expect(tracker.events).toEqual([]);
    expect(tracker.newlyExposed).toBeUndefined();
    expect(tracker.changed).toBe(true);
    expect(sockets.some((entry) => isNewSocket(tracker, entry, 1000))).toBe(false);
  });

  it('gives a socket that appears later its time and highlights it for highlightMs', () => {
    const first = trackSocketChanges(undefined, [listener(80)], 1000);
    const arrival = socket({localPort: 80, peerPort: 41_000});
    const second = trackSocketChanges(first, [listener(80), arrival], 2000);
    expect(second.firstSeen.get(socketKey(arrival))).toBe(2000);
    expect(second.firstSeen.get(socketKey(listener(80)))).toBe(baselineTime);
    expect(isNewSocket(second, arrival, 2000 + 3999)).toBe(true);
    expect(isNewSocket(second, arrival, 2000 + 4000)).toBe(false);
    // Connections are not listeners: no event for them.
    expect(second.events).toEqual([]);
  });

  it('keeps the first-seen time of a socket that stays', () => {
    let tracker = trackSocketChanges(undefined, [], 0);
    tracker = trackSocketChanges(tracker, [socket()], 1000);
    tracker = trackSocketChanges(tracker, [socket({peerPort: 1}), socket()], 2000);
    tracker = trackSocketChanges(tracker, copies([socket(), socket({peerPort: 1})]), 3000);
    expect(tracker.firstSeen.get(socketKey(socket()))).toBe(1000);
    expect(tracker.firstSeen.get(socketKey(socket({peerPort: 1})))).toBe(2000);
  });

  it('records an opened listener and the latest one opened on all interfaces', () => {
    const first = trackSocketChanges(undefined, [listener(80)], 0);
    const second = trackSocketChanges(first, [listener(80), publicListener(8080)], 1000);
    expect(second.events).toEqual([{at: 1000, change: 'opened', socket: publicListener(8080)}]);
    expect(second.newlyExposed).toEqual({at: 1000, change: 'opened', socket: publicListener(8080)});
    const third = trackSocketChanges(
      second,
      [listener(80), publicListener(8080), listener(9000), publicListener(9090)],
      2000,
    );
    expect(third.events.map((event) => `${event.change} ${event.socket.localPort}`)).toEqual([
      'opened 8080',
      'opened 9000',
      'opened 9090',
    ]);
    expect(third.newlyExposed?.socket.localPort).toBe(9090);
    // A loopback listener does not replace the latest exposed one.
    const fourth = trackSocketChanges(third, [...third.listing.sockets, listener(7000)], 3000);
    expect(fourth.newlyExposed?.socket.localPort).toBe(9090);
  });

  it('keeps a closed listener in `closed` for closedMs, then drops it', () => {
    const first = trackSocketChanges(undefined, [listener(80), listener(81), socket()], 0);
    const second = trackSocketChanges(first, [listener(80)], 1000, {closedMs: 5000});
    expect(second.closed).toEqual([{socket: listener(81), closedAt: 1000}]);
    // The connection that went away is not a listener: no closed entry, no event.
    expect(second.events).toEqual([{at: 1000, change: 'closed', socket: listener(81)}]);
    const still = trackSocketChanges(second, [listener(80)], 5999, {closedMs: 5000});
    expect(still.closed).toHaveLength(1);
    const expired = trackSocketChanges(still, [listener(80)], 6000, {closedMs: 5000});
    expect(expired.closed).toEqual([]);
    expect(expired.changed).toBe(true); // the closed row leaves the screen
  });

  it('takes a listener that comes back out of `closed` and records it opened again', () => {
    const first = trackSocketChanges(undefined, [listener(80)], 0);
    const gone = trackSocketChanges(first, [], 1000);
    expect(gone.closed).toHaveLength(1);
    const back = trackSocketChanges(gone, [listener(80)], 2000);
    expect(back.closed).toEqual([]);
    expect(back.events.map((event) => event.change)).toEqual(['closed', 'opened']);
    expect(back.firstSeen.get(socketKey(listener(80)))).toBe(2000);
  });

  it('caps events at maxEvents, keeping the newest', () => {
    let tracker = trackSocketChanges(undefined, [], 0);
    for (let i = 1; i <= 12; i++) {
      tracker = trackSocketChanges(tracker, [listener(1000 + i)], i * 1000, {maxEvents: 5});
    }
    expect(tracker.events).toHaveLength(5);
    const last = tracker.events.at(-1);
    expect(last).toMatchObject({at: 12_000, change: 'opened'});
    expect(last?.socket.localPort).toBe(1012);
    // 23 events in all (1 opened, then a closed and an opened per listing); the last 5 remain.
    expect(tracker.events.map((event) => `${event.at} ${event.change}`)).toEqual([
      '10000 opened',
      '11000 closed',
      '11000 opened',
      '12000 closed',
      '12000 opened',
    ]);
  });

  it('reports no change for the same listing again, as new objects', () => {
    const sockets = [listener(80), socket(), socket({peerPort: 2, state: 'TIME-WAIT', inode: 0})];
    const first = trackSocketChanges(undefined, sockets, 0);
    const second = trackSocketChanges(first, copies(sockets), 10_000);
    expect(second.changed).toBe(false);
    expect(second.firstSeen).toBe(first.firstSeen);
    expect(second.events).toBe(first.events);
  });

  it.each([
    ['state', {state: 'CLOSE-WAIT'}],
    ['Recv-Q', {recvQ: 5}],
    ['Send-Q', {sendQ: 5}],
    ['pid', {pid: 200}],
    ['process', {process: 'other'}],
  ] as const)('reports a change when %s changes', (_name, change) => {
    const first = trackSocketChanges(undefined, [listener(80), socket()], 0);
    const second = trackSocketChanges(first, [listener(80), socket(change)], 10_000);
    expect(second.changed).toBe(true);
    const third = trackSocketChanges(second, [listener(80), socket(change)], 20_000);
    expect(third.changed).toBe(false);
  });

  it('reports a change when a socket goes, comes, or a highlight ends', () => {
    const first = trackSocketChanges(undefined, [listener(80), socket()], 0);
    expect(trackSocketChanges(first, [listener(80)], 1000).changed).toBe(true);
    const arrived = trackSocketChanges(first, [listener(80), socket(), listener(81)], 1000);
    expect(arrived.changed).toBe(true);
    const during = trackSocketChanges(arrived, copies(arrived.listing.sockets), 2000);
    expect(during.changed).toBe(false);
    const after = trackSocketChanges(during, copies(arrived.listing.sockets), 5000);
    expect(after.changed).toBe(true); // the highlight of :81 ended at 5000
    expect(trackSocketChanges(after, copies(arrived.listing.sockets), 6000).changed).toBe(false);
  });

  it('matches a reordered listing by key, keeping first-seen times and finding no events', () => {
    const sockets = Array.from({length: 40}, (_, index) => socket({peerPort: 1000 + index}));
    let tracker = trackSocketChanges(undefined, [listener(80), ...sockets], 0);
    tracker = trackSocketChanges(tracker, [listener(80), ...sockets, listener(81)], 1000);
    const shuffled = [listener(81), ...copies(sockets).reverse(), listener(80)];
    const next = trackSocketChanges(tracker, shuffled, 2000);
    expect(next.events).toHaveLength(1); // only the earlier "opened 81"
    expect(next.closed).toEqual([]);
    expect(next.firstSeen.get(socketKey(listener(81)))).toBe(1000);
    expect(next.firstSeen.get(socketKey(sockets[0]!))).toBe(baselineTime);
    expect(next.firstSeen.size).toBe(42);
  });

  it('handles a key listed twice (SO_REUSEPORT listeners)', () => {
    const first = trackSocketChanges(
      undefined,
      [listener(80, {pid: 1}), listener(80, {pid: 2})],
      0,
    );
    const second = trackSocketChanges(first, [listener(80, {pid: 1})], 1000);
    // One of the two left, the key is still listed: no closed listener.
    expect(second.closed).toEqual([]);
    expect(second.changed).toBe(true);
    expect(second.firstSeen.get(socketKey(listener(80)))).toBe(baselineTime);
  });

  it('keeps the first-seen map equal to the listing along a chain of random listings', () => {
    // A small seeded generator, so a failure names the step that broke.
    let state = 7;
    const next = () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
    // Listeners 8000-8009 may be listed twice (SO_REUSEPORT); connections once.
    const pool = [
      ...Array.from({length: 10}, (_, index) => listener(8000 + index)),
      ...Array.from({length: 60}, (_, index) => socket({peerPort: 40_000 + index})),
    ];
    let listing: Socket[] = pool.filter(() => next() < 0.5);
    let tracker = trackSocketChanges(undefined, listing, 0);
    for (let step = 1; step <= 300; step++) {
      // Keep most in place, drop some, insert some anywhere, now and then move a run.
      listing = listing.filter(() => next() > 0.1);
      for (let n = Math.floor(next() * 6); n > 0; n--) {
        const entry = pool[Math.floor(next() * pool.length)]!;
        const taken = listing.filter((s) => socketKey(s) === socketKey(entry)).length;
        if (taken === 0 || (entry.state === 'LISTEN' && taken === 1))
          listing.splice(Math.floor(next() * (listing.length + 1)), 0, {...entry});
      }
      if (next() < 0.1)
        listing = [...listing.slice(listing.length >> 1), ...listing.slice(0, listing.length >> 1)];
      const previous = tracker;
      const before = new Set(previous.listing.keys);
      tracker = trackSocketChanges(tracker, listing, step * 1000);
      const keys = listing.map(socketKey);
      const counts = new Map<string, number>();
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      expect([...tracker.firstSeen.keys()].sort(), `step ${step}`).toEqual(
        [...counts.keys()].sort(),
      );
      for (const [key, copies] of counts) {
        expect(tracker.repeats.get(key), `step ${step} ${key}`).toBe(
          copies > 1 ? copies - 1 : undefined,
        );
      }
      // A socket listed before keeps its time; a new one has this step's.
      keys.forEach((key, index) => {
        const time = tracker.listing.seen[index];
        if (before.has(key)) expect(time, `step ${step} ${key}`).toBeLessThan(step * 1000);
        else expect(time, `step ${step} ${key}`).toBe(step * 1000);
      });
      const closed = tracker.events.filter(
        (event) => event.at === step * 1000 && event.change === 'closed',
      );
      for (const event of closed) expect(counts.has(socketKey(event.socket))).toBe(false);
    }
  });

  it('tracks 100k sockets with churn', () => {
    const many = Array.from({length: 100_000}, (_, index) =>
      socket({localPort: 1024 + (index % 60_000), peerPort: 30_000 + Math.floor(index / 60_000)}),
    );
    let tracker = trackSocketChanges(undefined, many, 0);
    const churned = many.map((entry, index) =>
      index % 100 === 0 ? {...entry, peerPort: entry.peerPort + 10} : entry,
    );
    tracker = trackSocketChanges(tracker, churned, 1000);
    expect(tracker.firstSeen.size).toBe(100_000);
    expect(tracker.changed).toBe(true);
    expect(tracker.firstSeen.get(socketKey(churned[100]!))).toBe(1000);
    expect(tracker.firstSeen.get(socketKey(churned[101]!))).toBe(baselineTime);
    expect(trackSocketChanges(tracker, copies(churned), 2000).changed).toBe(false);
  });
});
