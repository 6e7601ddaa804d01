/**
 * A socket's dual-stack, container and published port across the two transports: the worker
 * thread's listing codec (a structured clone between encoder and decoder, as postMessage makes)
 * and the SSH node method's stream, where a host's text is made visible and checked field by
 * field. The stream runs here as it runs on a host (the same command, with `sh -c` in place of
 * ssh), with the real reader and with a stand-in that says what a hostile host could.
 */
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {createListingDecoder, createListingEncoder} from '../../source/fleet/listing-codec.js';
import {parseSshTarget} from '../../source/fleet/ssh-args.js';
import {createSshConnection, makeControlDir, type SshConnection} from '../../source/fleet/ssh.js';
import {createStreamFeed, type StreamConnection} from '../../source/fleet/stream-feed.js';
import {createWorkerFeed} from '../../source/fleet/worker-feed.js';
import {emptyHost, type HostData, type HostFeed, type HostPatch} from '../../source/fleet/types.js';
import type {Container, Socket} from '../../source/model.js';
import {
  canMakeHosts,
  cannotMakeHostsReason,
  createTestFleet,
  type TestFleet,
} from '../helpers/ssh-hosts.js';
import {waitFor} from '../helpers/wait.js';

const hasSs =
  process.platform === 'linux' && spawnSync('ss', ['-V'], {stdio: 'ignore'}).status === 0;

function row(port: number, extra: Partial<Socket> = {}): Socket {
  return {
    protocol: 'tcp',
    family: 6,
    state: 'LISTEN',
    localAddress: '::',
    localPort: port,
    peerAddress: '::',
    peerPort: 0,
    recvQ: 0,
    sendQ: 128,
    pid: 10,
    process: 'docker-proxy',
    exposure: 'all-interfaces',
    inode: port,
    ...extra,
  };
}

const keyOf = (socket: Socket) => `${socket.protocol} ${socket.localPort}`;

describe('the worker’s listing codec', () => {
  it('carries dual-stack, container and published port, and one object per container', () => {
    const web: Container = {engine: 'docker', id: 'a'.repeat(64), name: 'web'};
    const sockets = [
      row(80, {dualStack: true, container: web}),
      row(81, {dualStack: false, container: web}),
      row(8080, {
        published: {containerAddress: '172.17.0.2', containerPort: 80, container: 'web'},
      }),
      row(22, {family: 4, localAddress: '0.0.0.0', peerAddress: '0.0.0.0', dualStack: null}),
      row(53, {protocol: 'udp', state: 'UNCONN', sendQ: 0}),
    ];
    const encoder = createListingEncoder();
    const decoder = createListingDecoder();
    const send = (listing: Socket[]) =>
      decoder.decode(
        structuredClone(
          encoder.encode({
            sockets: listing,
            keys: listing.map(keyOf),
            seen: listing.map(() => 0),
          }),
        ),
      );
    const first = send(sockets);
    expect(first.sockets).toEqual(sockets);
    expect(first.sockets[0]!.container).toBe(first.sockets[1]!.container);
    // A row that had none of them still has none: nothing was added to it on the way.
    expect(Object.keys(first.sockets[4]!)).toEqual(Object.keys(sockets[4]!));

    // The row sent again as a new object with the same container: this thread's object is kept.
    const resent = [{...sockets[0]!, container: {...web}}, ...sockets.slice(1)];
    const second = send(resent);
    expect(second.sockets[0]).not.toBe(first.sockets[0]);
    expect(second.sockets[0]!.container).toBe(first.sockets[0]!.container);
    // Another name is another container.
    const renamed = [{...sockets[0]!, container: {...web, name: 'web-2'}}, ...sockets.slice(1)];
    const third = send(renamed);
    expect(third.sockets[0]!.container).toEqual({...web, name: 'web-2'});
    expect(third.sockets[0]!.container).not.toBe(first.sockets[0]!.container);
    expect(third.sockets.slice(1)).toEqual(sockets.slice(1));
  });
});

function listen(options: net.ListenOptions): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({port: 0, ...options}, () => resolve(server));
  });
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

function shows(sockets: readonly Socket[], port: number, facts: Partial<Socket>): boolean {
  return sockets.some(
    (socket) =>
      socket.protocol === 'tcp' &&
      socket.state === 'LISTEN' &&
      socket.localPort === port &&
      Object.entries(facts).every(([name, value]) => socket[name as keyof Socket] === value),
  );
}

/** A host's slice as the store would keep it: each patch's fields replace the slice's. */
function slice(id: string) {
  const host: HostData = emptyHost(id, id, false, 'ssh-node');
  return {host, sink: (patch: HostPatch) => Object.assign(host, patch)};
}

