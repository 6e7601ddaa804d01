/**
 * The stream feed (porthole's own reader run on the host with Node) over real ssh to namespaced
 * hosts (test/helpers/ssh-hosts.ts; they share this machine's filesystem, so its node is theirs).
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {parseSshTarget} from '../../source/fleet/ssh-args.js';
import {createSshConnection, makeControlDir, type SshConnection} from '../../source/fleet/ssh.js';
import {
  createStreamFeed,
  hostReaderCommand,
  maxCommandBytes,
} from '../../source/fleet/stream-feed.js';
import {createHostFeed} from '../../source/fleet/host-feed.js';
import {hostFacts} from '../../source/ui/hosts/hosts-view.js';
import {emptyHost, type HostData, type HostFeed, type HostPatch} from '../../source/fleet/types.js';
import {
  canMakeHosts,
  cannotMakeHostsReason,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';
import {waitFor} from '../helpers/wait.js';

const intervalMs = 300;

/** A host's slice as the store would keep it: each patch's fields replace the slice's. */
function slice(id: string) {
  const host: HostData = emptyHost(id, id, false, 'ssh-node');
  const patches: HostPatch[] = [];
  return {
    host,
    patches,
    sink: (patch: HostPatch) => {
      patches.push(patch);
      Object.assign(host, patch);
    },
  };
}

