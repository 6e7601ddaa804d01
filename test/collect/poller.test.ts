import {afterEach, describe, expect, it} from 'vitest';
import {createPoller, type Collector, type Poller} from '../../source/collect/poller.js';
import {createPortholeStore, hostOf, type PortholeStore} from '../../source/store/store.js';
import {hostSink} from '../../source/fleet/fleet.js';
import {waitFor} from '../helpers/wait.js';

let poller: Poller | undefined;
afterEach(() => poller?.stop());

/** A poller writing into the local host of the store, as the dashboard's local feed does. */
function pollerFor(store: PortholeStore, collectors: Collector[]): Poller {
  return createPoller(collectors, {
    sink: hostSink(store, 'local'),
    intervalMs: store.getState().intervalMs,
    onStretch: (effectiveIntervalMs) => store.setState({effectiveIntervalMs}),
  });
}

describe('poller', () => {
  it('runs collectors every interval, a slow one never holding back the others', async () => {
    const store = createPortholeStore({intervalMs: 100});
    let fast = 0;
    let slowStarts = 0;
    let releaseSlow = () => {};
    const collectors: Collector[] = [
      {name: 'traffic', run: async () => void fast++},
      {
        name: 'sockets',
        run: () => {
          slowStarts++;
          return new Promise<void>((resolve) => (releaseSlow = resolve));
        },
      },
    ];
    poller = pollerFor(store, collectors);
    poller.start();
    await waitFor(() => fast >= 4, 'four fast runs');
    expect(slowStarts).toBe(1); // still running: not started again, no pile-up
    releaseSlow();
    await waitFor(() => slowStarts === 2, 'the slow collector to run again');
  });

  it('writes the readings of one tick together, and a late one on its own', async () => {
    const store = createPortholeStore({intervalMs: 200});
    let lateMs = 10;
    const collectors: Collector[] = [
      {name: 'traffic', run: async () => () => store.setState({addressesScroll: 1})},
      {
        name: 'sockets',
        run: () =>
          new Promise((resolve) =>
            setTimeout(() => resolve(() => store.setState({helpScroll: 1})), lateMs),
          ),
      },
    ];
    // Which fields changed in each run of synchronous code (what React renders as one frame).
    const notified: string[] = [];
    let batch: string[] | undefined;
    poller = pollerFor(store, collectors);
    await Promise.all(Object.values(poller.start()));
    store.setState({addressesScroll: 0, helpScroll: 0});
    store.subscribe((state, previous) => {
      const changed = (['addressesScroll', 'helpScroll'] as const).filter(
        (key) => state[key] !== previous[key],
      );
      if (changed.length === 0) return;
      if (!batch) {
        const open: string[] = [];
        batch = open;
        queueMicrotask(() => {
          notified.push(open.join('+'));
          batch = undefined;
        });
      }
      batch.push(...changed);
    });
    await waitFor(() => notified.length > 0, 'a tick');
    expect(notified[0]).toBe('addressesScroll+helpScroll');
    // Past a quarter of the interval (50 ms), the quick reading is not held back any longer.
    lateMs = 120;
    store.setState({addressesScroll: 0, helpScroll: 0});
    notified.length = 0;
    // (A tick already under way may still write both at once.)
    await waitFor(() => notified.includes('helpScroll'), 'a tick with a late reading');
    expect(notified.at(notified.indexOf('helpScroll') - 1)).toBe('addressesScroll');
  });

  it('marks a failing collector stale with a one-line error and clears it on recovery', async () => {
    const store = createPortholeStore({intervalMs: 100});
    let fail = true;
    poller = pollerFor(store, [
      {
        name: 'interfaces',
        run: async () => {
          if (fail) throw new Error('cannot read /sys/class/net: EACCES\n    at stack frame');
          hostSink(store, 'local')({interfaces: []});
        },
      },
    ]);
    poller.start();
    await waitFor(
      () => hostOf(store.getState()).health.interfaces?.error !== undefined,
      'an error',
    );
    expect(hostOf(store.getState()).health.interfaces?.error).toBe(
      'cannot read /sys/class/net: EACCES',
    );
    fail = false;
    await waitFor(
      () => hostOf(store.getState()).health.interfaces?.error === undefined,
      'recovery',
    );
  });

  it('stretches the interval when a poll takes more than a quarter of it', async () => {
    const store = createPortholeStore({intervalMs: 100});
    poller = pollerFor(store, [
      {name: 'sockets', run: () => new Promise((resolve) => setTimeout(resolve, 60))},
    ]);
    poller.start();
    await waitFor(() => store.getState().effectiveIntervalMs > 100, 'a stretched interval');
    expect(store.getState().effectiveIntervalMs).toBeGreaterThanOrEqual(200);
    expect(store.getState().effectiveIntervalMs).toBeLessThanOrEqual(1000);
  });

  it('stops polling while paused and resumes after', async () => {
    const store = createPortholeStore({intervalMs: 100});
    let runs = 0;
    poller = pollerFor(store, [{name: 'traffic', run: async () => void runs++}]);
    poller.start();
    await waitFor(() => runs >= 2, 'two runs');
    poller.control({paused: true});
    const atPause = runs;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(runs).toBe(atPause);
    poller.control({paused: false});
    await waitFor(() => runs > atPause, 'a run after resuming');
  });

  it('holds the polls for a timed request: waits for the read in progress, runs none until released', async () => {
    const store = createPortholeStore({intervalMs: 100});
    let starts = 0;
    let finishRead = () => {};
    poller = pollerFor(store, [
      {
        name: 'sockets',
        run: () => {
          starts++;
          return new Promise<void>((resolve) => (finishRead = resolve));
        },
      },
    ]);
    poller.start();
    await waitFor(() => starts === 1, 'the first read');
    let quiet = false;
    const held = poller.quiet().then((resume) => {
      quiet = true;
      return resume;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(quiet).toBe(false); // the read in progress is not cut short, it is waited for
    finishRead();
    const resume = await held;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(starts).toBe(1); // three ticks came and went without a read
    resume();
    await waitFor(() => starts === 2, 'a read once released');
  });

  it('runs a collector only every n-th tick when asked', async () => {
    const store = createPortholeStore({intervalMs: 100});
    let every = 0;
    let each = 0;
    poller = pollerFor(store, [
      {name: 'traffic', run: async () => void each++},
      {name: 'interfaces', every: 3, run: async () => void every++},
    ]);
    poller.start();
    await waitFor(() => each >= 7, 'seven ticks');
    expect(every).toBeGreaterThanOrEqual(2);
    expect(every).toBeLessThanOrEqual(4);
  });
});
