/**
 * This machine's feed: the collectors of `collect/` on the poller's schedule, writing plain patches
 * into the local host's slice.
 */
import os from 'node:os';
import {createCollectors, type CollectorOptions} from '../collect/collectors.js';
import {createPoller} from '../collect/poller.js';
import {localHostId, type HostFeed, type HostPatch, type HostSink} from './types.js';

export type LocalFeedOptions = Omit<CollectorOptions, 'intervalMs'> & {
  sink: HostSink;
  intervalMs: number;
  paused?: boolean;
  /** Told when slow polls stretch the interval, or it relaxes back. */
  onStretch?: (effectiveIntervalMs: number) => void;
};

export function createLocalFeed(options: LocalFeedOptions): HostFeed {
  let up = false;
  const sink: HostSink = (patch: HostPatch) => {
    if (!up && patch.sockets) {
      up = true;
      const now = Date.now();
      patch = {
        ...patch,
        status: {
          state: 'up',
          error: undefined,
          since: now,
          rttMs: undefined,
          polledAt: now,
          method: 'local',
          owners: process.getuid?.() === 0 ? 'root' : 'user',
        },
      };
    }
    options.sink(patch);
  };
  const poller = createPoller(
    createCollectors(sink, {...options, intervalMs: () => poller.effectiveIntervalMs}),
    {sink, intervalMs: options.intervalMs, paused: options.paused, onStretch: options.onStretch},
  );
  return {
    id: localHostId,
    async start() {
      options.sink({name: os.hostname()});
      const first = poller.start();
      await first.interfaces;
    },
    stop() {
      poller.stop();
      return Promise.resolve();
    },
    quiet: () => poller.quiet(),
    control: (settings) => poller.control(settings),
  };
}
