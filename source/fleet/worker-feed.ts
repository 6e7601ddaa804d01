/**
 * This machine's feed in a worker thread: the collectors read, parse and track there, and the
 * main thread only applies their patches, so a key press never waits for a poll's work.
 *
 * The socket listing crosses as a difference from the last one sent (listing-codec.ts): posting a
 * whole listing would cost the main thread more than the poll did. Measured here on a loaded
 * 2-core machine (bench/worker-message.ts): 100k sockets are 22.8 MiB cloned, 195-245 ms for the
 * worker to send and 340-415 ms for the main thread to receive (10k: 2.3 MiB, ~25 ms each way);
 * with 10 changed, the difference is 3 KiB and the main thread rebuilds the listing in 0.3 ms at
 * 10k and 20-35 ms at 100k (copying the unchanged runs of the last listing in bulk; 10-12 ms as a
 * copy of the last listing with a splice per edit). The rebuilt listing carries its runs, from
 * which the sockets view patches its rows rather than sorting them all again (sockets-view.ts).
 *
 * The worker holds its own copy of the sockets (the tracker's), so it costs memory: at 100k
 * sockets the process's RSS went from ~128 to ~246 MiB; a 3 MiB young generation for the worker
 * (as the main thread's is kept small, ui/heap.ts) brought that to ~222 MiB (one run each).
 * Measured in each thread at 100k sockets: the worker's heap 51-64 MiB, the main thread's 55-67
 * MiB, 38 MiB once the decoder shared the cloned sockets' repeated strings (RSS 213-229 MiB).
 *
 * A worker that dies leaves a one-line error on the sockets pane's health, and the feed goes on
 * in this thread (local-feed.ts) rather than leaving the dashboard empty.
 */
import {Worker} from 'node:worker_threads';
import {createInterfacesReader, defaultRoots} from '../collect/interfaces.js';
import {oneLine} from '../collect/poller.js';
import {feedWorkerSource} from './feed-worker-source.js';
import {createListingDecoder} from './listing-codec.js';
import {createLocalFeed, type LocalFeedOptions} from './local-feed.js';
import type {FromWorker, ToWorker, WorkerFeedOptions} from './worker-protocol.js';
import {localHostId, type CollectorHealth, type HostFeed, type HostPatch} from './types.js';

export type WorkerFeed = HostFeed & {
  /** The worker while it runs; undefined once stopped or fallen back to this thread. */
  readonly worker: Worker | undefined;
  /** The worker's thread id while it runs. */
  readonly threadId: number | undefined;
};

export function createWorkerFeed(options: LocalFeedOptions): WorkerFeed {
  const {sink, onStretch, ...rest} = options;
  const data: WorkerFeedOptions = rest;
  const settings: {intervalMs: number; paused: boolean} = {
    intervalMs: options.intervalMs,
    paused: options.paused ?? false,
  };
  let worker: Worker | undefined;
  let fallback: HostFeed | undefined;
  let started = false;
  let stopped = false;
  let nextQuiet = 0;
  const quiets = new Map<number, (release: () => void) => void>();
  const starting: Array<() => void> = [];
  const decoder = createListingDecoder();
  let health: Partial<Record<'interfaces' | 'traffic' | 'sockets', CollectorHealth>> = {};

  const send = (message: ToWorker) => worker?.postMessage(message);

  function receive(message: FromWorker) {
    if (stopped) return;
    switch (message.type) {
      case 'patch': {
        let patch: HostPatch = message.patch;
        if (message.listing && message.changes) {
          const listing = decoder.decode(message.listing);
          patch = {
            ...patch,
            sockets: listing.sockets,
            socketChanges: {...message.changes, listing},
          };
        }
        if (patch.health) health = patch.health;
        sink(patch);
        break;
      }
      case 'started':
        for (const resolve of starting.splice(0)) resolve();
        break;
      case 'quieted': {
        const resolve = quiets.get(message.id);
        quiets.delete(message.id);
        resolve?.(() => send({type: 'release', id: message.id}));
        break;
      }
      case 'stretch':
        onStretch?.(message.effectiveIntervalMs);
        break;
    }
  }

  /** The worker is gone while it should run: say so on the sockets pane, and read here instead. */
  function fallBack(why: string) {
    if (stopped || fallback) return;
    worker = undefined;
    const error = `worker thread stopped (${why}); reading in the main thread`;
    health = {...health, sockets: {error, since: Date.now()}};
    sink({health});
    const kept = health.sockets;
    fallback = createLocalFeed({
      ...rest,
      ...settings,
      onStretch,
      // The pane keeps the worker's error until this thread's own readings report on the sockets.
      sink: (patch) =>
        sink(
          patch.health && !patch.health.sockets
            ? {...patch, health: {...patch.health, sockets: kept}}
            : patch,
        ),
    });
    for (const resolve of quiets.values()) void fallback.quiet().then(resolve);
    quiets.clear();
    if (started) {
      void fallback.start().then(() => {
        for (const resolve of starting.splice(0)) resolve();
      });
    }
  }

  function spawn() {
    const thread = new Worker(feedWorkerSource(), {
      eval: true,
      workerData: data,
      resourceLimits: {maxYoungGenerationSizeMb: 3},
    });
    thread.on('message', receive);
    thread.on('error', (error) => fallBack(oneLine(error)));
    thread.on('exit', (code) => fallBack(`exit code ${code}`));
    thread.unref();
    worker = thread;
  }

  try {
    spawn();
  } catch (error) {
    fallBack(oneLine(error));
  }

  return {
    id: localHostId,
    get worker() {
      return worker;
    },
    get threadId() {
      return worker?.threadId;
    },
    start() {
      if (started) return Promise.resolve();
      started = true;
      if (fallback) return fallback.start();
      const first = new Promise<void>((resolve) => {
        starting.push(resolve);
        send({type: 'start'});
      });
      // The worker takes a few hundred ms to load; the first frame shows the interfaces, which the
      // Linux reader reads here in a millisecond (the portable one is slow: the worker's comes first).
      const reader = createInterfacesReader({
        procRoot: rest.procRoot ?? defaultRoots.procRoot,
        sysRoot: rest.sysRoot ?? defaultRoots.sysRoot,
      });
      if (!reader.portable) {
        void reader.read().then(
          (interfaces) => {
            if (!stopped && !fallback) sink({interfaces});
          },
          () => {}, // the worker's reading reports the error
        );
      }
      return first;
    },
    async stop() {
      stopped = true;
      for (const resolve of starting.splice(0)) resolve();
      for (const resolve of quiets.values()) resolve(() => {});
      quiets.clear();
      if (fallback) return fallback.stop();
      const thread = worker;
      worker = undefined;
      if (thread) await thread.terminate();
    },
    quiet() {
      if (fallback) return fallback.quiet();
      if (stopped || !worker) return Promise.resolve(() => {});
      const id = ++nextQuiet;
      return new Promise((resolve) => {
        quiets.set(id, resolve);
        send({type: 'quiet', id});
      });
    },
    control(change) {
      if (change.intervalMs !== undefined) settings.intervalMs = change.intervalMs;
      if (change.paused !== undefined) settings.paused = change.paused;
      if (fallback) return fallback.control(change);
      send({type: 'control', settings: change});
    },
  };
}
