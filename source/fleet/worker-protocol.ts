/** The messages between this machine's feed in its worker thread and the main thread. */
import type {EncodedListing} from './listing-codec.js';
import type {HostPatch, SocketChanges} from './types.js';
import type {LocalFeedOptions} from './local-feed.js';

/** What the worker is started with: the feed's options that are data. */
export type WorkerFeedOptions = Omit<LocalFeedOptions, 'sink' | 'onStretch'>;

export type ToWorker =
  | {type: 'start'}
  | {type: 'quiet'; id: number}
  | {type: 'release'; id: number}
  | {type: 'control'; settings: {intervalMs?: number; paused?: boolean}};

export type FromWorker =
  | {
      type: 'patch';
      /** The patch, without `sockets` and `socketChanges` when `listing` carries them. */
      patch: HostPatch;
      listing?: EncodedListing;
      changes?: Omit<SocketChanges, 'listing'>;
    }
  | {type: 'started'}
  | {type: 'quieted'; id: number}
  | {type: 'stretch'; effectiveIntervalMs: number};
