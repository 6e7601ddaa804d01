/**
 * A listener's backlog and dual-stack, from ss, on the rows of the /proc reader: real listeners
 * opened here on loopback and wildcards, looked up by the ports this test opened (the host may
 * have many others).
 */
import {spawn, spawnSync} from 'node:child_process';
import dgram from 'node:dgram';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createSocketsReader} from '../../source/collect/sockets/index.js';
import {
  createListenerDetails,
  parseSsListeners,
} from '../../source/collect/sockets/listener-details.js';
import type {ProcSocket} from '../../source/collect/sockets/proc-net.js';
import type {Socket} from '../../source/model.js';

const hasSs =
  process.platform === 'linux' && spawnSync('ss', ['-V'], {stdio: 'ignore'}).status === 0;
const somaxconn = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  } catch {
    return 4096;
  }
})();

function listen(options: net.ListenOptions): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({port: 0, ...options}, () => resolve(server));
  });
}

function bindUdp(type: 'udp4' | 'udp6', host: string, ipv6Only = false): Promise<dgram.Socket> {
  const socket = dgram.createSocket({type, ipv6Only});
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve(socket));
  });
}

const portOf = (server: net.Server | dgram.Socket) => (server.address() as net.AddressInfo).port;

const canMakeNamespace =
  process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0;
const source = path.resolve(import.meta.dirname, '../../source/collect/sockets');

