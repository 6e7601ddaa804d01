/**
 * The feeds of every host the dashboard shows, started and stopped together. Each writes into its
 * own host's slice of the store; pausing pauses them all.
 */
import {applyHostPatch, type PortholeStore} from '../store/store.js';
import type {HostFeed, HostId, HostSink} from './types.js';

export type Fleet = {
  /** Starts every feed; resolves when each has written its first reading (or failed). */
  start(): Promise<void>;
  /** Stops every feed and ends every process and thread they started. */
  stop(): Promise<void>;
  /** Holds a host's polls back for a timed request (this machine's, by default). */
  quiet(id?: HostId): Promise<() => void>;
  feed(id: HostId): HostFeed | undefined;
};

/** Where a host's feed writes: that host's slice. */
export function hostSink(store: PortholeStore, id: HostId): HostSink {
  return (patch) => applyHostPatch(store, id, patch);
}

export function createFleet(store: PortholeStore, feeds: readonly HostFeed[]): Fleet {
  const byId = new Map(feeds.map((feed) => [feed.id, feed]));
  let unsubscribe = () => {};
  return {
    async start() {
      const {paused} = store.getState();
      for (const feed of feeds) feed.control({paused});
      unsubscribe = store.subscribe((state, previous) => {
        if (state.paused === previous.paused) return;
        for (const feed of feeds) feed.control({paused: state.paused});
      });
      await Promise.all(feeds.map((feed) => feed.start()));
    },
    async stop() {
      unsubscribe();
      await Promise.all(feeds.map((feed) => feed.stop()));
    },
    async quiet(id) {
      const feed = byId.get(id ?? 'local');
      return feed ? feed.quiet() : () => {};
    },
    feed: (id) => byId.get(id),
  };
}
