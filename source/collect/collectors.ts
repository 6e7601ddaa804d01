/**
 * The collectors of this machine: each reads one part of the system and hands its patch to the
 * host's sink. Each keeps its own memory (the last interfaces, the last counter sample, the socket
 * tracker); what it writes is plain data, never that memory.
 */
import {isDeepStrictEqual} from 'node:util';
import type {HostSink, SocketChanges} from '../fleet/types.js';
import type {FirewallReading, NetworkInterface, Traffic} from '../model.js';
import type {Collector} from './poller.js';
import {readFirewall, type FirewallOptions} from './firewall.js';
import {createInterfacesReader, defaultRoots, type SystemRoots} from './interfaces.js';
import {nextTraffic, readCounters, type CounterSample} from './traffic.js';
import {createSocketsReader} from './sockets/index.js';
import {trackSocketChanges, type SocketTracker} from './sockets/changes.js';

export type CollectorOptions = Partial<SystemRoots> & {
  socketSource?: 'auto' | 'proc' | 'systeminformation';
  /** The interval in use, for how much rate history to keep. Default 1 s. */
  intervalMs?: () => number;
  /** How the packet filter is read (a command prefix, the tools' path). */
  firewall?: FirewallOptions;
};

/** How much rate history to keep: one minute of samples, and never more than 600. */
export function historyLength(intervalMs: number): number {
  return Math.min(600, Math.ceil(60_000 / intervalMs));
}

/** What the store keeps of a tracker: its outputs, not its working maps. */
export function socketChangesOf(tracker: SocketTracker): SocketChanges {
  return {
    listing: tracker.listing,
    closed: tracker.closed,
    events: tracker.events,
    newlyExposed: tracker.newlyExposed,
    highlightMs: tracker.highlightMs,
    at: tracker.at,
    nextExpiry: tracker.nextExpiry,
  };
}

export function interfacesCollector(sink: HostSink, roots: SystemRoots): Collector {
  const reader = createInterfacesReader(roots);
  let last: NetworkInterface[] | undefined;
  return {
    name: 'interfaces',
    // The first frame shows them: read before the others at start.
    first: true,
    // Link facts change rarely; the portable reader is slow, so it runs even less often.
    every: reader.portable ? 10 : 3,
    async run() {
      const interfaces = await reader.read();
      if (last && isDeepStrictEqual(interfaces, last)) return;
      last = interfaces;
      return () => sink({interfaces});
    },
  };
}

export function trafficCollector(
  sink: HostSink,
  roots: SystemRoots,
  intervalMs: () => number = () => 1000,
): Collector {
  let last: CounterSample | undefined;
  let traffic: Record<string, Traffic> = {};
  return {
    name: 'traffic',
    first: true,
    async run() {
      const counters = await readCounters(roots.procRoot);
      const sample = {at: performance.now(), counters};
      traffic = nextTraffic(traffic, last, sample, historyLength(intervalMs()));
      last = sample;
      const written = traffic;
      return () => sink({traffic: written});
    },
  };
}

export function socketsCollector(sink: HostSink, options: CollectorOptions): Collector {
  const reader = createSocketsReader({
    procRoot: options.procRoot ?? defaultRoots.procRoot,
    source: options.socketSource ?? 'auto',
  });
  let tracker: SocketTracker | undefined;
  let written: {source: string; ownersHidden: boolean} | undefined;
  return {
    name: 'sockets',
    async run() {
      const reading = await reader.read();
      const now = Date.now();
      // The same rows as last poll, and no highlight running out: nothing to compare.
      if (!reading.reread && tracker && now < tracker.nextExpiry) return;
      const next = trackSocketChanges(tracker, reading.sockets, now);
      tracker = next;
      if (
        !next.changed &&
        written?.source === reading.source &&
        written.ownersHidden === reading.ownersHidden
      ) {
        return; // nothing a person could see has changed: no render
      }
      written = {source: reading.source, ownersHidden: reading.ownersHidden};
      return () =>
        sink({
          // The tracker's listing: the same rows, with unchanged sockets keeping their objects.
          sockets: next.listing.sockets,
          socketChanges: socketChangesOf(next),
          socketSource: reading.source,
          ownersHidden: reading.ownersHidden,
        });
    },
  };
}

export function firewallCollector(sink: HostSink, options: FirewallOptions = {}): Collector {
  let last: FirewallReading | undefined;
  return {
    name: 'firewall',
    // Rule sets change rarely, and reading one starts a process.
    every: 10,
    async run() {
      const firewall = await readFirewall(options);
      if (last && isDeepStrictEqual(firewall, last)) return;
      last = firewall;
      return () => sink({firewall});
    },
  };
}

export function createCollectors(sink: HostSink, options: CollectorOptions = {}): Collector[] {
  const roots = {
    procRoot: options.procRoot ?? defaultRoots.procRoot,
    sysRoot: options.sysRoot ?? defaultRoots.sysRoot,
  };
  return [
    interfacesCollector(sink, roots),
    trafficCollector(sink, roots, options.intervalMs),
    socketsCollector(sink, options),
    firewallCollector(sink, {procRoot: roots.procRoot, ...options.firewall}),
  ];
}