/** The stream's command run here by sh, as the host's sh would run it after ssh. */
function localConnection(): StreamConnection & {children: Set<number>} {
  const children = new Set<number>();
  return {
    up: true,
    children,
    connect: () => Promise.resolve(),
    spawnCommand(command) {
      const child = spawn('sh', ['-c', command], {stdio: ['pipe', 'pipe', 'pipe']});
      if (child.pid !== undefined) children.add(child.pid);
      child.once('exit', () => children.delete(child.pid!));
      return child;
    },
  };
}

describe.skipIf(!hasSs)('a listener’s facts through each transport', () => {
  let dual: net.Server;
  let v6only: net.Server;
  const feeds: HostFeed[] = [];

  beforeAll(async () => {
    dual = await listen({host: '::', ipv6Only: false, backlog: 7});
    v6only = await listen({host: '::', ipv6Only: true, backlog: 9});
  });
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  });
  afterAll(async () => {
    await Promise.all([dual, v6only].map((each) => new Promise((done) => each.close(done))));
  });

  it('a worker-read host shows them', async () => {
    const patches: HostPatch[] = [];
    const feed = createWorkerFeed({
      sink: (patch) => patches.push(patch),
      intervalMs: 100,
      socketSource: 'proc',
    });
    feeds.push(feed);
    expect(feed.threadId).toBeGreaterThan(0);
    await feed.start();
    const latest = () => patches.findLast((patch) => patch.sockets)?.sockets ?? [];
    await waitFor(
      () =>
        shows(latest(), portOf(dual), {sendQ: 7, dualStack: true}) &&
        shows(latest(), portOf(v6only), {sendQ: 9, dualStack: false}),
      'the listeners with their backlog and dual-stack, from the worker',
    );
  }, 30_000);

  it('a host read over the stream shows them', async () => {
    const kept = slice('streamed');
    const connection = localConnection();
    const feed = createStreamFeed({
      id: 'streamed',
      connection,
      sink: kept.sink,
      intervalMs: 200,
      nodeCommand: process.execPath,
    });
    feeds.push(feed);
    await feed.start();
    await waitFor(
      () =>
        shows(kept.host.sockets, portOf(dual), {sendQ: 7, dualStack: true}) &&
        shows(kept.host.sockets, portOf(v6only), {sendQ: 9, dualStack: false}),
      'the listeners with their backlog and dual-stack, from the stream',
      20_000,
    );
    await feed.stop();
    await waitFor(() => connection.children.size === 0, 'the reader ended with its stream');
  }, 30_000);
});

describe.skipIf(!hasSs || !canMakeHosts)(`a host over ssh ${cannotMakeHostsReason}`, () => {
  let fleet: TestFleet;
  let controlDir: string;
  let connection: SshConnection | undefined;
  let feed: HostFeed | undefined;

  beforeAll(async () => {
    [fleet, controlDir] = await Promise.all([createTestFleet(1), makeControlDir()]);
  }, 60_000);
  afterAll(async () => {
    await feed?.stop();
    await connection?.close();
    await fleet?.cleanup();
    if (controlDir) fs.rmSync(controlDir, {recursive: true, force: true});
  });

  it('shows the backlog and dual-stack its own ss gives of its own listeners', async () => {
    const host = fleet.hosts[0]!;
    const stopFile = path.join(fleet.dir, 'stop-listeners');
    const portsFile = path.join(fleet.dir, 'listener-ports');
    // Listeners inside the host, held until the test leaves a stop file.
    const holder = host.exec([
      process.execPath,
      '-e',
      `const fs = require('fs'), net = require('net'), started = Date.now();
       const dual = net.createServer().listen({host: '::', port: 0, ipv6Only: false, backlog: 5}, () => {
         const only = net.createServer().listen({host: '::', port: 0, ipv6Only: true, backlog: 6}, () =>
           fs.writeFileSync(${JSON.stringify(portsFile)}, dual.address().port + ' ' + only.address().port));
       });
       setInterval(() => { if (fs.existsSync(${JSON.stringify(stopFile)}) || Date.now() - started > 60000) process.exit(0); }, 50);`,
    ]);
    try {
      await waitFor(() => fs.existsSync(portsFile), 'the listeners in the host');
      const [dualPort, onlyPort] = fs.readFileSync(portsFile, 'utf8').split(' ').map(Number);
      connection = createSshConnection(parseSshTarget(host.name), {
        configFile: fleet.sshConfig,
        controlDir,
      });
      const kept = slice(host.name);
      feed = createStreamFeed({id: host.name, connection, sink: kept.sink, intervalMs: 300});
      await feed.start();
      await waitFor(
        () =>
          shows(kept.host.sockets, dualPort!, {sendQ: 5, dualStack: true}) &&
          shows(kept.host.sockets, onlyPort!, {sendQ: 6, dualStack: false}),
        'the host’s listeners with their backlog and dual-stack',
        20_000,
      );
    } finally {
      fs.writeFileSync(stopFile, '');
      await holder.catch(() => undefined);
    }
  }, 60_000);
});

