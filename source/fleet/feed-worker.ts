/**
 * The worker thread of this machine's feed (worker-feed.ts): runs the local feed here and posts
 * its patches to the main thread, the socket listing as a difference from the last one sent
 * (listing-codec.ts). Bundled on its own, without Ink or React, and started from that source.
 */
import {parentPort, workerData} from 'node:worker_threads';
import {createLocalFeed, type LocalFeedOptions} from './local-feed.js';
import {createListingEncoder} from './listing-codec.js';
import type {FromWorker, ToWorker, WorkerFeedOptions} from './worker-protocol.js';
import type {HostPatch} from './types.js';

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const encoder = createListingEncoder();

function send(patch: HostPatch) {
  const {sockets, socketChanges, ...rest} = patch;
  if (socketChanges && sockets === socketChanges.listing.sockets) {
    const {listing, ...changes} = socketChanges;
    post({type: 'patch', patch: rest, listing: encoder.encode(listing), changes});
    return;
  }
  post({type: 'patch', patch});
}

const options = workerData as WorkerFeedOptions;
const feed = createLocalFeed({
  ...(options as Omit<LocalFeedOptions, 'sink'>),
  sink: send,
  onStretch: (effectiveIntervalMs) => post({type: 'stretch', effectiveIntervalMs}),
});
const releases = new Map<number, () => void>();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      void feed.start().then(() => post({type: 'started'}));
      break;
    case 'quiet':
      void feed.quiet().then((release) => {
        releases.set(message.id, release);
        post({type: 'quieted', id: message.id});
      });
      break;
    case 'release':
      releases.get(message.id)?.();
      releases.delete(message.id);
      break;
    case 'control':
      feed.control(message.settings);
      break;
  }
});
