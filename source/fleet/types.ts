/**
 * The fleet's shapes: every host — this machine or one reached over SSH — is fed by its own feed,
 * which reads, keeps its own memory (the last sample, when each socket first appeared) and writes
 * plain, serializable patches into that host's slice of the store. Nothing in the store is mutated
 * in place, and nothing here holds a function, so a patch can cross a worker thread or a pipe.
 */
import type {
  FirewallReading,
  NetworkInterface,
  Socket,
  SocketEvent,
  SocketSource,
  Traffic,
} from '../model.js';
import type {ClosedListener, Listing} from '../collect/sockets/changes.js';

/** A host's key in the store: `local` for this machine, else the target as the user gave it. */
export type HostId = string;
export const localHostId: HostId = 'local';

export type CollectorName = 'interfaces' | 'traffic' | 'sockets' | 'firewall';

/** How a collector is doing: the pane keeps its last good data and shows the error when stale. */
export type CollectorHealth = {
  /** Set while the collector fails; its data in the store is the last good reading. */
  error: string | undefined;
  /** When the collector last went from working to failing or back. */
  since: number;
};

/** How a host's readings are taken. */
export type FeedMethod =
  /** This machine, read in-process or in a worker thread. */
  | 'local'
  /** Over SSH: one POSIX shell command a poll, its output parsed here. */
  | 'ssh-shell'
  /** Over SSH: porthole's own single file run on the host with Node, streaming readings. */
  | 'ssh-node';

export type HostStatus = {
  /** `connecting` until the first reading or failure; `down` while polls fail. */
  state: 'connecting' | 'up' | 'down';
  /** One line, set while down: why ("connection refused", "host key changed", …). */
  error: string | undefined;
  /** When `state` last changed. */
  since: number;
  /** Round trip of the last poll, in ms (SSH hosts). */
  rttMs: number | undefined;
  /** When the last good reading arrived (epoch ms). */
  polledAt: number | undefined;
  method: FeedMethod;
  /**
   * Whose sockets have owners: every one (`root`, or `sudo` when `sudo -n` worked on the host), or
   * only the connecting user's (`user`); undefined before the first reading.
   */
  owners: 'root' | 'sudo' | 'user' | undefined;
};

/**
 * What the store keeps of a socket tracker: its immutable outputs. The tracker's working memory
 * (when each key was first seen, repeated keys) stays with the feed that owns it.
 */
export type SocketChanges = {
  /** This listing with each socket's key and first-seen time, in the same order. */
  listing: Listing;
  closed: readonly ClosedListener[];
  events: readonly SocketEvent[];
  newlyExposed: SocketEvent | undefined;
  highlightMs: number;
  at: number;
  nextExpiry: number;
};

/** One host's slice of the store. */
export type HostData = {
  id: HostId;
  /** As the user gave it (`web-1`, `deploy@10.0.0.5:2222`); empty for this machine. */
  target: string;
  local: boolean;
  /** The host's own name for itself, once known; else the target. */
  name: string;
  status: HostStatus;
  health: Partial<Record<CollectorName, CollectorHealth>>;
  interfaces: readonly NetworkInterface[];
  traffic: Readonly<Record<string, Traffic>>;
  sockets: readonly Socket[];
  socketChanges: SocketChanges | undefined;
  socketSource: SocketSource | undefined;
  ownersHidden: boolean;
  /** The packet filter's input chains, read every few polls; undefined before the first read. */
  firewall: FirewallReading | undefined;
};

/** What a feed writes: each field present replaces that field of the host's slice. */
export type HostPatch = Partial<Omit<HostData, 'id' | 'target' | 'local'>>;

/** Where a feed writes its patches (the store, or a worker thread's port). */
export type HostSink = (patch: HostPatch) => void;

/** A host's source of readings. */
export type HostFeed = {
  readonly id: HostId;
  /** Starts polling; resolves once the first reading (or failure) has been written. */
  start(): Promise<void>;
  /** Stops polling and ends every process or thread the feed started. */
  stop(): Promise<void>;
  /** Holds polls back for a timed request; resolves to a release once reads in flight end. */
  quiet(): Promise<() => void>;
  /** Sets the poll interval (ms) and pause. */
  control(settings: {intervalMs?: number; paused?: boolean}): void;
};

export function emptyHost(
  id: HostId,
  target: string,
  local: boolean,
  method: FeedMethod,
  now = Date.now(),
): HostData {
  return {
    id,
    target,
    local,
    name: target,
    status: {
      state: 'connecting',
      error: undefined,
      since: now,
      rttMs: undefined,
      polledAt: undefined,
      method,
      owners: undefined,
    },
    health: {},
    interfaces: [],
    traffic: {},
    sockets: [],
    socketChanges: undefined,
    socketSource: undefined,
    ownersHidden: false,
    // Reading another host's packet filter would need root there; it is said, not guessed.
    firewall: local ? undefined : {checked: false, why: 'not read on hosts over SSH'},
  };
}

/** Runs one command on a host over its shared SSH connection. */
export type RemoteRunner = {
  /** Resolves with what the command printed; rejects with a one-line Error (see ssh.ts). */
  run(command: string, options: {timeoutMs: number; stdin?: string}): Promise<RemoteOutput>;
};

export type RemoteOutput = {stdout: Buffer; stderr: string; code: number | null; ms: number};
