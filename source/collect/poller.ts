/**
 * Schedules the collectors. Each runs on its own: one that is slow is skipped while still running
 * (no pile-up) and one that fails or times out marks its pane stale while the others go on.
 * When a collector needs more than a quarter of the interval, the interval stretches.
 */
import {setHealth, type CollectorName, type PortholeStore} from '../store/store.js';
import {formatDuration} from '../format.js';

export type Collector = {
  name: CollectorName;
  /** Run on every n-th tick; static facts need not be re-read every tick. Default 1. */
  every?: number;
  run(): Promise<void>;
};

export type Poller = {
  /** Starts polling; each collector's first run, to wait for the quick ones before a first frame. */
  start(): Partial<Record<CollectorName, Promise<void>>>;
  stop(): void;
  /** Runs every collector once, now, and resolves when all have settled. */
  runAll(): Promise<void>;
};

/** A poll may take at most this share of the interval before the interval stretches. */
const budgetShare = 0.25;
const maxStretch = 10;

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}

export function createPoller(store: PortholeStore, collectors: readonly Collector[]): Poller {
  const running = new Map<CollectorName, Promise<void>>();
  const lastDuration = new Map<CollectorName, number>();
  let timer: NodeJS.Timeout | undefined;
  let tick = 0;
  let stopped = true;

  const timeoutFor = () => Math.max(5000, store.getState().effectiveIntervalMs * 4);

  function stretch() {
    const {intervalMs, effectiveIntervalMs} = store.getState();
    const slowest = Math.max(0, ...lastDuration.values());
    const wanted = Math.min(intervalMs * maxStretch, Math.max(intervalMs, slowest / budgetShare));
    // Round to 100 ms so small jitter does not re-render the header.
    const next = Math.ceil(wanted / 100) * 100;
    const settled = next === intervalMs ? intervalMs : next;
    if (settled !== effectiveIntervalMs) store.setState({effectiveIntervalMs: settled});
  }

  function run(collector: Collector): Promise<void> {
    const busy = running.get(collector.name);
    if (busy) return busy;
    const started = performance.now();
    const work = collector.run();
    let timedOut = false;
    const limit = timeoutFor();
    const timeout = setTimeout(() => {
      timedOut = true;
      setHealth(store, collector.name, `no answer within ${formatDuration(limit)}`);
    }, limit);
    timeout.unref();
    const settled = work.then(
      () => setHealth(store, collector.name, undefined),
      (error: unknown) => setHealth(store, collector.name, oneLine(error)),
    );
    const done = settled.finally(() => {
      clearTimeout(timeout);
      running.delete(collector.name);
      if (!timedOut) lastDuration.set(collector.name, performance.now() - started);
      stretch();
    });
    running.set(collector.name, done);
    return done;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      tick++;
      for (const collector of collectors) {
        if (tick % (collector.every ?? 1) === 0) void run(collector);
      }
      schedule();
    }, store.getState().effectiveIntervalMs);
    timer.unref();
  }

  const unsubscribe = store.subscribe((state, previous) => {
    if (state.paused === previous.paused || stopped) return;
    clearTimeout(timer);
    if (!state.paused) schedule();
  });

  return {
    start() {
      if (!stopped) return {};
      stopped = false;
      const first = Object.fromEntries(
        collectors.map((collector) => [collector.name, run(collector)]),
      );
      if (!store.getState().paused) schedule();
      return first;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    },
    async runAll() {
      await Promise.all(collectors.map((collector) => run(collector)));
    },
  };
}
