/**
 * The SSH host feed over real ssh to namespaced hosts (test/helpers/ssh-hosts.ts): each host's
 * rows are its own, a host whose login prints a banner reads the same, and what a poll costs.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parseSshTarget} from '../../source/fleet/ssh-args.js';
import {createSshConnection, makeControlDir, type SshConnection} from '../../source/fleet/ssh.js';
import {createRemoteFeed} from '../../source/fleet/remote-feed.js';
import {parseRemoteReading} from '../../source/fleet/remote-parse.js';
import {remoteCommand, remoteScriptPlain} from '../../source/fleet/remote-script.js';
import type {HostFeed, HostPatch} from '../../source/fleet/types.js';
import {
  canMakeHosts,
  cannotMakeHostsReason,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';
import {waitFor} from '../helpers/wait.js';

describe.skipIf(!canMakeHosts)(`the SSH host feed over ssh ${cannotMakeHostsReason}`, () => {
  let fleet: TestFleet;
  let controlDir: string;
  const connections: SshConnection[] = [];
  const feeds: HostFeed[] = [];

  beforeAll(async () => {
    [fleet, controlDir] = await Promise.all([
      createTestFleet(2, {banner: [false, true]}),
      makeControlDir(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(feeds.map((feed) => feed.stop()));
    await Promise.all(connections.map((connection) => connection.close()));
    await fleet?.cleanup();
    if (controlDir) fs.rmSync(controlDir, {recursive: true, force: true});
  });

  function connect(host: TestHost): SshConnection {
    const connection = createSshConnection(parseSshTarget(host.name), {
      configFile: fleet.sshConfig,
      controlDir,
    });
    connections.push(connection);
    return connection;
  }

  test('each host’s rows are its own, the banner host’s too', async () => {
    const [plain, bannered] = fleet.hosts as [TestHost, TestHost];
    expect(bannered.banner).toBeTruthy();
    const written = new Map<string, HostPatch[]>();
    for (const host of [plain, bannered]) {
      const patches: HostPatch[] = [];
      written.set(host.name, patches);
      const feed = createRemoteFeed({
        id: host.name,
        runner: connect(host),
        sink: (patch) => patches.push(patch),
        intervalMs: 500,
      });
      feeds.push(feed);
    }
    await Promise.all(feeds.map((feed) => feed.start()));

    for (const [host, other] of [
      [plain, bannered],
      [bannered, plain],
    ] as const) {
      const patches = written.get(host.name)!;
      const first = patches[0]!;
      expect(first.status, host.name).toMatchObject({
        state: 'up',
        method: 'ssh-shell',
        owners: 'root',
      });
      expect(first.status!.rttMs).toBeGreaterThan(0);
      const sockets = first.sockets!;
      const listener = (port: number) =>
        sockets.find(
          (socket) =>
            socket.protocol === 'tcp' && socket.localPort === port && socket.state === 'LISTEN',
        );
      expect(listener(host.allPort)).toMatchObject({
        localAddress: '0.0.0.0',
        exposure: 'all-interfaces',
      });
      expect(listener(host.loopbackPort)).toMatchObject({
        localAddress: '127.0.0.1',
        exposure: 'loopback',
      });
      expect(listener(host.allPort)!.pid).toBeGreaterThan(0);
      expect(listener(host.allPort)!.process).toBeTruthy();
      // The other host's listeners are not this host's (unless both drew the same port).
      if (other.allPort !== host.allPort) expect(listener(other.allPort)).toBeUndefined();
      if (other.loopbackPort !== host.loopbackPort)
        expect(listener(other.loopbackPort)).toBeUndefined();
      // Its sshd, on its own address.
      expect(
        sockets.some((socket) => socket.localPort === 22 && socket.localAddress === host.address),
      ).toBe(true);
      const addresses = first.interfaces!.flatMap((entry) => entry.addresses.map((a) => a.address));
      expect(addresses).toContain(host.address);
      expect(addresses).not.toContain(other.address);
      expect(first.interfaces!.find((entry) => entry.name === 'lo')?.addresses).toContainEqual({
        address: '127.0.0.1',
        family: 4,
        prefixLength: 8,
        kind: 'loopback',
      });
    }
    // Polls go on: traffic rates arrive with the second sample.
    await waitFor(
      () =>
        written
          .get(plain.name)!
          .some((patch) =>
            Object.values(patch.traffic ?? {}).some((entry) => entry.rxRate !== undefined),
          ),
      'a traffic rate',
      10_000,
    );
  }, 60_000);

  test('what a poll costs, at a few sockets and at ~1,000', async () => {
    const host = fleet.hosts[0]!;
    const connection = connect(host);
    await connection.connect();
    const measure = async (label: string) => {
      const figures = [];
      for (const [name, command] of [
        ['gzip', remoteCommand()],
        ['plain', remoteCommand(remoteScriptPlain)],
      ] as const) {
        const runs = [];
        for (let i = 0; i < 5; i++) runs.push(await connection.run(command, {timeoutMs: 20_000}));
        const reading = parseRemoteReading(runs.at(-1)!.stdout);
        const ms = runs.map((run) => run.ms).sort((a, b) => a - b);
        figures.push(
          `${name}: ${runs.at(-1)!.stdout.length} bytes, ${ms[2]!.toFixed(1)} ms median wall (${reading.sockets.length} sockets)`,
        );
      }
      console.log(`${label}: ${figures.join('; ')}`);
      return figures;
    };
    await measure('idle host');
    // ~1,000 sockets inside the host: 250 connections to one listener (both ends) and 500 UDP,
    // held until the test leaves a stop file (or 150 s pass).
    const stopFile = path.join(fleet.dir, 'stop-holder');
    const holder = host.exec([
      process.execPath,
      '-e',
      `const net = require('net'), dgram = require('dgram');
       const s = net.createServer().listen(0, '127.0.0.1', () => {
         for (let i = 0; i < 250; i++) net.connect(s.address().port, '127.0.0.1');
         for (let i = 0; i < 500; i++) dgram.createSocket('udp4').bind(0, '127.0.0.1');
       });
       const fs = require('fs'), started = Date.now();
       setInterval(() => { if (fs.existsSync(${JSON.stringify(stopFile)}) || Date.now() - started > 150000) process.exit(0); }, 50);`,
    ]);
    try {
      await waitFor(
        async () => {
          const out = await connection.run('cat /proc/net/tcp /proc/net/udp | wc -l', {
            timeoutMs: 10_000,
          });
          return Number(out.stdout.toString().trim()) > 1000;
        },
        '1,000 sockets on the host',
        15_000,
      );
      const figures = await measure('~1,000 sockets');
      expect(figures).toHaveLength(2);
      const reading = parseRemoteReading(
        (await connection.run(remoteCommand(), {timeoutMs: 20_000})).stdout,
      );
      expect(reading.sockets.length).toBeGreaterThan(1000);
      expect(reading.sockets.filter((socket) => socket.process === 'node').length).toBeGreaterThan(
        990,
      );
    } finally {
      fs.writeFileSync(stopFile, '');
      await holder.catch(() => undefined);
    }
  }, 180_000);
});
