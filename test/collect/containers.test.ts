import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {
  createEngineNames,
  parseCrictl,
  parseInspectAddresses,
  parsePsNames,
  psCli,
  type RunCommand,
} from '../../source/collect/sockets/container-engines.js';
import {parseCgroup, parseProxyArgs} from '../../source/collect/sockets/containers.js';
import {createSocketsReader, type SocketsReader} from '../../source/collect/sockets/index.js';
import type {Socket} from '../../source/model.js';
import {waitFor} from '../helpers/wait.js';

const id = (char: string) => char.repeat(64);
const a64 = id('a');
const b64 = id('b');

describe('parseCgroup', () => {
  it.each([
    ['cgroup v2, Docker with systemd', `0::/system.slice/docker-${a64}.scope`, 'docker', a64],
    [
      'cgroup v1, Docker with cgroupfs',
      `12:memory:/docker/${a64}\n11:pids:/docker/${a64}\n0::/`,
      'docker',
      a64,
    ],
    ['cgroup v2, Docker with cgroupfs', `0::/docker/${a64}`, 'docker', a64],
    ['Docker in Docker: the inner container', `0::/docker/${a64}/docker/${b64}`, 'docker', b64],
    ['rootful Podman', `0::/machine.slice/libpod-${a64}.scope/container`, 'podman', a64],
    [
      'rootless Podman',
      `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${a64}.scope`,
      'podman',
      a64,
    ],
    ['Podman with cgroupfs', `0::/libpod_parent/libpod-${a64}`, 'podman', a64],
    [
      'containerd outside Kubernetes',
      `0::/system.slice/cri-containerd-${a64}.scope`,
      'containerd',
      a64,
    ],
    [
      'Kubernetes, containerd, systemd driver',
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0d1c_2e3f.slice/cri-containerd-${a64}.scope`,
      'kubernetes',
      a64,
    ],
    [
      'Kubernetes, CRI-O',
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/crio-${a64}.scope`,
      'kubernetes',
      a64,
    ],
    [
      'Kubernetes, cgroupfs driver',
      `4:cpu:/kubepods/besteffort/pod0d1c2e3f-aaaa-bbbb-cccc-0123456789ab/${a64}`,
      'kubernetes',
      a64,
    ],
    ['LXC 4+', '0::/lxc.payload.web-1/system.slice/nginx.service', 'lxc', 'web-1'],
    ['LXC with v1 cgroups', '3:cpu:/lxc/db', 'lxc', 'db'],
    ['Docker inside LXC', `0::/lxc.payload.c1/system.slice/docker-${a64}.scope`, 'docker', a64],
  ])('%s', (_name, text, engine, expected) => {
    expect(parseCgroup(text)).toEqual({engine, id: expected});
  });

  it.each([
    ['the host itself', '0::/init.scope'],
    ['a user session', '0::/user.slice/user-0.slice/session-3.scope'],
    ["Docker's daemon", '0::/system.slice/docker.service'],
    [
      "Podman's monitor (conmon), not the container",
      `0::/machine.slice/libpod-conmon-${a64}.scope`,
    ],
    ["CRI-O's monitor", `0::/system.slice/crio-conmon-${a64}.scope`],
    ["LXC's monitor", '0::/lxc.monitor.web-1'],
    ['a short hex id', '0::/system.slice/docker-abc123.scope'],
    ['an LXC name that is no name', '0::/lxc.payload.\u001b]0;x\u0007'],
    ['an empty file', ''],
  ])('%s: none', (_name, text) => {
    expect(parseCgroup(text)).toBeNull();
  });
});

