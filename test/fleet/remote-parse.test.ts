import {execFile, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import dgram from 'node:dgram';
import {readFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readInterfacesLinux} from '../../source/collect/interfaces.js';
import {createSocketsReader} from '../../source/collect/sockets/index.js';
import {readCountersLinux} from '../../source/collect/traffic.js';
import type {Protocol, Socket} from '../../source/model.js';
import {
  parseFibTrie,
  parseIfInet6,
  parseIpAddrLines,
  mergeAddresses,
} from '../../source/fleet/remote-addresses.js';
import {parseRemoteReading} from '../../source/fleet/remote-parse.js';
import {remoteCommand, remoteScript, remoteScriptPlain} from '../../source/fleet/remote-script.js';
import {waitFor} from '../helpers/wait.js';

const run = promisify(execFile);
const maxBuffer = 64 << 20;
const has = (command: string) =>
  spawnSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'}).status === 0;
const isLinux = process.platform === 'linux';
const fixtures = path.join(import.meta.dirname, '../fixtures/fleet');

async function runScript(shell: string[], script = remoteScript): Promise<Buffer> {
  const {stdout} = await run(shell[0]!, [...shell.slice(1), '-c', script], {
    encoding: 'buffer',
    maxBuffer,
  });
  return stdout;
}

type Listener = {protocol: Protocol; address: string; port: number; close(): Promise<void>};

async function tcp(address: string): Promise<Listener> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({host: address, port: 0, ipv6Only: address === '::'}, resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  return {protocol: 'tcp', address, port, close: () => new Promise((r) => server.close(() => r()))};
}

async function udp(address: string): Promise<Listener> {
  const socket = address.includes(':')
    ? dgram.createSocket({type: 'udp6', ipv6Only: true})
    : dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, resolve);
  });
  const port = socket.address().port;
  return {protocol: 'udp', address, port, close: () => new Promise((r) => socket.close(() => r()))};
}

function rowOf(sockets: readonly Socket[], listener: Listener): Socket | undefined {
  return sockets.find(
    (socket) =>
      socket.protocol === listener.protocol &&
      socket.localPort === listener.port &&
      socket.localAddress === listener.address &&
      socket.peerPort === 0,
  );
}

const expectedExposure: Record<string, Socket['exposure']> = {
  '127.0.0.1': 'loopback',
  '0.0.0.0': 'all-interfaces',
  '::1': 'loopback',
  '::': 'all-interfaces',
};

