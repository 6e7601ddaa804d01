import {execFileSync, spawn, spawnSync} from 'node:child_process';
import dgram from 'node:dgram';
import {
  accessSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type {Systeminformation} from 'systeminformation';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {socketFromConnection} from '../../source/collect/sockets/fallback.js';
import {createSocketsReader, type SocketsReading} from '../../source/collect/sockets/index.js';
import {createOwnerCache} from '../../source/collect/sockets/owners.js';
import type {Socket} from '../../source/model.js';
import {serviceName} from '../../source/net/services.js';
import {waitFor} from '../helpers/wait.js';

const isRoot = process.getuid?.() === 0;
const commandExists = (command: string, args: string[]) =>
  spawnSync(command, args, {stdio: 'ignore'}).status === 0;
const procNetReadable = (() => {
  try {
    accessSync('/proc/net/tcp');
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();
const hasSs = procNetReadable && commandExists('ss', ['-V']);
const hasNetstat = commandExists('netstat', ['--version']);

function listen(host: string, options: {ipv6Only?: boolean} = {}): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({host, port: 0, ...options}, () => resolve(server));
  });
}

const portOf = (server: net.Server | dgram.Socket) => (server.address() as net.AddressInfo).port;

async function canUseIpv6(): Promise<boolean> {
  try {
    const server = await listen('::1', {ipv6Only: true});
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
}

/** Connects `count` clients to `server` and waits until both ends of each are up. */
async function connectPairs(server: net.Server, host: string, count: number) {
  const accepted: net.Socket[] = [];
  server.on('connection', (socket) => accepted.push(socket));
  const clients = await Promise.all(
    Array.from(
      {length: count},
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const client = net.connect(portOf(server), host, () => resolve(client));
          client.once('error', reject);
        }),
    ),
  );
  await waitFor(() => accepted.length === count, 'accepted connections');
  return {clients, accepted};
}

function describeRows(rows: Socket[], ports: Set<number>): string[] {
  return rows
    .filter((row) => ports.has(row.localPort) || ports.has(row.peerPort))
    .filter((row) => row.state !== 'TIME-WAIT')
    .map(
      (row) =>
        `${row.protocol} ${row.state} ${row.localAddress} ${row.localPort} ${row.peerAddress} ${row.peerPort}`,
    )
    .sort();
}

/** `ss -tuanH` rows in the same words: "tcp LISTEN 127.0.0.1 80 0.0.0.0 0". */
function ssRows(ports: Set<number>): string[] {
  const endpoint = (text: string): [string, number] => {
    const colon = text.lastIndexOf(':');
    let host = text.slice(0, colon);
    const portText = text.slice(colon + 1);
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    // ss writes the wildcard of a dual-stack IPv6 socket (not IPV6_V6ONLY) as "*"; /proc says ::.
    if (host === '*') host = '::';
    const zone = host.indexOf('%');
    if (zone >= 0) host = host.slice(0, zone);
    return [host, portText === '*' ? 0 : Number(portText)];
  };
  const rows: string[] = [];
  for (const line of execFileSync('ss', ['-tuanH'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }).split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) continue;
    const [protocol, state, , , local, peer] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const [localAddress, localPort] = endpoint(local);
    const [peerAddress, peerPort] = endpoint(peer);
    if (!ports.has(localPort) && !ports.has(peerPort)) continue;
    if (state === 'TIME-WAIT') continue;
    rows.push(`${protocol} ${state} ${localAddress} ${localPort} ${peerAddress} ${peerPort}`);
  }
  return rows.sort();
}