describe('parseProxyArgs', () => {
  const args = (...list: string[]) => list.join('\0') + '\0';

  it("reads docker-proxy's command line", () => {
    expect(
      parseProxyArgs(
        args(
          '/usr/bin/docker-proxy',
          '-proto',
          'tcp',
          '-host-ip',
          '0.0.0.0',
          '-host-port',
          '8080',
          '-container-ip',
          '172.17.0.2',
          '-container-port',
          '80',
          '-use-listen-fd',
        ),
      ),
    ).toEqual({protocol: 'tcp', hostPort: 8080, containerAddress: '172.17.0.2', containerPort: 80});
    expect(
      parseProxyArgs(
        args(
          'docker-proxy',
          '--proto=udp',
          '--host-port=53',
          '--container-ip=fd00::2',
          '--container-port=53',
        ),
      ),
    ).toEqual({protocol: 'udp', hostPort: 53, containerAddress: 'fd00::2', containerPort: 53});
  });

  it.each([
    ['no container address', args('docker-proxy', '-host-port', '8080', '-container-port', '80')],
    [
      'an address that is none',
      args('docker-proxy', '-host-port', '1', '-container-ip', 'web', '-container-port', '80'),
    ],
    [
      'a port out of range',
      args(
        'docker-proxy',
        '-host-port',
        '70000',
        '-container-ip',
        '10.0.0.2',
        '-container-port',
        '80',
      ),
    ],
    [
      'another protocol',
      args(
        'docker-proxy',
        '-proto',
        'sctp',
        '-host-port',
        '1',
        '-container-ip',
        '10.0.0.2',
        '-container-port',
        '1',
      ),
    ],
  ])('%s: none', (_name, cmdline) => {
    expect(parseProxyArgs(cmdline)).toBeNull();
  });
});

describe('engine output', () => {
  it('keeps names that look like names and drops the rest', () => {
    const names = parsePsNames(
      [
        `${a64} web`,
        `${b64} \u001b]0;retitled\u0007`,
        `${id('c')} first,second/alias`,
        `${id('d')} a-name-that-goes-on-${'x'.repeat(200)}`,
        `abc123 short-id`,
        '',
      ].join('\n'),
    );
    expect([...names]).toEqual([
      [a64, 'web'],
      [id('c'), 'first'],
    ]);
  });

  it('reads which container holds an address', () => {
    const owners = parseInspectAddresses(
      `${a64} 172.17.0.2 \n${b64}  fd00::3\n${id('c')} <no value>\n`,
    );
    expect([...owners]).toEqual([
      ['172.17.0.2', a64],
      ['fd00::3', b64],
    ]);
  });

  it("names a Kubernetes container after its pod, from crictl's JSON", () => {
    const output = JSON.stringify({
      containers: [
        {id: a64, metadata: {name: 'nginx'}, labels: {'io.kubernetes.pod.name': 'web-7d9f'}},
        {id: b64, metadata: {name: 'sidecar'}},
        {id: id('c'), metadata: {name: 'x\u001b[2J'}},
        {id: 'short', metadata: {name: 'other'}},
      ],
    });
    expect([...parseCrictl(output)]).toEqual([
      [a64, 'web-7d9f/nginx'],
      [b64, 'sidecar'],
    ]);
    expect(parseCrictl('not json').size).toBe(0);
    expect(parseCrictl('{"containers": 3}').size).toBe(0);
  });
});