describe('what a host streams of containers is made visible and checked', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porthole-exposure-'));
  });
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

  /** A stand-in reader that writes `lines` and waits for its stdin to end. */
  function fakeReader(name: string, lines: unknown[]): string {
    const fake = path.join(dir, name);
    fs.writeFileSync(
      fake,
      `#!/bin/sh\nprintf '%s\\n' ${lines.map((each) => `'${JSON.stringify(each)}'`).join(' ')}\ncat >/dev/null\n`,
      {mode: 0o755},
    );
    return fake;
  }

  const evil = '\u001b]0;owned\u0007\u001b[2J\u202e';
  const hello = {hello: 1, node: '20.0.0', uid: 0, pid: 1};
  const reading = (added: unknown[]) => ({
    r: 1,
    name: 'box',
    interfaces: [],
    counters: {},
    listing: {base: 0, sequence: 1, runs: [-1, added.length], added},
    ownersHidden: false,
    owners: 'root',
    ms: 1,
  });

  async function stream(fake: string) {
    const kept = slice('hostile');
    const connection = localConnection();
    const feed = createStreamFeed({
      id: 'hostile',
      connection,
      sink: kept.sink,
      intervalMs: 5000,
      nodeCommand: fake,
    });
    await feed.start();
    return {kept, connection, feed};
  }

  it('a hostile container name, id or published target is shown inert', async () => {
    const fake = fakeReader('hostile-node', [
      hello,
      reading([
        row(80, {
          dualStack: true,
          container: {engine: 'docker', id: `abc${evil}`, name: `web${evil}`},
          published: {containerAddress: `172.17.0.2${evil}`, containerPort: 80, container: evil},
        }),
        row(81),
      ]),
    ]);
    const {kept, connection, feed} = await stream(fake);
    try {
      expect(kept.host.status.state).toBe('up');
      const [published, plain] = kept.host.sockets;
      expect(published).toMatchObject({dualStack: true, container: {engine: 'docker'}});
      const shown = JSON.stringify(kept.host.sockets);
      expect(shown).not.toMatch(/\\u001b|\\u0007|\u202e/);
      expect(published!.container!.name).toBe('web^[]0;owned^G^[[2J<U+202E>');
      expect(published!.container!.id).toMatch(/^abc\^\[/);
      expect(published!.published!.containerAddress).toMatch(/^172\.17\.0\.2\^\[/);
      expect(published!.published!.container).toMatch(/^\^\[/);
      // A row the host said nothing of has no such fields.
      expect(plain).not.toHaveProperty('container');
      expect(plain).not.toHaveProperty('dualStack');
    } finally {
      await feed.stop();
    }
    await waitFor(() => connection.children.size === 0, 'the stand-in ended');
  }, 30_000);

  it.each([
    ['a dual-stack that is not a flag', {dualStack: 'yes'}, 'a field is not a flag'],
    [
      'an engine it does not know',
      {container: {engine: 'rkt', id: 'x', name: null}},
      'not a container engine',
    ],
    ['a container that is not an object', {container: 'web'}, 'a field is not an object'],
    [
      'a published port that is not a number',
      {published: {containerAddress: '10.0.0.1', containerPort: '80', container: null}},
      'a field is not a number',
    ],
  ])(
    '%s: the stream is not read further',
    async (name, extra, error) => {
      const fake = fakeReader(`bad-${name.replaceAll(' ', '-')}`, [
        hello,
        reading([row(80)]),
        {r: 2, listing: {base: 1, sequence: 2, runs: [-1, 1], added: [{...row(80), ...extra}]}},
      ]);
      const {kept, connection, feed} = await stream(fake);
      try {
        await waitFor(() => kept.host.status.state === 'down', 'down on a bad field');
        expect(kept.host.status.error).toBe(`unreadable stream: ${error}`);
        expect(kept.host.sockets).toHaveLength(1);
      } finally {
        await feed.stop();
      }
      await waitFor(() => connection.children.size === 0, 'the stand-in ended');
    },
    30_000,
  );
});
