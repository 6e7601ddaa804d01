/**
 * Schedules the collectors. Each runs on its own: one that is slow is skipped while still running
 * (no pile-up) and one that fails or times out marks its pane stale while the others go on.
 * When a collector needs more than a quarter of the interval, the interval stretches.
 *
 * A collector reads, then hands back what to write into the store. The writes of one tick are
 * made together, once every collector of the tick has read or a quarter of the interval has
 * passed: React renders writes made in one go as one frame, so a poll paints once, not once per
 * collector (at 10k sockets a frame is ~9 ms of CPU; the traffic numbers come back in a
 * millisecond, the sockets ~40 ms later). A collector still reading at that point writes alone.
 */
import type {CollectorHealth, CollectorName, HostSink} from '../fleet/types.js';
import {formatDuration} from '../format.js';

/** Writes a reading into the store. */
export type Commit = () => void;

export type Collector = {
  name: CollectorName;
  /** Run on every n-th tick; static facts need not be re-read every tick. Default 1. */
  every?: number;
  /**
   * Read first at start, for the first frame: the others start once these have been read and a
   * macrotask has passed, so that their reads and child processes do not hold that frame back.
   */
  first?: boolean;
  /** Reads; resolves with the store write to make, or nothing when nothing changed. */
  run(): Promise<Commit | void>;
};

export type PollerOptions = {
  /** Where the collectors' writes and their health go: one host's slice. */
  sink: HostSink;
  /** The interval asked for, in ms. */
  intervalMs: number;
  paused?: boolean;
  /** Told when slow polls stretch the interval, or it relaxes back. */
  onStretch?: (effectiveIntervalMs: number) => void;
};

export type Poller = {
  /** Starts polling; each collector's first run, to wait for the quick ones before a first frame. */
  start(): Partial<Record<CollectorName, Promise<void>>>;
  stop(): void;
  /** Changes the interval or pauses; a pause takes effect before the next tick. */
  control(settings: {intervalMs?: number; paused?: boolean}): void;
  /** The interval in use after stretching. */
  readonly effectiveIntervalMs: number;
  /**
   * Holds the polls back so that the thread is free for a request's timed exchange: resolves
   * once the reads in progress have finished, to a function that lets polling go on.
   */
  quiet(): Promise<() => void>;
};

/** A poll may take at most this share of the interval before the interval stretches. */
const budgetShare = 0.25;
const maxStretch = 10;

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}