describe('asking an engine', () => {
  function clock() {
    let time = 1_000_000;
    return {now: () => time, advance: (ms: number) => (time += ms)};
  }

  it('asks once per new container, backs off while the CLI fails, and asks again later', async () => {
    const time = clock();
    const calls: string[][] = [];
    let answer: string | null = null;
    const run: RunCommand = (_command, args) => {
      calls.push(args);
      return Promise.resolve(answer);
    };
    const names = createEngineNames({cli: psCli('docker'), run, now: time.now});
    names.want([a64], []);
    await names.idle();
    expect(calls).toHaveLength(1);
    // Failed: polls during the back-off ask nothing, not even for a new container.
    for (let poll = 0; poll < 4; poll++) {
      time.advance(1000);
      names.want([a64, b64], []);
      await names.idle();
    }
    expect(calls).toHaveLength(1);
    answer = `${a64} web\n`;
    time.advance(1000);
    names.want([a64, b64], []);
    await names.idle();
    expect(calls).toHaveLength(2);
    expect(names.name(a64)).toBe('web');
    expect(names.name(b64)).toBeNull();
    const version = names.version;
    // b64 was not listed: asked again only after its own wait; a new id is asked about at once.
    time.advance(1000);
    names.want([b64], []);
    await names.idle();
    expect(calls).toHaveLength(2);
    names.want([b64, id('c')], []);
    await names.idle();
    expect(calls).toHaveLength(3);
    expect(names.version).toBe(version);
  });

  it('inspects addresses only when a published port wants them', async () => {
    const calls: string[][] = [];
    const run: RunCommand = (_command, args) => {
      calls.push(args);
      return Promise.resolve(args[0] === 'ps' ? `${a64} web\n` : `${a64} 172.17.0.2\n`);
    };
    const names = createEngineNames({cli: psCli('docker'), run});
    names.want([a64], []);
    await names.idle();
    expect(calls.map((args) => args[0])).toEqual(['ps']);
    names.want([], ['172.17.0.2']);
    await names.idle();
    expect(calls.map((args) => args[0])).toEqual(['ps', 'ps', 'inspect']);
    expect(calls[2]).toContain(a64);
    expect(names.ownerOf('172.17.0.2')).toBe(a64);
  });
});

// Real containers' cgroups, made by the test: a cgroup named like Docker's, a process moved into it.
const isRoot = process.getuid?.() === 0;

/** Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
function cgroup2Mount(): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [before, after] = line.split(' - ');
      if (!after?.startsWith('cgroup2 ')) continue;
      const mount = before?.split(' ')[4];
      if (mount && existsSync(path.join(mount, 'cgroup.controllers'))) return mount;
    }
  } catch {
    // no mountinfo: not Linux
  }
  return undefined;
}

const cgroupRoot = cgroup2Mount();
const skipReason = !isRoot
  ? 'needs root to make a cgroup and move a process into it'
  : !cgroupRoot
    ? 'no cgroup v2 hierarchy mounted (no cgroup.controllers)'
    : undefined;
if (skipReason) console.log(`containers from real cgroups: skipped, ${skipReason}`);

const listenerSource = `
const server = require('net').createServer().listen(Number(process.argv[process.argv.length - 1]) || 0, '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\\n');
});`;

/** Starts a process listening on 127.0.0.1 and resolves its port. */
async function startListener(
  command: string,
  args: string[],
): Promise<{child: ChildProcess; port: number}> {
  const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']});
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`listener exited (${code}): ${err}`)));
  });
  return {child, port};
}

const children: ChildProcess[] = [];

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Polls until a socket matches; resolves it and how long the poll that found it took. */
async function readUntil(
  reader: SocketsReader,
  found: (socket: Socket) => boolean,
  message: string,
): Promise<Socket & {pollMs: number}> {
  let hit: Socket | undefined;
  let pollMs = 0;
  // A new socket's owner may wait for a throttled scan on a busy machine.
  await waitFor(
    async () => {
      const started = performance.now();
      hit = (await reader.read()).sockets.find(found);
      pollMs = performance.now() - started;
      return hit !== undefined;
    },
    message,
    30_000,
  );
  return {...hit!, pollMs};
}

/** Removes cgroups, innermost first, once the processes moved there have exited. */
async function removeCgroups(dirs: string[]) {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    // The kernel lets a cgroup go only a moment after its last process exited.
    await waitFor(
      () => {
        try {
          rmdirSync(dir);
          return true;
        } catch {
          return false;
        }
      },
      `removing ${dir}`,
      5000,
    );
  }
}

function writeScript(file: string, body: string) {
  writeFileSync(file, body);
  chmodSync(file, 0o755);
}

