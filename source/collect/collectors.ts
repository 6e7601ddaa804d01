/** The collectors of the dashboard: each reads one part of the system and writes it into the store. */
import {isDeepStrictEqual} from 'node:util';
import type {PortholeStore} from '../store/store.js';
import type {Collector} from './poller.js';
import {createInterfacesReader, defaultRoots, type SystemRoots} from './interfaces.js';
import {nextTraffic, readCounters, type CounterSample} from './traffic.js';
import {createSocketsReader} from './sockets/index.js';
import {trackSocketChanges} from './sockets/changes.js';

export type CollectorOptions = Partial<SystemRoots> & {
  socketSource?: 'auto' | 'proc' | 'systeminformation';
};

/** How much rate history to keep: one minute of samples, and never more than 600. */
function historyLength(intervalMs: number): number {
  return Math.min(600, Math.ceil(60_000 / intervalMs));
}

export function interfacesCollector(store: PortholeStore, roots: SystemRoots): Collector {
  const reader = createInterfacesReader(roots);
  return {
    name: 'interfaces',
    // Link facts change rarely; the portable reader is slow, so it runs even less often.
    every: reader.portable ? 10 : 3,
    async run() {
      const interfaces = await reader.read();
      if (isDeepStrictEqual(interfaces, store.getState().interfaces)) return;
      return () => store.setState({interfaces});
    },
  };
}

export function trafficCollector(store: PortholeStore, roots: SystemRoots): Collector {
  let last: CounterSample | undefined;
  return {
    name: 'traffic',
    async run() {
      const counters = await readCounters(roots.procRoot);
      const sample = {at: performance.now(), counters};
      const {traffic, effectiveIntervalMs} = store.getState();
      const next = nextTraffic(traffic, last, sample, historyLength(effectiveIntervalMs));
      last = sample;
      return () => store.setState({traffic: next});
    },
  };
}

export function socketsCollector(store: PortholeStore, options: CollectorOptions): Collector {
  const reader = createSocketsReader({
    procRoot: options.procRoot ?? defaultRoots.procRoot,
    source: options.socketSource ?? 'auto',
  });
  return {
    name: 'sockets',
    async run() {
      const reading = await reader.read();
      const state = store.getState();
      const now = Date.now();
      const previous = state.socketTracker;
      // The same rows as last poll, and no highlight running out: nothing to compare.
      if (!reading.reread && previous && now < previous.nextExpiry) return;
      const tracker = trackSocketChanges(previous, reading.sockets, now);
      if (
        !tracker.changed &&
        state.socketSource === reading.source &&
        state.ownersHidden === reading.ownersHidden
      ) {
        return; // nothing a person could see has changed: no render
      }
      return () =>
        store.setState({
          // The tracker's listing: the same rows, with unchanged sockets keeping their objects.
          sockets: tracker.listing.sockets,
          socketTracker: tracker,
          socketSource: reading.source,
          ownersHidden: reading.ownersHidden,
        });
    },
  };
}

export function createCollectors(
  store: PortholeStore,
  options: CollectorOptions = {},
): Collector[] {
  const roots = {
    procRoot: options.procRoot ?? defaultRoots.procRoot,
    sysRoot: options.sysRoot ?? defaultRoots.sysRoot,
  };
  return [
    interfacesCollector(store, roots),
    trafficCollector(store, roots),
    socketsCollector(store, options),
  ];
}