function listens(host: HostData, port: number): boolean {
  return host.sockets.some(
    (socket) => socket.protocol === 'tcp' && socket.localPort === port && socket.state === 'LISTEN',
  );
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** This process's children that are ssh clients, from /proc. */
function sshChildren(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && stat.includes('(ssh)') && fields[0] !== 'Z') {
        found.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return found;
}

describe.skipIf(!canMakeHosts)(`the stream feed over ssh ${cannotMakeHostsReason}`, () => {
  let fleet: TestFleet;
  let controlDir: string;
  const connections: SshConnection[] = [];
  const feeds: HostFeed[] = [];

  beforeAll(async () => {
    [fleet, controlDir] = await Promise.all([createTestFleet(2), makeControlDir()]);
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

  function streamFeed(host: TestHost, connection = connect(host)) {
    const kept = slice(host.name);
    const feed = createStreamFeed({
      id: host.name,
      connection,
      sink: kept.sink,
      intervalMs,
      maxBackoffMs: 1000,
    });
    feeds.push(feed);
    return {feed, connection, ...kept};
  }

  test('the command carries the reader and stays under the single-argument limit', () => {
    const command = hostReaderCommand(1000);
    console.log(`host reader command: ${Buffer.byteLength(command)} bytes`);
    expect(Buffer.byteLength(command)).toBeLessThan(maxCommandBytes);
    expect(command).toContain('--interval 1000');
  });

  test('readings stream with the host’s own listeners; a new listener appears', async () => {
    const [host, other] = fleet.hosts as [TestHost, TestHost];
    const before = sshChildren();
    const {feed, host: data, connection} = streamFeed(host);
    await feed.start();
    expect(data.status).toMatchObject({state: 'up', method: 'ssh-node', owners: 'root'});
    // The Hosts pane says how the host is read.
    expect(hostFacts(data, Date.now()).stateText).toBe('up · node');
    expect(data.socketSource).toBe('proc');
    expect(listens(data, host.allPort)).toBe(true);
    expect(listens(data, host.loopbackPort)).toBe(true);
    if (other.allPort !== host.allPort) expect(listens(data, other.allPort)).toBe(false);
    const addresses = data.interfaces.flatMap((entry) => entry.addresses.map((a) => a.address));
    expect(addresses).toContain(host.address);
    expect(addresses).not.toContain(other.address);
    const listener = data.sockets.find((socket) => socket.localPort === host.allPort)!;
    expect(listener.pid).toBeGreaterThan(0);
    expect(listener).not.toHaveProperty('uid');
    await waitFor(() => (data.status.rttMs ?? 0) > 0, 'a round trip', 10_000);
    const polled = data.status.polledAt!;
    await waitFor(() => data.status.polledAt! > polled, 'a later reading', 10_000);

    // A listener opened inside the host, held until the test leaves a stop file.
    const stopFile = path.join(fleet.dir, 'stop-stream-listener');
    const portFile = path.join(fleet.dir, 'stream-listener-port');
    const holder = host.exec([
      process.execPath,
      '-e',
      `const fs = require('fs'), started = Date.now();
       const s = require('net').createServer().listen(0, '0.0.0.0', () =>
         fs.writeFileSync(${JSON.stringify(portFile)}, String(s.address().port)));
       setInterval(() => { if (fs.existsSync(${JSON.stringify(stopFile)}) || Date.now() - started > 60000) process.exit(0); }, 50);`,
    ]);
    try {
      await waitFor(() => fs.existsSync(portFile), 'the listener', 10_000);
      const port = Number(fs.readFileSync(portFile, 'utf8'));
      await waitFor(() => listens(data, port), 'the new listener in the stream', 15_000);
      const opened = data.socketChanges!.events.find(
        (event) => event.change === 'opened' && event.socket.localPort === port,
      );
      expect(opened?.socket.exposure).toBe('all-interfaces');
      fs.writeFileSync(stopFile, '');
      await holder;
      await waitFor(() => !listens(data, port), 'the listener gone from the stream', 15_000);
    } finally {
      fs.writeFileSync(stopFile, '');
      await holder.catch(() => undefined);
    }

    // stop() ends the reader on the host and every ssh process here.
    const pid = feed.hostPid!;
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    // The reader removed its own file as it started: nothing of it stays on the host.
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(2, 4)).toEqual(['--remove-self', '--interval']);
    expect(fs.existsSync(argv[1]!)).toBe(false);
    await feed.stop();
    await connection.close();
    await waitFor(() => !alive(pid), 'the reader gone from the host', 5000);
    expect(sshChildren().filter((each) => !before.includes(each))).toEqual([]);
  }, 90_000);

  test('pause and quiet stop the host’s reads; resume and release start them again', async () => {
    const host = fleet.hosts[1]!;
    const {feed, patches} = streamFeed(host);
    await feed.start();
    await waitFor(() => patches.length >= 3, 'readings', 10_000);

    feed.control({paused: true});
    await new Promise((resolve) => setTimeout(resolve, intervalMs + 200));
    let count = patches.length;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    // No readings while paused, and no stall taken for a failure.
    expect(patches.length).toBe(count);
    feed.control({paused: false});
    await waitFor(() => patches.length > count + 1, 'readings after resume', 10_000);
    expect(patches.at(-1)!.status).toMatchObject({state: 'up', error: undefined});

    const release = await feed.quiet();
    count = patches.length;
    await new Promise((resolve) => setTimeout(resolve, 4 * intervalMs));
    expect(patches.length).toBe(count);
    release();
    await waitFor(() => patches.length > count + 1, 'readings after release', 10_000);
    expect(patches.at(-1)!.status!.state).toBe('up');
  }, 60_000);

  test('the reader killed on the host: down, then back with a new reader', async () => {
    const host = fleet.hosts[0]!;
    const {feed, host: data, patches, connection} = streamFeed(host);
    await feed.start();
    const pid = feed.hostPid!;
    expect(alive(pid)).toBe(true);
    await connection.run(`kill -9 ${pid}`, {timeoutMs: 5000});
    await waitFor(() => patches.some((patch) => patch.status?.state === 'down'), 'down', 10_000);
    const down = patches.find((patch) => patch.status?.state === 'down')!.status!;
    expect(down.error).toMatch(/reader on the host ended/);
    expect(down.method).toBe('ssh-node');
    // The last data is kept while down.
    expect(listens(data, host.allPort)).toBe(true);
    await waitFor(() => data.status.state === 'up', 'up again', 15_000);
    expect(feed.hostPid).not.toBe(pid);
    expect(alive(feed.hostPid!)).toBe(true);
  }, 60_000);

  test('the ssh client here killed: the reader on the host ends with its session', async () => {
    const host = fleet.hosts[0]!;
    const before = sshChildren();
    const {feed, host: data} = streamFeed(host);
    await feed.start();
    const pid = feed.hostPid!;
    // This feed's stream: the one new ssh client that runs the reader (not the new master).
    const clients = sshChildren().filter((each) => {
      if (before.includes(each)) return false;
      let argv: string[];
      try {
        argv = fs.readFileSync(`/proc/${each}/cmdline`, 'utf8').split('\0');
      } catch {
        return false; // ended meanwhile
      }
      return (
        argv.includes('ControlMaster=no') && argv.some((word) => word.includes('--remove-self'))
      );
    });
    expect(clients).toHaveLength(1);
    process.kill(clients[0]!, 'SIGKILL');
    await waitFor(() => !alive(pid), 'the reader gone from the host', 10_000);
    await waitFor(() => data.status.state === 'up' && feed.hostPid !== pid, 'a new stream', 15_000);
  }, 60_000);

  test('sshd stopped with its sessions: down with the line, up once it is back', async () => {
    const host = fleet.hosts[1]!;
    const {feed, host: data} = streamFeed(host);
    await feed.start();
    expect(data.status.state).toBe('up');
    const pid = feed.hostPid!;
    await host.stopSshd({sessions: true});
    try {
      await waitFor(
        () => data.status.state === 'down' && /refused/.test(data.status.error ?? ''),
        'down with "connection refused"',
        20_000,
      );
      expect(data.status.error).toBe('connection refused');
      await waitFor(() => !alive(pid), 'the reader gone with its session', 5000);
    } finally {
      await host.startSshd();
    }
    await waitFor(() => data.status.state === 'up', 'up again', 20_000);
    expect(listens(data, host.allPort)).toBe(true);
  }, 60_000);

  test('a host without that node falls back to the shell method and says so', async () => {
    const host = fleet.hosts[0]!;
    const kept = slice(host.name);
    const before = sshChildren();
    const reasons: string[] = [];
    const feed = createHostFeed({
      id: `${host.name}#no-node`,
      connection: connect(host),
      sink: kept.sink,
      intervalMs,
      nodeCommand: 'no-such-node',
      onFallback: (reason) => reasons.push(reason),
    });
    feeds.push(feed);
    await feed.start();
    expect(reasons).toEqual(['no no-such-node on the host']);
    expect(kept.host.status).toMatchObject({state: 'up', method: 'ssh-shell'});
    expect(listens(kept.host, host.allPort)).toBe(true);
    expect(hostFacts(kept.host, Date.now()).stateText).toBe('up · sh');
    // No down was written on the way.
    expect(kept.patches.some((patch) => patch.status?.state === 'down')).toBe(false);
    await feed.stop();
    expect(sshChildren().filter((pid) => !before.includes(pid))).toEqual([]);

    // With node there, the same call streams.
    const streaming = slice(host.name);
    const nodeFeed = createHostFeed({
      id: host.name,
      connection: connect(host),
      sink: streaming.sink,
      intervalMs,
    });
    feeds.push(nodeFeed);
    await nodeFeed.start();
    expect(streaming.host.status).toMatchObject({state: 'up', method: 'ssh-node'});
    await nodeFeed.stop();
  }, 60_000);

  test('a stream that says nothing for three intervals is down and restarted', async () => {
    const host = fleet.hosts[0]!;
    const {feed, host: data, patches, connection} = streamFeed(host);
    await feed.start();
    const pid = feed.hostPid!;
    // Stopped, not ended: the session stays, the lines stop.
    await connection.run(`kill -STOP ${pid}`, {timeoutMs: 5000});
    try {
      await waitFor(() => data.status.state === 'down', 'down on a stall', 10_000);
      expect(data.status.error).toMatch(/^no reading for 0\.9 s$/);
    } finally {
      await connection.run(`kill -CONT ${pid}`, {timeoutMs: 5000}).catch(() => undefined);
    }
    await waitFor(() => data.status.state === 'up', 'up again', 15_000);
    expect(feed.hostPid).not.toBe(pid);
    expect(patches.at(-1)!.status!.method).toBe('ssh-node');
  }, 60_000);

  test('a host whose Node is older than 20 falls back with that reason', async () => {
    const host = fleet.hosts[1]!;
    // A stand-in for an old Node: the hello the reader says on Node 18, and its exit code.
    const oldNode = path.join(fleet.dir, 'old-node');
    fs.writeFileSync(
      oldNode,
      `#!/bin/sh\necho '{"hello":1,"node":"18.19.0","uid":0,"pid":1,"unsupported":"node 18.19.0 is older than 20"}'\nexit 98\n`,
      {mode: 0o755},
    );
    const kept = slice(host.name);
    const reasons: string[] = [];
    const feed = createHostFeed({
      id: `${host.name}#old-node`,
      connection: connect(host),
      sink: kept.sink,
      intervalMs,
      nodeCommand: oldNode,
      onFallback: (reason) => reasons.push(reason),
    });
    feeds.push(feed);
    await feed.start();
    expect(reasons).toEqual(['node 18.19.0 is older than 20']);
    expect(kept.host.status).toMatchObject({state: 'up', method: 'ssh-shell'});
    await feed.stop();
  }, 60_000);

  test('what a host streams is made visible: escapes in names and processes, bad fields', async () => {
    const host = fleet.hosts[1]!;
    const evil = '\u001b]0;owned\u0007\u001b[2J';
    const socket = {
      protocol: 'tcp',
      family: 4,
      state: 'LISTEN',
      localAddress: `0.0.0.0${evil}`,
      localPort: 4444,
      peerAddress: '0.0.0.0',
      peerPort: 0,
      recvQ: 0,
      sendQ: 0,
      pid: 7,
      process: `nc${evil}`,
      exposure: 'all-interfaces',
      inode: 99,
    };
    const lines = [
      {hello: 1, node: '20.0.0', uid: 0, pid: 1},
      {
        r: 1,
        name: `box${evil}`,
        interfaces: [],
        counters: {[`eth0${evil}`]: [1, 2]},
        listing: {base: 0, sequence: 1, runs: [-1, 1], added: [socket]},
        ownersHidden: false,
        owners: 'root',
        ms: 1,
      },
      // A port that is not a number: the stream is not to be trusted any further.
      {r: 2, listing: {base: 1, sequence: 2, runs: [-1, 1], added: [{...socket, localPort: 'x'}]}},
    ];
    // A stand-in reader: what a hostile host could send, then it waits for its stdin to end.
    const fake = path.join(fleet.dir, 'fake-node');
    fs.writeFileSync(
      fake,
      `#!/bin/sh\nprintf '%s\\n' ${lines.map((each) => `'${JSON.stringify(each)}'`).join(' ')}\ncat >/dev/null\n`,
      {mode: 0o755},
    );
    const kept = slice(host.name);
    const feed = createStreamFeed({
      id: host.name,
      connection: connect(host),
      sink: kept.sink,
      intervalMs: 5000,
      nodeCommand: fake,
    });
    feeds.push(feed);
    await feed.start();
    expect(kept.host.status.state).toBe('up');
    const shown = JSON.stringify([kept.host.name, kept.host.sockets, kept.host.traffic]);
    expect(shown).not.toMatch(/\\u001b|\\u0007/);
    expect(kept.host.sockets[0]!.process).toMatch(/^nc/);
    expect(kept.host.name).toMatch(/^box/);
    await waitFor(() => kept.host.status.state === 'down', 'down on a bad field', 10_000);
    expect(kept.host.status.error).toBe('unreadable stream: a field is not a number');
    // The last good data stays.
    expect(kept.host.sockets).toHaveLength(1);
    await feed.stop();
  }, 60_000);
});