export function createPoller(collectors: readonly Collector[], options: PollerOptions): Poller {
  const {sink} = options;
  const running = new Map<CollectorName, Promise<Commit>>();
  const lastDuration = new Map<CollectorName, number>();
  let timer: NodeJS.Timeout | undefined;
  /** The first runs of start(), the ones after the first frame included. */
  let starting: Promise<unknown> = Promise.resolve();
  let tick = 0;
  let holds = 0;
  let stopped = true;
  let intervalMs = options.intervalMs;
  let effectiveIntervalMs = intervalMs;
  let paused = options.paused ?? false;
  // The health this poller last wrote: the collectors' memory is the poller's, not the store's.
  let health: Partial<Record<CollectorName, CollectorHealth>> = {};

  /** Records a collector's error (or its recovery, with undefined); writes only on a change. */
  function setHealth(name: CollectorName, error: string | undefined) {
    const previous = health[name];
    if (previous ? previous.error === error : error === undefined) return;
    health = {...health, [name]: {error, since: Date.now()}};
    sink({health});
  }

  const timeoutFor = () => Math.max(5000, effectiveIntervalMs * 4);

  function stretch() {
    const slowest = Math.max(0, ...lastDuration.values());
    const wanted = Math.min(intervalMs * maxStretch, Math.max(intervalMs, slowest / budgetShare));
    // Round to 100 ms so small jitter does not re-render the header.
    const next = Math.ceil(wanted / 100) * 100;
    const settled = next === intervalMs ? intervalMs : next;
    if (settled === effectiveIntervalMs) return;
    effectiveIntervalMs = settled;
    options.onStretch?.(settled);
  }

  /**
   * Runs a collector that is not already running; resolves, never rejects, with the store writes
   * its reading calls for.
   */
  function run(collector: Collector): Promise<Commit> {
    const started = performance.now();
    let timedOut = false;
    const limit = timeoutFor();
    const timeout = setTimeout(() => {
      timedOut = true;
      setHealth(collector.name, `no answer within ${formatDuration(limit)}`);
    }, limit);
    timeout.unref();
    const done = collector.run().then(
      (write): Commit =>
        () => {
          write?.();
          setHealth(collector.name, undefined);
        },
      (error: unknown): Commit =>
        () =>
          setHealth(collector.name, oneLine(error)),
    );
    const settled = done.finally(() => {
      clearTimeout(timeout);
      running.delete(collector.name);
      if (!timedOut) lastDuration.set(collector.name, performance.now() - started);
    });
    running.set(collector.name, settled);
    return settled;
  }

  /**
   * Runs the collectors not still busy from an earlier tick, and makes the writes of those that
   * finish within `waitMs` together, the later ones each alone as it finishes. Resolves once all
   * have been written.
   */
  function runTogether(due: readonly Collector[], waitMs: number): Promise<void> {
    const runs = due.filter((collector) => !running.has(collector.name)).map(run);
    const writes: Commit[] = [];
    let together = true;
    const all = Promise.all(
      runs.map((pending) =>
        pending.then((write) => {
          if (together) return void writes.push(write);
          if (stopped) return;
          write();
          stretch();
        }),
      ),
    );
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, waitMs);
      deadline.unref();
    });
    const joint = Promise.race([all, late]).then(() => {
      clearTimeout(deadline);
      together = false;
      if (stopped) return;
      for (const write of writes) write();
      stretch();
    });
    return Promise.all([all, joint]).then(() => {});
  }

  function schedule() {
    if (stopped || paused) return;
    timer = setTimeout(() => {
      tick++;
      const due = collectors.filter((collector) => tick % (collector.every ?? 1) === 0);
      // While a request is timed, a tick is skipped rather than read beside it.
      if (holds === 0) void runTogether(due, effectiveIntervalMs * budgetShare);
      schedule();
    }, effectiveIntervalMs);
    timer.unref();
  }

  return {
    get effectiveIntervalMs() {
      return effectiveIntervalMs;
    },
    control(settings) {
      const wasPaused = paused;
      if (settings.intervalMs !== undefined && settings.intervalMs !== intervalMs) {
        intervalMs = settings.intervalMs;
        stretch();
      }
      if (settings.paused !== undefined) paused = settings.paused;
      if (paused === wasPaused || stopped) return;
      clearTimeout(timer);
      schedule();
    },
    start() {
      if (!stopped) return {};
      stopped = false;
      // The first readings are written as each arrives: the first frame waits for the quick ones,
      // and the others start after it (a dashboard's start: the sockets' tables and owners, ss
      // and nft took ~25 ms of the main thread before the first frame, measured at idle).
      const eager = collectors.filter((collector) => collector.first);
      const first: Partial<Record<CollectorName, Promise<void>>> = Object.fromEntries(
        eager.map((collector) => [collector.name, runTogether([collector], 0)]),
      );
      const afterFirst = Promise.all(Object.values(first)).then(
        () => new Promise((resolve) => setTimeout(resolve, 0)),
      );
      for (const collector of collectors) {
        if (collector.first) continue;
        first[collector.name] =
          eager.length === 0
            ? runTogether([collector], 0)
            : afterFirst.then(() => (stopped ? undefined : runTogether([collector], 0)));
      }
      // A quiet() asked for now waits for those first runs too, as for any read in progress.
      starting = Promise.all(Object.values(first));
      schedule();
      return first;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    async quiet() {
      holds++;
      let released = false;
      await Promise.all([...running.values(), starting]);
      return () => {
        if (released) return;
        released = true;
        holds--;
      };
    },
  };
}