/** Runs `body` (ES module code with the reader, the enricher and net at hand) in a new namespace. */
async function inNamespace(body: string): Promise<unknown> {
  const ns = `porthole-ld-${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'porthole-ld-'));
  const script = path.join(dir, 'poll.mts');
  writeFileSync(
    script,
    [
      `import net from 'node:net';`,
      `import {createSocketsReader} from ${JSON.stringify(path.join(source, 'index.ts'))};`,
      `import {createListenerDetails} from ${JSON.stringify(path.join(source, 'listener-details.ts'))};`,
      body,
    ].join('\n'),
  );
  try {
    const must = (args: string[]) => {
      const done = spawnSync('ip', args, {encoding: 'utf8'});
      if (done.status !== 0) throw new Error(`ip ${args.join(' ')}: ${done.stderr}`);
    };
    must(['netns', 'add', ns]);
    must(['-n', ns, 'link', 'set', 'lo', 'up']);
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const code = await new Promise((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`the poll in ${ns} ended with ${String(code)}: ${err}`);
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns], {stdio: 'ignore'});
    rmSync(dir, {recursive: true, force: true});
  }
}

function find(sockets: readonly Socket[], protocol: string, port: number): Socket | undefined {
  return sockets.find(
    (socket) =>
      socket.protocol === protocol &&
      socket.localPort === port &&
      (protocol === 'udp' || socket.state === 'LISTEN'),
  );
}

describe.skipIf(!hasSs)('listener details from ss', () => {
  const servers: net.Server[] = [];
  const datagrams: dgram.Socket[] = [];
  let dual: net.Server;
  let v6only: net.Server;
  let loopback: net.Server;
  let udpDual: dgram.Socket;
  let udpV6only: dgram.Socket;
  let udp4: dgram.Socket;

  beforeAll(async () => {
    dual = await listen({host: '::', ipv6Only: false, backlog: 7});
    v6only = await listen({host: '::', ipv6Only: true, backlog: 9});
    loopback = await listen({host: '127.0.0.1', backlog: 511});
    servers.push(dual, v6only, loopback);
    udpDual = await bindUdp('udp6', '::');
    udpV6only = await bindUdp('udp6', '::', true);
    udp4 = await bindUdp('udp4', '127.0.0.1');
    datagrams.push(udpDual, udpV6only, udp4);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    for (const socket of datagrams) socket.close();
  });

  it('gives a listener its backlog as sendQ, and a :: listener whether it takes IPv4', async () => {
    const reader = createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0});
    const {sockets} = await reader.read();
    expect(find(sockets, 'tcp', portOf(dual))).toMatchObject({
      family: 6,
      localAddress: '::',
      sendQ: 7,
      dualStack: true,
    });
    expect(find(sockets, 'tcp', portOf(v6only))).toMatchObject({sendQ: 9, dualStack: false});
    const capped = find(sockets, 'tcp', portOf(loopback))!;
    expect(capped).toMatchObject({localAddress: '127.0.0.1', sendQ: Math.min(511, somaxconn)});
    // Not an IPv6 wildcard: nothing to say of dual-stack.
    expect(capped.dualStack ?? null).toBeNull();
    expect(find(sockets, 'udp', portOf(udpDual))).toMatchObject({
      localAddress: '::',
      dualStack: true,
    });
    expect(find(sockets, 'udp', portOf(udpV6only))).toMatchObject({dualStack: false});
    expect(find(sockets, 'udp', portOf(udp4))!.dualStack ?? null).toBeNull();
  });

  it.skipIf(!canMakeNamespace)(
    'runs ss again only when a new listener appears, and hands unchanged rows back',
    async () => {
      // In a namespace of its own, where no other listener can come and go meanwhile.
      const result = await inNamespace(`
        let clock = 0;
        const details = createListenerDetails({now: () => clock});
        const reader = createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0});
        const poll = async () => {
          const rows = (await reader.read()).sockets;
          await details.apply(rows);
          return rows;
        };
        const listen = (options) => new Promise((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen({port: 0, ...options}, () => resolve(server));
        });
        const portOf = (server) => server.address().port;
        const pick = (rows, port) => rows.find((row) => row.localPort === port && row.state === 'LISTEN');
        const first = await listen({host: '::', ipv6Only: false, backlog: 7});
        const out = {};
        const one = await poll();
        out.runs1 = details.runs;
        out.first1 = pick(one, portOf(first));
        const two = await poll();
        out.runs2 = details.runs;
        out.same = pick(one, portOf(first)) === pick(two, portOf(first));
        const second = await listen({host: '::', ipv6Only: true, backlog: 3});
        // Within two seconds of the last run, a new listener waits: churn is not a run a poll.
        clock = 1999;
        out.runsSoon = (await poll(), details.runs);
        clock = 2000;
        const three = await poll();
        out.runs3 = details.runs;
        out.second3 = pick(three, portOf(second));
        second.close();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await poll();
        out.runs4 = details.runs;
        out.why = details.why;
        console.log(JSON.stringify(out));
        process.exit(0);
      `);
      expect(result).toMatchObject({
        runs1: 1,
        first1: {sendQ: 7, dualStack: true},
        runs2: 1,
        same: true,
        runsSoon: 1,
        runs3: 2,
        second3: {sendQ: 3, dualStack: false},
        // A listener that went does not make ss run.
        runs4: 2,
        why: null,
      });
    },
    30_000,
  );

  it('without ss the facts stay unknown: the poll goes on, with one reason, not asked each poll', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'porthole-no-ss-'));
    try {
      let time = 0;
      const details = createListenerDetails({
        env: {...process.env, PATH: empty},
        now: () => time,
        backoffMs: 1000,
      });
      const reader = createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0});
      const rows = (await reader.read()).sockets.map((socket) => {
        // The reader's rows carry its own enricher's facts; start from what /proc says.
        const {dualStack, ...rest} = socket as ProcSocket;
        void dualStack;
        return rest.state === 'LISTEN' ? {...rest, sendQ: 0} : rest;
      });
      await details.apply(rows);
      expect(details.why).toBe('no ss on this machine');
      expect(details.runs).toBe(1);
      const row = find(rows, 'tcp', portOf(dual))!;
      expect(row.sendQ).toBe(0);
      expect(row.dualStack ?? null).toBeNull();
      await details.apply(rows);
      expect(details.runs).toBe(1);
      time = 1000;
      await details.apply(rows);
      expect(details.runs).toBe(2);
      // The wait doubles.
      time = 2500;
      await details.apply(rows);
      expect(details.runs).toBe(2);
      time = 3000;
      await details.apply(rows);
      expect(details.runs).toBe(3);
      expect(details.why).toBe('no ss on this machine');
    } finally {
      rmSync(empty, {recursive: true, force: true});
    }
  });

  it('a whole reader on a PATH without ss reads its sockets, with no facts of ss', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'porthole-no-ss-'));
    const saved = process.env.PATH;
    try {
      process.env.PATH = empty;
      const reader = createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0});
      const {sockets} = await reader.read();
      const row = find(sockets, 'tcp', portOf(dual))!;
      expect(row).toMatchObject({localAddress: '::', sendQ: 0});
      expect(row.dualStack ?? null).toBeNull();
    } finally {
      process.env.PATH = saved;
      rmSync(empty, {recursive: true, force: true});
    }
  });

  it('an ss that hangs is given up after the timeout, the poll does not wait for it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'porthole-slow-ss-'));
    try {
      const slow = path.join(dir, 'ss');
      writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(slow, 0o755);
      const details = createListenerDetails({command: slow, timeoutMs: 300});
      const reader = createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0});
      const rows = (await reader.read()).sockets as ProcSocket[];
      const started = performance.now();
      await details.apply(rows);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(details.why).toBe(`${slow} took longer than 300 ms`);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('an ss that fails says its own first line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'porthole-bad-ss-'));
    try {
      const bad = path.join(dir, 'ss');
      writeFileSync(
        bad,
        '#!/bin/sh\necho "Cannot open netlink socket: Protocol not supported" >&2\nexit 1\n',
      );
      chmodSync(bad, 0o755);
      const details = createListenerDetails({command: bad});
      const rows = (
        await createSocketsReader({procRoot: '/proc', source: 'proc', restampMs: 0}).read()
      ).sockets as ProcSocket[];
      await details.apply(rows);
      expect(details.why).toBe(`${bad}: Cannot open netlink socket: Protocol not supported`);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('reading ss', () => {
  it('reads backlog, inode and v6only, with and without the netid column', () => {
    const text = [
      'tcp LISTEN 0      7              *:37357       *:* ino:68655 sk:1a cgroup:/ v6only:0 <->',
      'tcp LISTEN 0      9           [::]:37293    [::]:* ino:68656 sk:19 cgroup:/ v6only:1 <->',
      'tcp LISTEN 2      511    127.0.0.1:33633 0.0.0.0:* ino:68657 sk:18 cgroup:/ <->',
      'udp UNCONN 0      0              *:47817       *:* ino:68659 sk:16 cgroup:/ v6only:0 <->',
      'LISTEN 0 128 [fe80::1]%eth0:22 [::]:* ino:5 sk:1 v6only:1',
      'UNCONN 0 0 [::ffff:127.0.0.1]:53 *:* ino:6 sk:2 v6only:0',
      // The last v6only is ss's: a cgroup path (named by whoever made it) comes before it.
      'tcp LISTEN 0 50 [::]:82 [::]:* ino:9 sk:5 cgroup:/a v6only:0 v6only:1',
      'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port',
      'tcp LISTEN 0 x 0.0.0.0:83 0.0.0.0:* ino:10',
      'tcp LISTEN 0 5 0.0.0.0:84 0.0.0.0:* ino:x',
      'garbage',
      '',
    ].join('\n');
    expect(Object.fromEntries(parseSsListeners(text))).toEqual({
      68655: {protocol: 'tcp', backlog: 7, dualStack: true},
      68656: {protocol: 'tcp', backlog: 9, dualStack: false},
      68657: {protocol: 'tcp', backlog: 511, dualStack: null},
      68659: {protocol: 'udp', backlog: null, dualStack: true},
      5: {protocol: 'tcp', backlog: 128, dualStack: false},
      6: {protocol: 'udp', backlog: null, dualStack: true},
      9: {protocol: 'tcp', backlog: 50, dualStack: false},
      10: {protocol: 'tcp', backlog: null, dualStack: null},
    });
  });

  it('an ss that read /proc/net (no v6only) gives no backlog, and says IPv6-only only of [::]', () => {
    const text = [
      'tcp LISTEN 0 0 *:80 *:* ino:7 sk:3',
      'tcp LISTEN 0 0 [::]:81 [::]:* ino:8 sk:4',
      'tcp LISTEN 0 0 0.0.0.0:22 0.0.0.0:* ino:11 sk:6',
    ].join('\n');
    expect(Object.fromEntries(parseSsListeners(text))).toEqual({
      7: {protocol: 'tcp', backlog: null, dualStack: null},
      8: {protocol: 'tcp', backlog: null, dualStack: false},
      11: {protocol: 'tcp', backlog: null, dualStack: null},
    });
  });
});