describe.runIf(procNetReadable)('sockets reader on this machine', () => {
  let ipv6 = false;
  const servers: net.Server[] = [];
  const streams: net.Socket[] = [];
  const datagrams: dgram.Socket[] = [];
  let anyV4: net.Server;
  let loopbackV4: net.Server;
  let anyV6: net.Server | undefined;
  let loopbackV6: net.Server | undefined;
  let pairsV4: {clients: net.Socket[]; accepted: net.Socket[]};
  let pairsV6: {clients: net.Socket[]; accepted: net.Socket[]} | undefined;
  let dualStack: net.Server | undefined;
  let pairMapped: {clients: net.Socket[]; accepted: net.Socket[]} | undefined;
  let unconnected: dgram.Socket;
  let connected: dgram.Socket;
  let reading: SocketsReading;
  let ssAfter: string[] = [];
  const ports = new Set<number>();
  const comm = readFileSync('/proc/self/comm', 'utf8').replace(/\n$/, '');

  beforeAll(async () => {
    ipv6 = await canUseIpv6();
    anyV4 = await listen('0.0.0.0');
    loopbackV4 = await listen('127.0.0.1');
    servers.push(anyV4, loopbackV4);
    if (ipv6) {
      anyV6 = await listen('::', {ipv6Only: true});
      loopbackV6 = await listen('::1', {ipv6Only: true});
      servers.push(anyV6, loopbackV6);
    }
    pairsV4 = await connectPairs(loopbackV4, '127.0.0.1', 3);
    streams.push(...pairsV4.clients, ...pairsV4.accepted);
    if (loopbackV6) {
      pairsV6 = await connectPairs(loopbackV6, '::1', 2);
      streams.push(...pairsV6.clients, ...pairsV6.accepted);
      // An IPv6 socket that also takes IPv4: its IPv4 peers show as ::ffff:a.b.c.d.
      dualStack = await listen('::');
      servers.push(dualStack);
      pairMapped = await connectPairs(dualStack, '127.0.0.1', 1);
      streams.push(...pairMapped.clients, ...pairMapped.accepted);
    }
    unconnected = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => unconnected.bind(0, '127.0.0.1', resolve));
    connected = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => connected.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) =>
      connected.connect(portOf(unconnected), '127.0.0.1', resolve),
    );
    datagrams.push(unconnected, connected);
    for (const server of servers) ports.add(portOf(server));
    for (const socket of datagrams) ports.add(portOf(socket));

    reading = await createSocketsReader().read();
    if (hasSs) ssAfter = ssRows(ports);
  });

  afterAll(async () => {
    for (const socket of streams) socket.destroy();
    for (const socket of datagrams) socket.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const find = (predicate: (row: Socket) => boolean) => {
    const rows = reading.sockets.filter(predicate);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const listenerOn = (server: net.Server) =>
    find(
      (row) => row.protocol === 'tcp' && row.state === 'LISTEN' && row.localPort === portOf(server),
    );

  it('reads /proc by default and times itself', () => {
    expect(reading.source).toBe('proc');
    expect(reading.durationMs).toBeGreaterThan(0);
    if (isRoot) expect(reading.ownersHidden).toBe(false);
  });

  it('finds the IPv4 listeners with their exposure', () => {
    expect(listenerOn(anyV4)).toMatchObject({
      family: 4,
      localAddress: '0.0.0.0',
      peerAddress: '0.0.0.0',
      peerPort: 0,
      exposure: 'all-interfaces',
    });
    expect(listenerOn(loopbackV4)).toMatchObject({
      family: 4,
      localAddress: '127.0.0.1',
      exposure: 'loopback',
    });
  });

  it('finds the IPv6 listeners with their exposure', (context) => {
    if (!anyV6 || !loopbackV6) return context.skip('no IPv6 on this machine');
    expect(listenerOn(anyV6)).toMatchObject({
      family: 6,
      localAddress: '::',
      exposure: 'all-interfaces',
    });
    expect(listenerOn(loopbackV6)).toMatchObject({
      family: 6,
      localAddress: '::1',
      exposure: 'loopback',
    });
  });

  it('finds both ends of each established loopback connection', () => {
    const serverPort = portOf(loopbackV4);
    for (const client of pairsV4.clients) {
      expect(
        find(
          (row) =>
            row.protocol === 'tcp' &&
            row.localPort === client.localPort &&
            row.peerPort === serverPort,
        ),
      ).toMatchObject({state: 'ESTAB', localAddress: '127.0.0.1', peerAddress: '127.0.0.1'});
      expect(
        find(
          (row) =>
            row.protocol === 'tcp' &&
            row.localPort === serverPort &&
            row.peerPort === client.localPort,
        ),
      ).toMatchObject({state: 'ESTAB', exposure: 'loopback'});
    }
    if (pairsV6 && loopbackV6) {
      for (const client of pairsV6.clients) {
        expect(
          find((row) => row.localPort === client.localPort && row.peerPort === portOf(loopbackV6!)),
        ).toMatchObject({state: 'ESTAB', family: 6, localAddress: '::1', peerAddress: '::1'});
      }
    }
  });

  it('shows IPv4 peers of a dual-stack listener as v4-mapped IPv6, exposed on loopback', (context) => {
    if (!dualStack || !pairMapped) return context.skip('no IPv6 on this machine');
    const client = pairMapped.clients[0]!;
    expect(
      find((row) => row.localPort === portOf(dualStack!) && row.peerPort === client.localPort),
    ).toMatchObject({
      family: 6,
      state: 'ESTAB',
      localAddress: '::ffff:127.0.0.1',
      peerAddress: '::ffff:127.0.0.1',
      exposure: 'loopback',
    });
  });

  it('finds the UDP sockets: bound (UNCONN) and connected (ESTAB)', () => {
    expect(
      find((row) => row.protocol === 'udp' && row.localPort === portOf(unconnected)),
    ).toMatchObject({
      state: 'UNCONN',
      localAddress: '127.0.0.1',
      peerPort: 0,
      exposure: 'loopback',
    });
    expect(
      find((row) => row.protocol === 'udp' && row.localPort === portOf(connected)),
    ).toMatchObject({
      state: 'ESTAB',
      peerAddress: '127.0.0.1',
      peerPort: portOf(unconnected),
    });
  });

  it('names this process as the owner of every socket it opened', () => {
    const own = reading.sockets.filter(
      (row) => row.state !== 'TIME-WAIT' && (ports.has(row.localPort) || ports.has(row.peerPort)),
    );
    expect(own.length).toBeGreaterThanOrEqual(ipv6 ? 5 + 6 + 4 + 2 + 2 : 2 + 6 + 2);
    for (const row of own) {
      expect(row.pid).toBe(process.pid);
      expect(row.process).toBe(comm);
      expect(row.inode).toBeGreaterThan(0);
    }
  });

  it('names the same owners with one complete scan shared with a worker', async () => {
    const once = await createSocketsReader({owners: 'scan-once'}).read();
    const own = once.sockets.filter(
      (row) => row.state !== 'TIME-WAIT' && (ports.has(row.localPort) || ports.has(row.peerPort)),
    );
    expect(own.length).toBeGreaterThanOrEqual(ipv6 ? 5 + 6 + 4 + 2 + 2 : 2 + 6 + 2);
    for (const row of own) expect(row).toMatchObject({pid: process.pid, process: comm});
  });

  it.runIf(hasSs)('lists the same sockets as ss -tuanH', () => {
    expect(describeRows(reading.sockets, ports)).toEqual(ssAfter);
    expect(ssAfter.length).toBeGreaterThan(0);
  });

  it('reads a table that the kernel hands over a page at a time to its last row', async () => {
    // 27 rows fit one 4 KiB read of /proc/net/tcp: 80 pairs take six reads, the last one short.
    const server = await listen('127.0.0.1');
    const many = await connectPairs(server, '127.0.0.1', 80);
    try {
      const rows = (await createSocketsReader().read()).sockets.filter(
        (row) => row.state === 'ESTAB' && row.localPort === portOf(server),
      );
      expect(new Set(rows.map((row) => row.peerPort))).toEqual(
        new Set(many.clients.map((client) => client.localPort)),
      );
    } finally {
      for (const socket of [...many.clients, ...many.accepted]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('finds the owner of a socket opened between polls, and drops it once closed', async () => {
    const reader = createSocketsReader();
    await reader.read();
    const extra = await listen('127.0.0.1');
    const port = portOf(extra);
    // Owner scans are throttled right after a scan, so the owner may take a poll or two.
    let latest: SocketsReading | undefined;
    const extraRow = () => latest?.sockets.find((row) => row.localPort === port);
    // A scan on a busy machine (many processes and fds) takes longer, and so does its throttle.
    await waitFor(
      async () => {
        latest = await reader.read();
        return extraRow()?.pid === process.pid;
      },
      'the owner of the new listener',
      30_000,
    );
    expect(extraRow()).toMatchObject({state: 'LISTEN', process: comm});
    expect(latest?.sockets.find((row) => row.localPort === portOf(anyV4))?.pid).toBe(process.pid);
    await new Promise((resolve) => extra.close(resolve));
    latest = await reader.read();
    expect(latest.sockets.some((row) => row.localPort === port && row.state === 'LISTEN')).toBe(
      false,
    );
  }, 45_000);

  it.runIf(hasNetstat || hasSs)(
    'falls back to systeminformation, which finds the listener and its pid',
    async () => {
      const reader = createSocketsReader({source: 'systeminformation'});
      expect(reader.source).toBe('systeminformation');
      const fallback = await reader.read();
      expect(fallback.source).toBe('systeminformation');
      const row = fallback.sockets.find(
        (socket) =>
          socket.protocol === 'tcp' &&
          socket.state === 'LISTEN' &&
          socket.localPort === portOf(anyV4),
      );
      expect(row).toMatchObject({
        family: 4,
        localAddress: '0.0.0.0',
        exposure: 'all-interfaces',
        pid: process.pid,
        recvQ: 0,
        sendQ: 0,
      });
    },
  );

  it.runIf(isRoot)(
    'reports hidden owners to a reader without root, and keeps the sockets',
    async () => {
      // The checkout may sit where nobody cannot reach it: nobody runs a bundle of the reader,
      // made into a directory everyone can read.
      const script = `
      import {createSocketsReader} from './source/collect/sockets/index.ts';
      const reading = await createSocketsReader().read();
      const row = reading.sockets.find((s) => s.state === 'LISTEN' && s.localPort === ${portOf(anyV4)});
      console.log(JSON.stringify({ownersHidden: reading.ownersHidden, row: row ?? null}));
    `;
      const shared = mkdtempSync(path.join(tmpdir(), 'porthole-nobody-'));
      chmodSync(shared, 0o755);
      const bundle = path.join(shared, 'reader.mjs');
      await esbuild.build({
        stdin: {contents: script, resolveDir: process.cwd(), loader: 'ts'},
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundle,
        logLevel: 'silent',
        banner: {
          js: "import {createRequire} from 'node:module'; const require = createRequire(import.meta.url);",
        },
      });
      chmodSync(bundle, 0o644);
      const child = spawn(process.execPath, [bundle], {
        uid: 65_534,
        gid: 65_534,
        cwd: shared,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect(errors).toBe('');
      expect(code).toBe(0);
      rmSync(shared, {recursive: true, force: true});
      const result = JSON.parse(output) as {ownersHidden: boolean; row: Socket | null};
      expect(result.ownersHidden).toBe(true);
      expect(result.row).toMatchObject({state: 'LISTEN', pid: null, process: null});
    },
  );
});

/** A procfs look-alike in a temp dir: net tables and process directories written by the test. */
class FakeProc {
  readonly root = mkdtempSync(path.join(tmpdir(), 'porthole-proc-'));

  constructor() {
    mkdirSync(path.join(this.root, 'net'));
  }

  table(name: string, lines: string[]): this {
    const header =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
    writeFileSync(path.join(this.root, 'net', name), [header, ...lines].join('\n') + '\n');
    return this;
  }

  process(pid: number, name: string, inodes: number[], startTime = 1000): this {
    const dir = path.join(this.root, String(pid));
    rmSync(dir, {recursive: true, force: true});
    mkdirSync(path.join(dir, 'fd'), {recursive: true});
    writeFileSync(path.join(dir, 'comm'), `${name}\n`);
    this.startTime(pid, startTime);
    // fds 0-2 are not sockets, as in a real process.
    for (let fd = 0; fd < 3; fd++) symlinkSync('/dev/null', path.join(dir, 'fd', String(fd)));
    inodes.forEach((inode, index) => this.link(pid, 3 + index, inode));
    return this;
  }

  link(pid: number, fd: number, inode: number): this {
    symlinkSync(`socket:[${inode}]`, path.join(this.root, String(pid), 'fd', String(fd)));
    return this;
  }

  startTime(pid: number, ticks: number): this {
    const fields = ['S', '1', String(pid), String(pid), '0', '-1', '4194560'];
    while (fields.length < 19) fields.push('0');
    fields.push(String(ticks), '0', '0');
    writeFileSync(path.join(this.root, String(pid), 'stat'), `${pid} (name) ${fields.join(' ')}\n`);
    return this;
  }

  rename(pid: number, name: string): this {
    writeFileSync(path.join(this.root, String(pid), 'comm'), `${name}\n`);
    return this;
  }

  /** A process whose fd directory exists but cannot be listed. */
  hiddenProcess(pid: number): this {
    const dir = path.join(this.root, String(pid));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'comm'), 'secret\n');
    if (isRoot) {
      writeFileSync(path.join(dir, 'fd'), ''); // root reads any directory; a file cannot be listed
    } else {
      mkdirSync(path.join(dir, 'fd'));
      chmodSync(path.join(dir, 'fd'), 0);
    }
    return this;
  }

  exit(pid: number): this {
    rmSync(path.join(this.root, String(pid)), {recursive: true, force: true});
    return this;
  }

  /**
   * The kernel's socket counters, as sockstat, sockstat6, snmp and snmp6 would show them; only
   * sockstat begins with the count of every socket of the host.
   */
  counters(text: string, allSockets = 9): this {
    for (const file of ['sockstat', 'sockstat6', 'snmp', 'snmp6'])
      writeFileSync(
        path.join(this.root, 'net', file),
        `${file === 'sockstat' ? `sockets: used ${allSockets}\n` : ''}TCP: ${text}\n`,
      );
    return this;
  }

  remove(): void {
    rmSync(this.root, {recursive: true, force: true});
  }
}

const line = (slot: number, local: string, peer: string, state: string, inode: number) =>
  `${String(slot).padStart(4)}: ${local} ${peer} ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

const fixtureLines = [
  line(0, '00000000:1F90', '00000000:0000', '0A', 111), // 0.0.0.0:8080 LISTEN
  line(1, '0100007F:1F90', '0100007F:C350', '01', 222), // 127.0.0.1:8080 <- :50000
  line(2, '0100007F:1F90', '0100007F:C351', '06', 0), // TIME-WAIT
];

describe('sockets reader on a fake procfs', () => {
  const fakes: FakeProc[] = [];
  const fake = () => {
    const made = new FakeProc();
    fakes.push(made);
    return made;
  };
  afterAll(() => {
    for (const made of fakes) made.remove();
  });

  it('reads the tables again only once the socket counters move', async () => {
    const proc = fake().table('tcp', fixtureLines.slice(0, 1)).counters('inuse 1');
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    const ports = async () => (await reader.read()).sockets.map((row) => row.localPort);
    expect(await ports()).toEqual([8080]);
    proc.table('tcp', [
      ...fixtureLines.slice(0, 1),
      line(1, '00000000:0016', '00000000:0000', '0A', 333), // 0.0.0.0:22 LISTEN
    ]);
    expect(await ports()).toEqual([8080]);
    // The count of all sockets (netlink, unix) is no sign that a TCP or UDP table moved.
    proc.counters('inuse 1', 10);
    expect(await ports()).toEqual([8080]);
    proc.counters('inuse 2');
    expect(await ports()).toEqual([8080, 22]);
  });

  it('hands back the last reading, owners and all, while the counters stand still', async () => {
    const proc = fake()
      .table('tcp', fixtureLines.slice(0, 1))
      .counters('inuse 1')
      .process(4242, 'fake-daemon', [111]);
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    const first = await reader.read();
    expect(first.reread).toBe(true);
    expect(first.sockets[0]).toMatchObject({pid: 4242, process: 'fake-daemon'});
    // The owner goes away without the counters moving: nothing is looked at again yet.
    rmSync(path.join(proc.root, '4242'), {recursive: true});
    const second = await reader.read();
    expect(second.reread).toBe(false);
    expect(second.sockets).toBe(first.sockets);
    proc.counters('inuse 2');
    const third = await reader.read();
    expect(third.reread).toBe(true);
    expect(third.sockets[0]).toMatchObject({pid: null, process: null});
  });

  it('reads the tables at least every restampMs, whatever the counters say', async () => {
    const proc = fake().table('tcp', fixtureLines.slice(0, 1)).counters('inuse 1');
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc', restampMs: 100});
    const ports = async () => (await reader.read()).sockets.map((row) => row.localPort);
    expect(await ports()).toEqual([8080]);
    proc.table('tcp', [line(0, '00000000:0016', '00000000:0000', '0A', 333)]);
    expect(await ports()).toEqual([8080]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await ports()).toEqual([22]);
  });

  it('leaves an empty IPv6 table unread while the kernel counts no IPv6 socket', async () => {
    const proc = fake().table('tcp', fixtureLines.slice(0, 1)).table('tcp6', []);
    /** The counters, moved, with `tcp6` IPv6 TCP sockets in use. */
    const counters = (moves: number, tcp6: number) => {
      proc.counters(`inuse 1 moves ${moves}`);
      writeFileSync(
        path.join(proc.root, 'net', 'sockstat6'),
        `TCP6: inuse ${tcp6}\nUDP6: inuse 0\n`,
      );
    };
    counters(1, 0);
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc', restampMs: 200});
    const families = async () => (await reader.read()).sockets.map((row) => row.family);
    expect(await families()).toEqual([4]);
    // A v6 TIME-WAIT row (::1:22), which the counters do not count: seen at the next read of all.
    const timeWait6 = line(
      0,
      '00000000000000000000000001000000:0016',
      '00000000000000000000000001000000:C350',
      '06',
      0,
    );
    proc.table('tcp6', [timeWait6]);
    counters(2, 0);
    expect(await families()).toEqual([4]);
    await new Promise((resolve) => setTimeout(resolve, 220));
    counters(3, 0);
    expect(await families()).toEqual([4, 6]);
    // A table with rows is read every time, whatever the counters say.
    proc.table('tcp6', []);
    counters(4, 0);
    expect(await families()).toEqual([4]);
    // And one the counters say is in use.
    proc.table('tcp6', [timeWait6]);
    counters(5, 1);
    expect(await families()).toEqual([4, 6]);
  });

  it('reads the tables on every poll when there are no counters to go by', async () => {
    const proc = fake().table('tcp', fixtureLines.slice(0, 1));
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    expect((await reader.read()).sockets).toHaveLength(1);
    proc.table('tcp', fixtureLines.slice(0, 2));
    expect((await reader.read()).sockets).toHaveLength(2);
  });

  it('reads the tables that exist, skips the missing ones, and finds owners', async () => {
    const proc = fake().table('tcp', fixtureLines).process(4242, 'fake-daemon', [111, 222]);
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    expect(reader.source).toBe('proc');
    const reading = await reader.read();
    expect(reading.sockets.map((row) => [row.state, row.localPort, row.pid, row.process])).toEqual([
      ['LISTEN', 8080, 4242, 'fake-daemon'],
      ['ESTAB', 8080, 4242, 'fake-daemon'],
      ['TIME-WAIT', 8080, null, null],
    ]);
    expect(reading.ownersHidden).toBe(false);
  });

  it('serves reads that overlap one after the other', async () => {
    const proc = fake().table('tcp', fixtureLines).process(4242, 'fake-daemon', [111, 222]);
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    const readings = await Promise.all([reader.read(), reader.read(), reader.read()]);
    for (const reading of readings) {
      expect(reading.sockets.map((row) => row.pid)).toEqual([4242, 4242, null]);
    }
  });

  it('leaves owners unknown and says so when a process fd directory cannot be read', async () => {
    const proc = fake()
      .table('tcp', fixtureLines)
      .process(4242, 'fake-daemon', [111])
      .hiddenProcess(4343);
    const reading = await createSocketsReader({procRoot: proc.root, source: 'proc'}).read();
    expect(reading.ownersHidden).toBe(true);
    expect(reading.sockets).toHaveLength(3);
    expect(reading.sockets[0]).toMatchObject({inode: 111, pid: 4242});
    expect(reading.sockets[1]).toMatchObject({
      inode: 222,
      state: 'ESTAB',
      pid: null,
      process: null,
    });
  });

  it('does not report hidden owners when every socket has one', async () => {
    const proc = fake()
      .table('tcp', fixtureLines)
      .process(4242, 'fake-daemon', [111, 222])
      .hiddenProcess(4343);
    const reading = await createSocketsReader({procRoot: proc.root, source: 'proc'}).read();
    expect(reading.ownersHidden).toBe(false);
  });

  it('rejects with one clear line when no table can be read', async () => {
    const proc = fake();
    const reader = createSocketsReader({procRoot: proc.root, source: 'proc'});
    await expect(reader.read()).rejects.toThrow(
      new Error(`cannot read ${proc.root}/net/tcp: ENOENT`),
    );
    mkdirSync(path.join(proc.root, 'net', 'tcp'));
    await expect(reader.read()).rejects.toThrow(
      new Error(`cannot read ${proc.root}/net/tcp: EISDIR`),
    );
  });

  it.runIf(!isRoot)('names the permission error of an unreadable table', async () => {
    const proc = fake().table('tcp', fixtureLines);
    chmodSync(path.join(proc.root, 'net', 'tcp'), 0);
    await expect(createSocketsReader({procRoot: proc.root, source: 'proc'}).read()).rejects.toThrow(
      new Error(`cannot read ${proc.root}/net/tcp: EACCES`),
    );
  });

  it('chooses systeminformation when the proc tables are not there', () => {
    expect(createSocketsReader({procRoot: fake().root}).source).toBe('systeminformation');
  });
});

describe('owner cache', () => {
  const fakes: FakeProc[] = [];
  afterAll(() => {
    for (const made of fakes) made.remove();
  });
  const setup = (options: Parameters<typeof createOwnerCache>[0] = {}) => {
    const proc = new FakeProc();
    fakes.push(proc);
    let time = 1_000_000;
    const clock = {
      advance: (ms: number) => (time += ms),
    };
    const cache = createOwnerCache({procRoot: proc.root, now: () => time, ...options});
    return {proc, cache, clock};
  };
  const sockets = (...inodes: number[]): Socket[] =>
    inodes.map((inode, index) => ({
      protocol: 'tcp',
      family: 4,
      state: 'ESTAB',
      localAddress: '127.0.0.1',
      localPort: 1000 + index,
      peerAddress: '127.0.0.1',
      peerPort: 2000 + index,
      recvQ: 0,
      sendQ: 0,
      pid: null,
      process: null,
      exposure: 'loopback',
      inode,
    }));
  const owners = (rows: Socket[]) => rows.map((row) => `${row.inode}:${row.pid}:${row.process}`);

  it('reads no fd directory on a poll whose sockets all have known owners', async () => {
    const {proc, cache} = setup();
    proc.process(10, 'web', [501, 502]);
    const first = sockets(501, 502);
    const {scan} = await cache.assign(first);
    expect(scan?.processes).toBe(1);
    expect(scan?.links).toBeGreaterThanOrEqual(2);
    expect(owners(first)).toEqual(['501:10:web', '502:10:web']);
    // Even with the links gone from the fake, a poll of known inodes answers from the cache.
    proc.exit(10).process(10, 'web', []);
    const second = sockets(501, 502);
    expect((await cache.assign(second)).scan).toBeUndefined();
    expect(owners(second)).toEqual(['501:10:web', '502:10:web']);
  });

  it('leaves a row whose owner is unchanged as it was and gives a changed one a new object', async () => {
    const {proc, cache, clock} = setup();
    proc.process(10, 'web', [801]);
    const rows = sockets(801, 802);
    await cache.assign(rows);
    const [known, unknown] = rows;
    expect(owners(rows)).toEqual(['801:10:web', '802:null:null']);
    // The next poll hands back the same row objects, as the parser does for unchanged rows.
    const next = [known!, unknown!];
    proc.process(20, 'worker', [802]);
    clock.advance(11_000); // past the wait before an ownerless socket is looked for again
    await cache.assign(next);
    expect(next[0]).toBe(known);
    expect(next[1]).not.toBe(unknown);
    expect(owners(next)).toEqual(['801:10:web', '802:20:worker']);
    expect(unknown).toMatchObject({pid: null, process: null});
  });

  it('looks first where a new socket most likely is, and stops once it is found', async () => {
    const {proc, cache, clock} = setup();
    proc.process(10, 'busy', [701]);
    proc.process(20, 'quiet', [601, 602, 603, 604, 605, 606]);
    const quiet = [601, 602, 603, 604, 605, 606];
    await cache.assign(sockets(...quiet, 701));
    clock.advance(60_000);
    proc.link(10, 9, 702);
    await cache.assign(sockets(...quiet, 701, 702));
    clock.advance(60_000);
    proc.link(10, 10, 703);
    const rows = sockets(...quiet, 701, 702, 703);
    const {scan} = await cache.assign(rows);
    // The busy process gained a socket last time, so it is read first, and its new fd first.
    expect(scan).toMatchObject({processes: 1, links: 1, complete: false});
    expect(rows.at(-1)).toMatchObject({pid: 10, process: 'busy'});
  });

  it('waits before scanning again when scans come back to back', async () => {
    const {proc, cache, clock} = setup({scanDutyFactor: 1e6});
    proc.process(10, 'web', [801]);
    await cache.assign(sockets(801));
    proc.link(10, 9, 802);
    const throttled = sockets(801, 802);
    expect((await cache.assign(throttled)).scan).toBeUndefined();
    expect(owners(throttled)).toEqual(['801:10:web', '802:null:null']);
    clock.advance(1e9);
    const later = sockets(801, 802);
    expect((await cache.assign(later)).scan).toBeDefined();
    expect(owners(later)).toEqual(['801:10:web', '802:10:web']);
  });

  it('waits twice as long before each new look for a socket no scan finds', async () => {
    const {proc, cache, clock} = setup({retryMs: 10_000});
    proc.process(10, 'web', [901]);
    const scanned = async () => (await cache.assign(sockets(901, 999))).scan !== undefined;
    expect(await scanned()).toBe(true); // miss 1: next look in 10 s
    clock.advance(10_000);
    expect(await scanned()).toBe(true); // miss 2: next look in 20 s
    clock.advance(10_000);
    expect(await scanned()).toBe(false);
    clock.advance(10_000);
    expect(await scanned()).toBe(true); // miss 3: next look in 40 s
    clock.advance(39_000);
    expect(await scanned()).toBe(false);
    clock.advance(1000);
    expect(await scanned()).toBe(true);
  });

  it('remembers a socket no process holds, and looks again after retryMs', async () => {
    const {proc, cache, clock} = setup({retryMs: 10_000});
    proc.process(10, 'web', [901]);
    expect((await cache.assign(sockets(901, 999))).scan?.complete).toBe(true);
    clock.advance(1000); // past the throttle, before the retry
    expect((await cache.assign(sockets(901, 999))).scan).toBeUndefined();
    clock.advance(9000);
    proc.link(10, 9, 999);
    const rows = sockets(901, 999);
    expect((await cache.assign(rows)).scan).toBeDefined();
    expect(owners(rows)).toEqual(['901:10:web', '999:10:web']);
  });

  it('looks again for a missed socket only in fds that are new or lost their socket', async () => {
    const {proc, cache, clock} = setup({retryMs: 10_000});
    const held = [1201, 1202, 1203, 1204, 1205];
    proc.process(10, 'web', held);
    proc.process(20, 'other', [1301]);
    // Each process also has fds 0-2 open on /dev/null: 8 + 4 links in all.
    expect((await cache.assign(sockets(...held, 1301, 998, 999))).scan).toMatchObject({
      complete: true,
      links: 12,
    });
    // 1301 closes, 999 turns up in a new fd; 998 is never found.
    proc.link(10, 20, 999);
    clock.advance(10_000);
    const rows = sockets(...held, 998, 999);
    const {scan} = await cache.assign(rows);
    // Not read: the five fds that still hold listed sockets. Read: the new fd, the four of the
    // other process (1301 left the list), and the six that held no socket (they may now).
    expect(scan).toMatchObject({complete: true, links: 13 - 5});
    expect(owners(rows)).toEqual([
      ...held.map((inode) => `${inode}:10:web`),
      '998:null:null',
      '999:10:web',
    ]);
  });

  it('hands a socket to the process that still holds it when its owner exits', async () => {
    const {proc, cache, clock} = setup();
    proc.process(10, 'parent', [1001]);
    await cache.assign(sockets(1001));
    proc.exit(10).process(11, 'child', [1001]);
    clock.advance(60_000);
    const rows = sockets(1001);
    await cache.assign(rows);
    expect(owners(rows)).toEqual(['1001:11:child']);
  });

  it('notices a reused pid and a renamed process', async () => {
    const {proc, cache, clock} = setup({revalidateMs: 0});
    proc.process(10, 'before', [1101]);
    await cache.assign(sockets(1101));
    proc.rename(10, 'renamed');
    clock.advance(60_000);
    const renamed = sockets(1101);
    expect((await cache.assign(renamed)).scan).toBeUndefined();
    expect(owners(renamed)).toEqual(['1101:10:renamed']);
    // Same pid, another process (new start time) that holds a different socket.
    proc.exit(10).process(10, 'reused', [1102], 2000);
    proc.process(12, 'heir', [1101]);
    clock.advance(60_000);
    const reused = sockets(1101, 1102);
    await cache.assign(reused);
    expect(owners(reused)).toEqual(['1101:12:heir', '1102:10:reused']);
  });

  it('leaves sockets with inode 0 (TIME-WAIT) without owner and does not scan for them', async () => {
    const {proc, cache} = setup();
    proc.process(10, 'web', []);
    const rows = sockets(0, 0);
    expect((await cache.assign(rows)).scan).toBeUndefined();
    expect(owners(rows)).toEqual(['0:null:null', '0:null:null']);
  });
});

describe('socketFromConnection', () => {
  // Rows as systeminformation returns them, including the loose ones (pid null or NaN).
  const connection = (
    overrides: Record<string, unknown>,
  ): Systeminformation.NetworkConnectionsData => ({
    protocol: 'tcp',
    localAddress: '0.0.0.0',
    localPort: '22',
    peerAddress: '0.0.0.0',
    peerPort: '*',
    state: 'LISTEN',
    pid: 321,
    process: 'sshd',
    ...overrides,
  });

  it('maps a netstat listener row', () => {
    expect(socketFromConnection(connection({}))).toEqual({
      protocol: 'tcp',
      family: 4,
      state: 'LISTEN',
      localAddress: '0.0.0.0',
      localPort: 22,
      peerAddress: '0.0.0.0',
      peerPort: 0,
      recvQ: 0,
      sendQ: 0,
      pid: 321,
      process: 'sshd',
      exposure: 'all-interfaces',
      inode: 0,
    });
  });

  it.each([
    ['ESTABLISHED', 'ESTAB'],
    ['TIME_WAIT', 'TIME-WAIT'],
    ['FIN_WAIT1', 'FIN-WAIT-1'],
    ['FIN_WAIT_2', 'FIN-WAIT-2'],
    ['CLOSE_WAIT', 'CLOSE-WAIT'],
    ['SYN_SENT', 'SYN-SENT'],
    ['SYN_RECV', 'SYN-RECV'],
    ['LAST_ACK', 'LAST-ACK'],
    ['CLOSING', 'CLOSING'],
    ['CLOSE', 'UNCONN'],
    ['LISTENING', 'LISTEN'],
    ['BOUND', 'UNKNOWN'],
  ])('maps state %s to %s', (state, word) => {
    expect(socketFromConnection(connection({state}))?.state).toBe(word);
  });

  it('takes the family from the protocol or the address', () => {
    expect(
      socketFromConnection(connection({protocol: 'tcp6', localAddress: '::1', peerAddress: '::'})),
    ).toMatchObject({family: 6, exposure: 'loopback'});
    expect(
      socketFromConnection(connection({protocol: 'tcp6', localAddress: '::ffff:127.0.0.1'})),
    ).toMatchObject({family: 6, exposure: 'loopback'});
    expect(
      socketFromConnection(
        connection({protocol: 'tcp', localAddress: '[::]', peerAddress: '[::]'}),
      ),
    ).toMatchObject({family: 6, localAddress: '::', exposure: 'all-interfaces'});
    expect(
      socketFromConnection(connection({protocol: 'tcp46', localAddress: '*', peerAddress: '*'})),
    ).toMatchObject({family: 6, localAddress: '::', exposure: 'all-interfaces'});
  });

  it('maps UDP rows without a state by whether they have a peer', () => {
    expect(
      socketFromConnection(
        connection({protocol: 'udp', state: '', peerAddress: '*', peerPort: '*'}),
      ),
    ).toMatchObject({protocol: 'udp', state: 'UNCONN'});
    expect(
      socketFromConnection(
        connection({protocol: 'udp', state: '', peerAddress: '10.0.0.1', peerPort: '53'}),
      ),
    ).toMatchObject({state: 'ESTAB', peerPort: 53});
  });

  it('drops rows that are not TCP or UDP and owners it was not told', () => {
    expect(socketFromConnection(connection({protocol: 'raw'}))).toBeUndefined();
    expect(socketFromConnection(connection({pid: null, process: ''}))).toMatchObject({
      pid: null,
      process: null,
    });
    expect(socketFromConnection(connection({pid: Number.NaN}))?.pid).toBeNull();
  });
});

describe('serviceName', () => {
  it.each([
    [22, 'tcp', 'ssh'],
    [53, 'udp', 'dns'],
    [53, 'tcp', 'dns'],
    [443, 'tcp', 'https'],
    [5432, 'tcp', 'postgresql'],
    [6379, 'tcp', 'redis'],
    [27017, 'tcp', 'mongodb'],
    [123, 'udp', 'ntp'],
  ] as const)('port %i/%s is %s', (port, protocol, name) => {
    expect(serviceName(port, protocol)).toBe(name);
  });

  it('knows nothing of unlisted ports or of a port under the other protocol', () => {
    expect(serviceName(12_345, 'tcp')).toBeUndefined();
    expect(serviceName(22, 'udp')).toBeUndefined();
    expect(serviceName(123, 'tcp')).toBeUndefined();
  });
});
