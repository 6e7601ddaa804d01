/**
 * This machine's feed, in the main thread or in a worker thread, chosen at start by how many
 * sockets the machine has. A worker keeps polls off the thread that answers keys, but costs a
 * second heap and its own copy of the sockets (measured: ~37 MiB more RSS idle, ~90 MiB more at
 * 100k sockets). Below the threshold a poll's work on the main thread takes milliseconds and the
 * worker buys nothing a person would notice; above it, a poll's reading and tracking run long
 * enough to delay a key.
 */
import {countSockets} from '../collect/sockets/sockstat.js';
import {createLocalFeed, type LocalFeedOptions} from './local-feed.js';
import {createWorkerFeed} from './worker-feed.js';
import type {HostFeed} from './types.js';

export {countSockets};

/** Sockets at start from which the feed runs in a worker thread. */
export const workerFromSockets = 20_000;

/** Where this machine's feed should run, for a socket count (undefined: not known). */
export function feedThread(sockets: number | undefined): 'main' | 'worker' {
  return sockets !== undefined && sockets >= workerFromSockets ? 'worker' : 'main';
}

export function createLocalHostFeed(options: LocalFeedOptions): HostFeed {
  const where = feedThread(countSockets(options.procRoot));
  return where === 'worker' ? createWorkerFeed(options) : createLocalFeed(options);
}
