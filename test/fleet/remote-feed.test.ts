import {execFile} from 'node:child_process';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {createRemoteFeed} from '../../source/fleet/remote-feed.js';
import type {HostFeed, HostPatch, RemoteOutput, RemoteRunner} from '../../source/fleet/types.js';
import {waitFor} from '../helpers/wait.js';

const isLinux = process.platform === 'linux';

/** Runs the command with this machine's sh, as ssh would run it on a host; fails on demand. */
function localRunner(options: {slowMs?: number} = {}) {
  const runner = {
    failing: false as false | string,
    starts: [] as number[],
    inFlight: 0,
    mostInFlight: 0,
    closed: false,
    async run(command: string, {timeoutMs}: {timeoutMs: number}): Promise<RemoteOutput> {
      runner.starts.push(performance.now());
      runner.inFlight++;
      runner.mostInFlight = Math.max(runner.mostInFlight, runner.inFlight);
      try {
        if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
        if (runner.failing) throw new Error(runner.failing);
        const started = performance.now();
        return await new Promise<RemoteOutput>((resolve, reject) => {
          execFile(
            'sh',
            ['-c', command],
            {encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 << 20},
            (error, stdout, stderr) => {
              // Only a command that could not be started fails the run, as with ssh.
              if (error && typeof error.code !== 'number') reject(new Error(error.message));
              else
                resolve({
                  stdout,
                  stderr: stderr.toString(),
                  code: error ? 1 : 0,
                  ms: performance.now() - started,
                });
            },
          );
        });
      } finally {
        runner.inFlight--;
      }
    },
    async close() {
      runner.closed = true;
    },
  } satisfies RemoteRunner & Record<string, unknown>;
  return runner;
}

function collect() {
  const patches: Array<{at: number; patch: HostPatch}> = [];
  return {patches, sink: (patch: HostPatch) => patches.push({at: performance.now(), patch})};
}

const feeds: HostFeed[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  await Promise.all(servers.splice(0).map((server) => new Promise((r) => server.close(r))));
});

function feedOf(runner: ReturnType<typeof localRunner>, intervalMs: number, extra = {}) {
  const {patches, sink} = collect();
  const feed = createRemoteFeed({id: 'test-host', runner, sink, intervalMs, ...extra});
  feeds.push(feed);
  return {feed, patches};
}

