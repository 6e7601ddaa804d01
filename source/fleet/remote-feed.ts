/**
 * An SSH host's feed: every interval, one run of remote-script.ts over the host's shared
 * connection, parsed and written to the sink as patches. The feed keeps its own memory (the last
 * counter sample, the socket tracker's maps); the sink gets plain data, and only what changed.
 *
 * - Polls never overlap: the next is scheduled when the last has ended.
 * - A failing poll turns the host down with the one-line reason and leaves its last good data;
 *   the next polls wait twice as long each time (up to `maxBackoffMs`), and the first good one
 *   turns it up again and goes back to the interval.
 * - A poll that changed nothing writes only `status` with the new polledAt, at most once a second.
 */
import type {InterfaceCounters, Traffic} from '../model.js';
import {nextTraffic, type CounterSample} from '../collect/traffic.js';
import {trackSocketChanges, type SocketTracker} from '../collect/sockets/changes.js';
import {historyLength, hostError, idle, socketChangesOf} from './feed-writes.js';
import type {HostFeed, HostId, HostPatch, HostSink, HostStatus, RemoteRunner} from './types.js';
import {parseRemoteReading, type RemoteReading} from './remote-parse.js';
import {remoteCommand} from './remote-script.js';

export type RemoteFeedOptions = {
  id: HostId;
  /** With `connect`, the feed connects before its first poll, and again after a failing poll that left `up` false. */
  runner: RemoteRunner & {
    connect?(): Promise<void>;
    close?(): Promise<void>;
    readonly up?: boolean;
  };
  sink: HostSink;
  intervalMs: number;
  /** How long one poll may take; default twice the interval, at least 5 s. */
  timeoutMs?: number;
  /** Clock for the times written (polledAt, first-seen, rates); `Date.now` by default. */
  now?: () => number;
  /** The longest wait between failing polls; default 30 s. */
  maxBackoffMs?: number;
  /** The command a poll runs; default the remote script under the host's sh. */
  command?: string;
};

/** Status writes that carry only a new polledAt come at most this often. */
const statusEveryMs = 1000;

function sameCounters(a: Map<string, InterfaceCounters>, b: Map<string, InterfaceCounters>) {
  if (a.size !== b.size) return false;
  for (const [name, counters] of a) {
    const other = b.get(name);
    if (!other || other.rx !== counters.rx || other.tx !== counters.tx) return false;
  }
  return true;
}

export function createRemoteFeed(options: RemoteFeedOptions): HostFeed {
  const {id, runner, sink} = options;
  const now = options.now ?? Date.now;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const command = options.command ?? remoteCommand();
  let intervalMs = options.intervalMs;
  let paused = false;
  let stopped = false;
  let holds = 0;
  /** A poll came due while held or paused: run it on release. */
  let due = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let failures = 0;
  let connected = runner.connect === undefined;
  /** When the last poll began (performance.now()); 0 before the first. */
  let lastStart = 0;

  let status: HostStatus = {
    state: 'connecting',
    error: undefined,
    since: now(),
    rttMs: undefined,
    polledAt: undefined,
    method: 'ssh-shell',
    owners: undefined,
  };
  let lastStatusWrite = -Infinity;
  let name: string | undefined;
  let interfacesText: string | undefined;
  let sample: CounterSample | undefined;
  let traffic: Record<string, Traffic> = {};
  let tracker: SocketTracker | undefined;
  let ownersHidden: boolean | undefined;

  function write(patch: HostPatch, force: boolean): void {
    const at = now();
    if (!force && Object.keys(patch).length === 0 && at - lastStatusWrite < statusEveryMs) return;
    lastStatusWrite = at;
    sink({...patch, status});
  }

  function setStatus(next: Omit<HostStatus, 'since' | 'method'>): boolean {
    const moved = next.state !== status.state;
    const changed = moved || next.error !== status.error || next.owners !== status.owners;
    status = {...next, since: moved ? now() : status.since, method: 'ssh-shell'};
    return changed;
  }

  function apply(reading: RemoteReading, rttMs: number): void {
    const at = now();
    const patch: HostPatch = {};
    if (reading.name !== name) patch.name = name = reading.name;
    const text = JSON.stringify(reading.interfaces);
    if (text !== interfacesText) {
      interfacesText = text;
      patch.interfaces = reading.interfaces;
    }
    const counters: CounterSample = {at, counters: reading.counters};
    if (!sample || !sameCounters(sample.counters, reading.counters) || !idle(traffic)) {
      traffic = nextTraffic(traffic, sample, counters, historyLength(intervalMs));
      patch.traffic = traffic;
    }
    sample = counters;
    const first = tracker === undefined;
    tracker = trackSocketChanges(tracker, reading.sockets, at);
    if (tracker.changed) {
      patch.sockets = tracker.listing.sockets;
      patch.socketChanges = socketChangesOf(tracker);
    }
    if (first) patch.socketSource = 'proc';
    if (reading.ownersHidden !== ownersHidden)
      patch.ownersHidden = ownersHidden = reading.ownersHidden;
    const changed = setStatus({
      state: 'up',
      error: undefined,
      rttMs,
      polledAt: at,
      owners: reading.owners,
    });
    write(patch, changed);
  }

  function fail(error: unknown): void {
    failures++;
    const changed = setStatus({...status, state: 'down', error: hostError(error)});
    write({}, changed);
  }

  async function pollOnce(): Promise<void> {
    lastStart = performance.now();
    try {
      if (!connected) {
        await runner.connect!();
        connected = true;
      }
      const timeoutMs = options.timeoutMs ?? Math.max(5000, 2 * intervalMs);
      const output = await runner.run(command, {timeoutMs});
      let reading: RemoteReading;
      try {
        reading = parseRemoteReading(output.stdout);
      } catch (error) {
        // A shell that could not start says why on stderr; that line is the better reason.
        const said = output.stderr.trim().split('\n', 1)[0];
        throw output.code !== 0 && said ? new Error(said) : error;
      }
      if (stopped) return;
      failures = 0;
      apply(reading, Math.round(output.ms * 10) / 10);
    } catch (error) {
      if (runner.connect && runner.up === false) connected = false;
      if (!stopped) fail(error);
    }
  }

  function delay(): number {
    if (failures === 0) return Math.max(0, intervalMs - (performance.now() - lastStart));
    return Math.min(maxBackoffMs, intervalMs * 2 ** failures);
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || paused) return;
    timer = setTimeout(() => void tick(), delay());
  }

  /** Runs a poll now unless one runs, polls are held or the feed is paused; returns the poll. */
  function tick(): Promise<void> | undefined {
    timer = undefined;
    if (stopped) return undefined;
    if (paused || holds > 0 || running) {
      due = true;
      return running;
    }
    due = false;
    running = pollOnce().finally(() => {
      running = undefined;
      if (holds === 0) schedule();
    });
    return running;
  }

  return {
    id,
    async start() {
      if (running || timer || stopped) return;
      await tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
      await runner.close?.();
    },
    async quiet() {
      holds++;
      clearTimeout(timer);
      timer = undefined;
      await running;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0 && !stopped) {
          if (due) void tick();
          else schedule();
        }
      };
    },
    control(settings) {
      if (settings.intervalMs !== undefined && settings.intervalMs > 0) {
        intervalMs = settings.intervalMs;
      }
      if (settings.paused !== undefined) paused = settings.paused;
      if (paused) {
        clearTimeout(timer);
        timer = undefined;
      } else if (!running && holds === 0 && lastStart !== 0) {
        if (due) void tick();
        else schedule();
      }
    },
  };
}