// Each test runs the script a few times; a busy host makes a run take a second or more.
describe.skipIf(!isLinux)('the remote script run by this machine’s sh', {timeout: 60_000}, () => {
  const listeners: Listener[] = [];
  const ownName = readFileSync('/proc/self/comm', 'utf8').trim();

  beforeAll(async () => {
    for (const address of ['127.0.0.1', '0.0.0.0', '::1', '::']) {
      listeners.push(await tcp(address), await udp(address));
    }
  });
  afterAll(async () => {
    await Promise.all(listeners.map((listener) => listener.close()));
  });

  function expectListeners(sockets: readonly Socket[]) {
    for (const listener of listeners) {
      const row = rowOf(sockets, listener);
      const label = `${listener.protocol} ${listener.address}:${listener.port}`;
      expect(row, label).toBeDefined();
      expect(row!.exposure, label).toBe(expectedExposure[listener.address]);
      expect(row!.state, label).toBe(listener.protocol === 'tcp' ? 'LISTEN' : 'UNCONN');
      expect(row!.pid, label).toBe(process.pid);
      expect(row!.process, label).toBe(ownName);
    }
  }

  it('reads what the local readers read: the test’s listeners with exposure and owner, lo, counters', async () => {
    const [output, local, counters] = await Promise.all([
      runScript(['sh']),
      createSocketsReader({source: 'proc', owners: 'scan-once'}).read(),
      Promise.resolve(readCountersLinux('/proc')),
    ]);
    const localInterfaces = readInterfacesLinux();
    const reading = parseRemoteReading(output);

    expect(reading.name).toBe(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    expect(reading.owners).toBe(process.getuid?.() === 0 ? 'root' : 'user');
    expectListeners(reading.sockets);
    // The same rows as the local reader for the test's own sockets, field for field, but what
    // the local reader learns beyond /proc (ss's backlog and dual-stack): the script reads /proc
    // alone, where a listener's Send-Q is 0.
    for (const listener of listeners) {
      const {sendQ, dualStack, ...localRow} = rowOf(local.sockets, listener)!;
      void dualStack;
      const {sendQ: scriptSendQ, ...scriptRow} = rowOf(reading.sockets, listener)!;
      expect(scriptRow).toEqual(localRow);
      expect(scriptSendQ).toBe(localRow.state === 'LISTEN' ? 0 : sendQ);
    }

    const lo = reading.interfaces.find((entry) => entry.name === 'lo');
    expect(lo?.addresses).toContainEqual({
      address: '127.0.0.1',
      family: 4,
      prefixLength: 8,
      kind: 'loopback',
    });
    expect(lo).toEqual(localInterfaces.find((entry) => entry.name === 'lo'));
    // Interfaces both saw (test namespaces of other tests may come and go in between).
    for (const entry of reading.interfaces) {
      const mine = localInterfaces.find((candidate) => candidate.name === entry.name);
      if (!mine) continue;
      expect({...entry, addresses: new Set(entry.addresses.map((a) => JSON.stringify(a)))}).toEqual(
        {...mine, addresses: new Set(mine.addresses.map((a) => JSON.stringify(a)))},
      );
    }
    expect(reading.counters.get('lo')?.rx).toBeGreaterThan(0);
    // Read while the script started: counters only grow.
    expect(reading.counters.get('lo')!.rx).toBeGreaterThanOrEqual(counters.get('lo')!.rx);
  });

  it('reads the same without gzip', async () => {
    expect((await runScript(['sh'], remoteScriptPlain)).includes('@@porthole:gzip@@')).toBe(false);
    expectListeners(parseRemoteReading(await runScript(['sh'], remoteScriptPlain)).sockets);
  });

  for (const shell of [['dash'], ['busybox', 'sh']]) {
    const missing = !has(shell[0]!);
    it.skipIf(missing)(
      `runs under ${shell.join(' ')}${missing ? ` (skipped: ${shell[0]} is not installed)` : ''}`,
      async () => {
        for (const script of [remoteScript, remoteScriptPlain]) {
          expectListeners(parseRemoteReading(await runScript(shell, script)).sockets);
        }
      },
    );
  }

  const noBusybox = !has('busybox');
  it.skipIf(noBusybox)(
    `runs with busybox's own sh, sed, ls, ip and gzip${noBusybox ? ' (skipped: busybox is not installed)' : ''}`,
    async () => {
      const tools = ['sh', 'sed', 'ls', 'cat', 'uname', 'ip', 'gzip']
        .map((tool) => `ln -s "$(command -v busybox)" $d/${tool}`)
        .join(' && ');
      for (const script of [remoteScript, remoteScriptPlain]) {
        const {stdout} = await run(
          'sh',
          ['-c', `d=$(mktemp -d) && ${tools} && PATH=$d sh -c "$SCRIPT"; rm -r $d`],
          {encoding: 'buffer', maxBuffer, env: {...process.env, SCRIPT: script}},
        );
        const reading = parseRemoteReading(stdout);
        expectListeners(reading.sockets);
        expect(reading.interfaces.find((entry) => entry.name === 'lo')?.addresses).toContainEqual({
          address: '127.0.0.1',
          family: 4,
          prefixLength: 8,
          kind: 'loopback',
        });
      }
    },
  );

  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const cannotDropRoot = process.getuid?.() !== 0 || !has('setpriv');
  it.skipIf(cannotDropRoot)(
    `as another user: that user's sockets have owners, root's none, and owners are said hidden${cannotDropRoot ? ' (skipped: needs root and setpriv)' : ''}`,
    async () => {
      const child = spawn(
        asNobody[0]!,
        [
          ...asNobody.slice(1),
          process.execPath,
          '-e',
          `const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));`,
        ],
        {stdio: ['ignore', 'pipe', 'inherit']},
      );
      try {
        let port = 0;
        child.stdout.on('data', (data: Buffer) => (port = Number(data.toString().trim())));
        await waitFor(() => port > 0, 'the other user’s listener', 10_000);
        const reading = parseRemoteReading(
          await runScript(asNobody.concat('sh'), remoteScriptPlain),
        );
        expect(reading.owners).toBe('user');
        expect(reading.ownersHidden).toBe(true);
        const theirs = reading.sockets.find((socket) => socket.localPort === port);
        expect(theirs?.pid).toBe(child.pid);
        for (const listener of listeners) expect(rowOf(reading.sockets, listener)?.pid).toBeNull();
      } finally {
        child.kill();
      }
    },
  );

  it('skips a banner the login shell prints first, even one without a line end', async () => {
    const command = `printf 'Welcome to @@porthole host\\nLast login: today'; ${remoteCommand()}`;
    const reading = parseRemoteReading(await runScript(['sh'], command));
    expectListeners(reading.sockets);
  });

  it('gives a process name and a host name with control bytes made visible', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').writeFileSync('/proc/self/comm', 'ev\\x1b]0;x\\x07il');
         const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));`,
      ],
      {stdio: ['ignore', 'pipe', 'inherit']},
    );
    try {
      let port = 0;
      child.stdout!.on('data', (data: Buffer) => (port = Number(data.toString().trim())));
      await waitFor(() => port > 0, 'the child’s listener');
      const reading = parseRemoteReading(await runScript(['sh']));
      const row = reading.sockets.find((socket) => socket.localPort === port);
      expect(row?.pid).toBe(child.pid);
      expect(row?.process).toBe('ev^[]0;x^Gil');
    } finally {
      child.kill();
    }
    if (has('unshare') && process.getuid?.() === 0) {
      const named = await runScript(
        ['unshare', '--uts', 'sh'],
        `printf 'a\\033[2Jb' > /proc/sys/kernel/hostname && ${remoteCommand()}`,
      );
      expect(parseRemoteReading(named).name).toBe('a^[[2Jb');
    }
  });
});

describe('output that is not a Linux host’s reading', () => {
  it('without any marker: unreadable output', () => {
    expect(() => parseRemoteReading(Buffer.from('sh: 1: exec: sh: not found\n'))).toThrow(
      /^unreadable output$/,
    );
    expect(() => parseRemoteReading(Buffer.alloc(0))).toThrow(/^unreadable output$/);
  });

  it('a host whose uname says FreeBSD: unsupported: no /proc', async () => {
    // What the script prints on a host with no /proc: its name, its kernel, and the end.
    const bsd = '\n@@porthole:host@@ bsd1\n@@porthole:uname@@ FreeBSD\n@@porthole:end@@\n';
    expect(() => parseRemoteReading(Buffer.from(bsd))).toThrow(/^unsupported: no \/proc$/);
    // The script's own answer where /proc/sys/kernel/ostype is missing and uname is FreeBSD's.
    const fake = await run(
      'sh',
      [
        '-c',
        `d=$(mktemp -d) && printf '#!/bin/sh\\necho FreeBSD\\n' > $d/uname && chmod +x $d/uname && ` +
          `PATH=$d:$PATH sh -c "$(printf '%s' "$SCRIPT" | sed 's,/proc/,/nonexistent/proc/,g')"; rm -r $d`,
      ],
      {encoding: 'buffer', env: {...process.env, SCRIPT: remoteScript}},
    );
    expect(fake.stdout.toString()).toContain('@@porthole:uname@@ FreeBSD');
    expect(() => parseRemoteReading(fake.stdout)).toThrow(/^unsupported: no \/proc$/);
  });

  it.skipIf(!isLinux)('cut short: says so', async () => {
    const output = await runScript(['sh'], remoteScriptPlain);
    const cut = output.subarray(0, output.indexOf('@@porthole:links@@'));
    expect(() => parseRemoteReading(cut)).toThrow(/^unreadable output: cut short$/);
  });
});

describe(
  'addresses from /proc/net/fib_trie and /proc/net/if_inet6, for hosts without ip',
  {timeout: 60_000},
  () => {
    it('match what ip -o addr said on the machine they were captured from', () => {
      const read = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');
      const fromIp = parseIpAddrLines(read('ip-addr'));
      const fromProc = mergeAddresses(
        parseFibTrie(read('fib_trie'), read('route'), 'lo'),
        parseIfInet6(read('if_inet6')),
      );
      const sorted = (byName: typeof fromIp) =>
        [...byName]
          .map(([name, list]) => [name, list.map((entry) => JSON.stringify(entry)).sort()] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1));
      expect(sorted(fromIp).length).toBeGreaterThanOrEqual(2);
      expect(sorted(fromProc)).toEqual(sorted(fromIp));
    });

    it.skipIf(!isLinux)(
      'and so does the script’s fallback on this machine, without ip on its PATH',
      async () => {
        // A PATH with every tool the script uses but ip.
        const tools = ['sh', 'sed', 'ls', 'cat', 'uname']
          .map((tool) => `ln -s "$(command -v ${tool})" $d/${tool}`)
          .join(' && ');
        const {stdout} = await run(
          'sh',
          ['-c', `d=$(mktemp -d) && ${tools} && PATH=$d sh -c "$SCRIPT"; rm -r $d`],
          {encoding: 'buffer', maxBuffer, env: {...process.env, SCRIPT: remoteScriptPlain}},
        );
        expect(stdout.includes('@@porthole:fib_trie@@')).toBe(true);
        const fallback = parseRemoteReading(stdout);
        const withIp = parseRemoteReading(await runScript(['sh'], remoteScriptPlain));
        const lo = (reading: typeof withIp) =>
          reading.interfaces.find((entry) => entry.name === 'lo')?.addresses;
        expect(lo(fallback)).toEqual(lo(withIp));
      },
    );
  },
);