describe.skipIf(!isLinux)('the SSH host feed, with the script run by this machine’s sh', () => {
  it('writes the host, a listener the test opens as a new socket, and down/backoff/up on failures', async () => {
    const runner = localRunner();
    const {feed, patches} = feedOf(runner, 100, {maxBackoffMs: 800});
    await feed.start();
    const first = patches[0]!.patch;
    expect(patches).toHaveLength(1);
    expect(first.name).toBeTruthy();
    expect(first.interfaces?.some((entry) => entry.name === 'lo')).toBe(true);
    expect(Object.keys(first.traffic ?? {})).toContain('lo');
    expect(first.sockets?.length).toBeGreaterThan(0);
    expect(first.socketSource).toBe('proc');
    expect(first.socketChanges?.events).toEqual([]);
    expect(first.status).toMatchObject({state: 'up', error: undefined, method: 'ssh-shell'});
    expect(first.status?.owners).toBe(process.getuid?.() === 0 ? 'root' : 'user');
    expect(first.status?.rttMs).toBeGreaterThan(0);
    // The socket changes are plain outputs: the tracker's own maps stay in the feed.
    expect(Object.keys(first.socketChanges!).sort()).toEqual(
      ['at', 'closed', 'events', 'highlightMs', 'listing', 'newlyExposed', 'nextExpiry'].sort(),
    );

    const server = net.createServer().listen(0, '0.0.0.0');
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await waitFor(
      () =>
        patches.some(({patch}) =>
          patch.socketChanges?.events.some(
            (event) =>
              event.change === 'opened' &&
              event.socket.localPort === port &&
              event.socket.exposure === 'all-interfaces' &&
              event.socket.pid === process.pid,
          ),
        ),
      'the new listener as an opened event',
      10_000,
    );
    const withListener = patches.findLast(({patch}) => patch.sockets)!.patch.sockets!;
    expect(withListener.some((socket) => socket.localPort === port)).toBe(true);

    runner.failing = 'connection refused';
    const failFrom = runner.starts.length;
    await waitFor(
      () => patches.some(({patch}) => patch.status?.state === 'down'),
      'status down',
      5000,
    );
    const downAt = patches.findIndex(({patch}) => patch.status?.state === 'down');
    const down = patches[downAt]!.patch;
    expect(down.status?.error).toBe('connection refused');
    // Last good data kept: nothing but status while down.
    expect(Object.keys(down)).toEqual(['status']);
    // Backoff: 200, 400, 800, 800 ms between failing polls (interval 100, capped at 800).
    await waitFor(() => runner.starts.length >= failFrom + 4, 'four failing polls', 10_000);
    const starts = runner.starts.slice(failFrom, failFrom + 4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[1]).toBeGreaterThanOrEqual(390);
    expect(gaps[2]).toBeGreaterThanOrEqual(790);
    expect(gaps[2]).toBeLessThan(1500);
    for (const {patch} of patches.slice(downAt)) expect(Object.keys(patch)).toEqual(['status']);

    runner.failing = false;
    await waitFor(() => patches.at(-1)?.patch.status?.state === 'up', 'status up again', 5000);
    expect(patches.at(-1)!.patch.status?.error).toBeUndefined();
    await feed.stop();
    expect(runner.closed).toBe(true);
    const stoppedAt = runner.starts.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runner.starts.length).toBe(stoppedAt);
  }, 30_000);

  it('never overlaps polls, and holds them while quiet or paused', async () => {
    const runner = localRunner({slowMs: 150});
    const {feed} = feedOf(runner, 10);
    await feed.start();
    await waitFor(() => runner.starts.length >= 4, 'four polls', 10_000);
    expect(runner.mostInFlight).toBe(1);

    const release = await feed.quiet();
    expect(runner.inFlight).toBe(0);
    const held = runner.starts.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(runner.starts.length).toBe(held);
    release();
    await waitFor(() => runner.starts.length > held, 'a poll after release', 2000);

    feed.control({paused: true});
    await waitFor(() => runner.inFlight === 0, 'the poll in flight to end', 2000);
    const paused = runner.starts.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(runner.starts.length).toBe(paused);
    feed.control({paused: false, intervalMs: 1000});
    await waitFor(() => runner.starts.length > paused, 'a poll after unpausing', 2000);
    const slowFrom = runner.starts.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(runner.starts.length - slowFrom).toBeLessThanOrEqual(1);
    expect(runner.mostInFlight).toBe(1);
  }, 20_000);

  it('writes only status, at most once a second, while nothing changes', async () => {
    // One output replayed: a host where nothing moves.
    const live = localRunner();
    const {feed: once, patches: first} = feedOf(live, 60_000);
    let output: RemoteOutput | undefined;
    const recorder = {
      async run(command: string, options: {timeoutMs: number}) {
        output ??= await live.run(command, options);
        return output;
      },
    };
    await once.stop();
    expect(first).toHaveLength(0);
    const {patches, sink} = collect();
    const feed = createRemoteFeed({id: 'still', runner: recorder, sink, intervalMs: 50});
    feeds.push(feed);
    await feed.start();
    await new Promise((resolve) => setTimeout(resolve, 2300));
    await feed.stop();
    const later = patches.slice(1);
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(later.length).toBeLessThanOrEqual(3);
    for (const {patch} of later) expect(Object.keys(patch)).toEqual(['status']);
    for (let i = 1; i < patches.length; i++) {
      expect(patches[i]!.at - patches[i - 1]!.at).toBeGreaterThanOrEqual(950);
    }
    expect(later.at(-1)!.patch.status!.polledAt).toBeGreaterThan(
      patches[0]!.patch.status!.polledAt!,
    );
  }, 10_000);

  it('says what the host’s shell said when the command could not run', async () => {
    const runner = localRunner();
    const {feed, patches} = feedOf(runner, 1000, {
      command: 'echo "sh: 1: sed: not found" >&2; exit 127',
    });
    await feed.start();
    expect(patches[0]!.patch.status).toMatchObject({state: 'down', error: 'sh: 1: sed: not found'});
  });
});