describe.skipIf(skipReason !== undefined)('containers from real cgroups', () => {
  const containerId = randomBytes(32).toString('hex');
  const slice = path.join(cgroupRoot ?? '/nonexistent', `porthole-test-${process.pid}.slice`);
  const scope = path.join(slice, `docker-${containerId}.scope`);
  const savedPath = process.env.PATH;
  let bin: string;
  let held: {child: ChildProcess; port: number};

  beforeAll(async () => {
    bin = mkdtempSync(path.join(tmpdir(), 'porthole-containers-'));
    mkdirSync(scope, {recursive: true});
    held = await startListener(process.execPath, ['-e', listenerSource]);
    writeFileSync(path.join(scope, 'cgroup.procs'), String(held.child.pid));
  });

  afterEach(() => {
    process.env.PATH = savedPath;
  });

  afterAll(async () => {
    for (const child of children) await stop(child);
    await removeCgroups([scope, slice]);
    rmSync(bin, {recursive: true, force: true});
  });

  /** A directory holding a fake `docker` with `body`, first on PATH. */
  function fakeDocker(name: string, body: string): string {
    const dir = path.join(bin, name);
    mkdirSync(dir);
    writeScript(path.join(dir, 'docker'), `#!/bin/sh\necho "$*" >> ${dir}/calls\n${body}\n`);
    process.env.PATH = `${dir}:${savedPath}`;
    return dir;
  }

  const heldSocket = (socket: Socket) =>
    socket.localPort === held.port && socket.state === 'LISTEN' && socket.pid === held.child.pid;

  it('names the container of a process in a Docker cgroup, once docker answers', async () => {
    fakeDocker(
      'named',
      `case "$1" in ps) echo "${containerId} web" ;; inspect) echo "${containerId} 172.17.0.2" ;; esac`,
    );
    const reader = createSocketsReader({procRoot: '/proc', restampMs: 0});
    const first = await readUntil(
      reader,
      (s) => heldSocket(s) && s.container != null,
      'the container',
    );
    // The poll that first saw the container did not wait for docker.
    expect(first.container).toEqual({engine: 'docker', id: containerId, name: null});
    const named = await readUntil(
      reader,
      (s) => heldSocket(s) && s.container?.name === 'web',
      "the container's name",
    );
    expect(named.container).toEqual({engine: 'docker', id: containerId, name: 'web'});
    // Kept while unchanged: the same object on the next poll.
    const again = (await reader.read()).sockets.find(heldSocket);
    expect(again?.container).toBe(named.container);
  });

  it('names the container in a one-shot reading (--json), which waits for docker once', async () => {
    fakeDocker('one-shot', `case "$1" in ps) echo "${containerId} web" ;; esac`);
    const reader = createSocketsReader({procRoot: '/proc', owners: 'scan-once'});
    const mine = (await reader.read()).sockets.find(heldSocket);
    expect(mine?.container).toEqual({engine: 'docker', id: containerId, name: 'web'});
  });

  it('keeps the id while docker hangs, without holding the poll, and ends the hung CLI', async () => {
    const dir = fakeDocker('hung', `echo $$ > ${path.join(bin, 'hung', 'pid')}\nexec sleep 10`);
    const reader = createSocketsReader({procRoot: '/proc', restampMs: 0});
    // The poll that first sees the container asks docker; had it waited, it would take the
    // whole timeout (1 s).
    const first = await readUntil(
      reader,
      (s) => heldSocket(s) && s.container != null,
      'the container',
    );
    expect(first.pollMs).toBeLessThan(1000);
    await waitFor(() => existsSync(path.join(dir, 'pid')), 'docker to be asked');
    const hungPid = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    try {
      const started = performance.now();
      const reading = await reader.read();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(reading.sockets.find(heldSocket)?.container).toEqual({
        engine: 'docker',
        id: containerId,
        name: null,
      });
      await waitFor(() => !existsSync(`/proc/${hungPid}`), 'the hung docker to be killed', 5000);
      const later = await reader.read();
      expect(later.sockets.find(heldSocket)?.container?.name).toBeNull();
    } finally {
      try {
        process.kill(hungPid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  });

  it('asks a failing docker once, not on every poll', async () => {
    const dir = fakeDocker('failing', `echo 'Cannot connect to the Docker daemon' >&2\nexit 1`);
    const reader = createSocketsReader({procRoot: '/proc', restampMs: 0});
    await readUntil(reader, (s) => heldSocket(s) && s.container != null, 'the container');
    await waitFor(() => existsSync(path.join(dir, 'calls')), 'docker to be asked');
    for (let poll = 0; poll < 5; poll++) {
      const reading = await reader.read();
      expect(reading.sockets.find(heldSocket)?.container?.name).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n')).toEqual([
      'ps --no-trunc --format {{.ID}} {{.Names}}',
    ]);
  });

  it('says where a docker-proxy listener leads, and names the container there', async () => {
    const dir = fakeDocker(
      'proxy',
      `case "$1" in ps) echo "${containerId} web" ;; inspect) echo "${containerId} 172.17.0.2" ;; esac`,
    );
    const proxy = path.join(dir, 'docker-proxy');
    writeScript(proxy, `#!${process.execPath}\n${listenerSource}\n`);
    const hostPort = await freePort();
    const {child} = await startListener(proxy, [
      '-proto',
      'tcp',
      '-host-ip',
      '127.0.0.1',
      '-host-port',
      String(hostPort),
      '-container-ip',
      '172.17.0.2',
      '-container-port',
      '80',
      String(hostPort),
    ]);
    const reader = createSocketsReader({procRoot: '/proc', restampMs: 0});
    const ofProxy = (s: Socket) =>
      s.localPort === hostPort && s.state === 'LISTEN' && s.pid === child.pid;
    const first = await readUntil(
      reader,
      (s) => ofProxy(s) && s.published != null,
      'the published port',
    );
    expect(first.process).toBe('docker-proxy');
    expect(first.published).toEqual({
      containerAddress: '172.17.0.2',
      containerPort: 80,
      container: null,
    });
    expect(first.container ?? null).toBeNull();
    const named = await readUntil(
      reader,
      (s) => ofProxy(s) && s.published?.container === 'web',
      'the container the port leads to',
    );
    expect(named.published).toEqual({
      containerAddress: '172.17.0.2',
      containerPort: 80,
      container: 'web',
    });
    const again = (await reader.read()).sockets.find(ofProxy);
    expect(again?.published).toBe(named.published);
    await stop(child);
  });
});

/** A cgroup v1 hierarchy of the pids controller, where a hybrid or v1 host mounts one. */
function cgroup1Mount(): string | undefined {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [before, after] = line.split(' - ');
      if (!after?.startsWith('cgroup ') || !after.split(' ')[2]?.split(',').includes('pids')) {
        continue;
      }
      const mount = before?.split(' ')[4];
      if (mount && existsSync(path.join(mount, 'cgroup.procs'))) return mount;
    }
  } catch {
    // no mountinfo: not Linux
  }
  return undefined;
}

