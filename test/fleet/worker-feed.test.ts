import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createWorkerFeed, type WorkerFeed} from '../../source/fleet/worker-feed.js';
import type {HostPatch} from '../../source/fleet/types.js';
import {waitFor} from '../helpers/wait.js';

const feeds: WorkerFeed[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
});

function feedOf(options: {procRoot?: string; intervalMs?: number} = {}) {
  const patches: HostPatch[] = [];
  const feed = createWorkerFeed({
    sink: (patch) => patches.push(patch),
    intervalMs: options.intervalMs ?? 100,
    procRoot: options.procRoot,
    socketSource: 'proc',
  });
  feeds.push(feed);
  return {feed, patches};
}

function listen(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
/** This process's threads, as the kernel lists them. */
const tasks = () => readdirSync('/proc/self/task').length;

describe('createWorkerFeed', () => {
  it('reads this machine in a worker thread: a listener it opens appears, owned, then its close', async () => {
    const {feed, patches} = feedOf();
    expect(feed.threadId).toBeGreaterThan(0);
    await feed.start();
    expect(patches.some((patch) => patch.name === os.hostname())).toBe(true);
    // The first frame's interfaces: read in this thread while the worker loads.
    const loopback = patches
      .find((patch) => patch.interfaces)
      ?.interfaces?.find((each) => each.name === 'lo');
    expect(loopback?.addresses.some((address) => address.address === '127.0.0.1')).toBe(true);
    const server = await listen();
    const port = portOf(server);
    const latest = () => patches.findLast((patch) => patch.sockets)?.sockets ?? [];
    try {
      await waitFor(
        () =>
          latest().some(
            (row) => row.state === 'LISTEN' && row.localPort === port && row.pid === process.pid,
          ),
        'the listener with this process as its owner',
        10_000,
      );
      const changes = patches.findLast((patch) => patch.socketChanges)!.socketChanges!;
      expect(changes.listing.sockets).toBe(latest());
      expect(changes.listing.keys).toHaveLength(latest().length);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await waitFor(
      () =>
        patches.some((patch) =>
          patch.socketChanges?.closed.some((closed) => closed.socket.localPort === port),
        ) && !latest().some((row) => row.localPort === port && row.state === 'LISTEN'),
      'the closed listener',
      10_000,
    );
    const event = patches
      .flatMap((patch) => patch.socketChanges?.events ?? [])
      .find((each) => each.change === 'closed' && each.socket.localPort === port);
    expect(event?.socket.state).toBe('LISTEN');
  });

  it('keeps the objects of unchanged sockets from one patch to the next', async () => {
    const {feed, patches} = feedOf();
    const server = await listen();
    try {
      await feed.start();
      const port = portOf(server);
      const row = () =>
        patches
          .findLast((patch) => patch.sockets)
          ?.sockets?.find((each) => each.localPort === port && each.pid === process.pid);
      await waitFor(() => row() !== undefined, 'the owned listener', 10_000);
      const first = row();
      const count = patches.filter((patch) => patch.sockets).length;
      // Another socket changes the listing; the listener's row stays the same object.
      const other = await listen();
      try {
        await waitFor(
          () => patches.filter((patch) => patch.sockets).length > count,
          'another listing',
          10_000,
        );
        expect(row()).toBe(first);
      } finally {
        other.close();
      }
    } finally {
      server.close();
    }
  });

  it('holds polls while quiet, and goes on once released', async () => {
    const {feed, patches} = feedOf({intervalMs: 50});
    await feed.start();
    const release = await feed.quiet();
    const held = patches.length;
    const server = await listen();
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(patches.length).toBe(held);
      release();
      await waitFor(() => patches.length > held, 'a patch after the release', 10_000);
    } finally {
      server.close();
    }
  });

  it('passes pause across the thread', async () => {
    const {feed, patches} = feedOf({intervalMs: 50});
    await feed.start();
    feed.control({paused: true});
    await feed.quiet().then((release) => release()); // the pause has reached the worker
    await new Promise((resolve) => setTimeout(resolve, 100));
    const paused = patches.length;
    const server = await listen();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(patches.length).toBe(paused);
      feed.control({paused: false});
      await waitFor(() => patches.length > paused, 'a patch after resuming', 10_000);
    } finally {
      server.close();
    }
  });

  it('stop() ends the worker: no thread, no more patches', async () => {
    const before = tasks();
    const {feed, patches} = feedOf({intervalMs: 50});
    await feed.start();
    const running = tasks();
    expect(running).toBeGreaterThan(before);
    const exited = new Promise((resolve) => feed.worker!.once('exit', resolve));
    await feed.stop();
    await exited;
    expect(feed.threadId).toBeUndefined();
    expect(tasks()).toBeLessThan(running);
    const after = patches.length;
    const server = await listen();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(patches.length).toBe(after);
    } finally {
      server.close();
    }
  });

  it('a /proc that is not there gives one-line health errors, not a crash', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'porthole-noproc-'));
    try {
      const {feed, patches} = feedOf({procRoot: path.join(empty, 'missing')});
      await feed.start();
      await waitFor(
        () => patches.some((patch) => patch.health?.sockets?.error),
        'a sockets health error',
        10_000,
      );
      const health = patches.findLast((patch) => patch.health)!.health!;
      for (const entry of Object.values(health)) {
        if (entry?.error) expect(entry.error).not.toContain('\n');
      }
      expect(feed.threadId).toBeGreaterThan(0); // the worker is still there
    } finally {
      rmSync(empty, {recursive: true, force: true});
    }
  });

  it('a worker that dies leaves a one-line error and the feed goes on in this thread', async () => {
    const {feed, patches} = feedOf({intervalMs: 50});
    await feed.start();
    await feed.worker!.terminate();
    await waitFor(() => patches.some((patch) => patch.health?.sockets?.error), 'the error', 10_000);
    const error = patches.find((patch) => patch.health?.sockets?.error)!.health!.sockets!.error!;
    expect(error).toMatch(/^worker thread stopped \(exit code 1\); reading in the main thread$/);
    expect(feed.worker).toBeUndefined();
    const server = await listen();
    try {
      const port = portOf(server);
      await waitFor(
        () =>
          patches.some((patch) =>
            patch.sockets?.some((row) => row.localPort === port && row.state === 'LISTEN'),
          ),
        'the listener, read in this thread',
        10_000,
      );
      // Quiet and control still work on the feed read here.
      const release = await feed.quiet();
      release();
      feed.control({intervalMs: 100});
    } finally {
      server.close();
    }
  });
});
