/**
 * An SSH host's feed, by the better method the host allows: porthole's own reader streaming with
 * the host's Node (stream-feed.ts), and where the host has no Node >= 20, the shell method
 * (remote-feed.ts), remembered for that host. Both go over the same master connection; the method
 * in use is in the host's `status.method`.
 */
import {createRemoteFeed} from './remote-feed.js';
import type {SshConnection} from './ssh.js';
import {createStreamFeed} from './stream-feed.js';
import type {FeedMethod, HostFeed, HostId, HostSink} from './types.js';

export type HostFeedOptions = {
  id: HostId;
  connection: SshConnection;
  sink: HostSink;
  intervalMs: number;
  /** The method to try first; default `ssh-node` (see README, figure 10). */
  method?: Exclude<FeedMethod, 'local'>;
  /** The host's Node, as its sh finds it; default `node`. */
  nodeCommand?: string;
  now?: () => number;
  maxBackoffMs?: number;
  /** Told when the host cannot stream and the shell method takes over, with why. */
  onFallback?: (reason: string) => void;
};

/** Hosts (by id) found without a Node that can run the reader, so later feeds go to sh at once. */
const shellOnly = new Set<HostId>();

export function createHostFeed(options: HostFeedOptions): HostFeed {
  const {id, connection, sink} = options;
  let intervalMs = options.intervalMs;
  let paused = false;
  let stopped = false;
  let current: HostFeed;
  let switching: Promise<void> | undefined;

  const shellFeed = () =>
    createRemoteFeed({
      id,
      runner: connection,
      sink,
      intervalMs,
      now: options.now,
      maxBackoffMs: options.maxBackoffMs,
    });

  if ((options.method ?? 'ssh-node') === 'ssh-shell' || shellOnly.has(id)) {
    current = shellFeed();
  } else {
    current = createStreamFeed({
      id,
      // The connection is closed by this feed, once, whichever method ends up polling.
      connection: {
        connect: () => connection.connect(),
        spawnCommand: (command) => connection.spawnCommand(command),
        get up() {
          return connection.up;
        },
      },
      sink,
      intervalMs,
      now: options.now,
      maxBackoffMs: options.maxBackoffMs,
      nodeCommand: options.nodeCommand,
      onUnsupported(reason) {
        shellOnly.add(id);
        options.onFallback?.(reason);
        const next = shellFeed();
        current = next;
        if (stopped) return;
        next.control({intervalMs, paused});
        switching = next.start();
      },
    });
  }

  return {
    id,
    async start() {
      await current.start();
      // The stream's start resolves when it found it cannot run: wait for the shell's first poll.
      await switching;
    },
    async stop() {
      stopped = true;
      await current.stop();
      await switching;
      await current.stop();
      await connection.close();
    },
    quiet: () => current.quiet(),
    control(settings) {
      if (settings.intervalMs !== undefined && settings.intervalMs > 0) {
        intervalMs = settings.intervalMs;
      }
      if (settings.paused !== undefined) paused = settings.paused;
      current.control(settings);
    },
  };
}