const cgroup1Root = cgroup1Mount();
const skipV1 = !isRoot
  ? 'needs root'
  : !cgroup1Root
    ? 'no cgroup v1 pids hierarchy mounted (a pure cgroup v2 host)'
    : undefined;
if (skipV1) console.log(`containers from cgroup v1: skipped, ${skipV1}`);

describe.skipIf(skipV1 !== undefined)('containers from cgroup v1', () => {
  const containerId = randomBytes(32).toString('hex');
  const top = path.join(cgroup1Root ?? '/nonexistent', `porthole-test-${process.pid}`);
  const dirs = [path.join(top, 'docker', containerId), path.join(top, 'docker'), top];

  afterAll(async () => {
    for (const child of children) await stop(child);
    await removeCgroups(dirs);
  });

  it('finds a Docker container in a cgroupfs-driver path (/docker/<id>)', async () => {
    mkdirSync(dirs[0]!, {recursive: true});
    const {child, port} = await startListener(process.execPath, ['-e', listenerSource]);
    writeFileSync(path.join(dirs[0]!, 'cgroup.procs'), String(child.pid));
    const reader = createSocketsReader({procRoot: '/proc', restampMs: 0});
    const socket = await readUntil(
      reader,
      (s) => s.localPort === port && s.pid === child.pid && s.container != null,
      'the container',
    );
    expect(socket.container).toMatchObject({engine: 'docker', id: containerId});
  });
});

/** A loopback port free a moment ago (the proxy's command line must name it before it listens). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
