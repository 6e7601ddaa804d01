/**
 * The test hosts themselves: each namespace answers SSH with its own key, its listeners are where
 * they claim to be, the link and sshd can be taken away and given back, and cleanup leaves nothing.
 */
import {execFile, spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {
  canDelay,
  canMakeHosts,
  createTestFleet,
  namespaceExists,
  sweepStaleHosts,
} from '../helpers/ssh-hosts.js';
import type {TestFleet} from '../helpers/ssh-hosts.js';

function ssh(config: string, host: string, command: string, timeoutSeconds = 5) {
  return new Promise<{stdout: string; stderr: string; code: number | null}>((resolve) => {
    execFile(
      'ssh',
      [
        '-F',
        config,
        '-o',
        'BatchMode=yes',
        '-o',
        `ConnectTimeout=${timeoutSeconds}`,
        host,
        command,
      ],
      {encoding: 'utf8', timeout: 20_000},
      (error, stdout, stderr) =>
        resolve({stdout, stderr, code: error === null ? 0 : ((error.code as number) ?? null)}),
    );
  });
}

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({host: address, port, timeout: 1000});
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe.skipIf(!canMakeHosts)('test SSH hosts in network namespaces', () => {
  let fleet: TestFleet;
  let madeMs = 0;

  beforeAll(async () => {
    const started = performance.now();
    fleet = await createTestFleet(2, {banner: [false, true]});
    madeMs = performance.now() - started;
    console.log(`createTestFleet(2) took ${madeMs.toFixed(0)} ms`);
  });

  afterAll(async () => {
    await fleet?.cleanup();
  });

  test('each host answers SSH as itself, and only the banner host prints a banner', async () => {
    const [plain, bannered] = fleet.hosts as [TestFleet['hosts'][0], TestFleet['hosts'][0]];
    const first = await ssh(fleet.sshConfig, plain.name, 'echo hi; ip -4 -o addr show');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.startsWith('hi\n')).toBe(true);
    expect(first.stdout).toContain(`inet ${plain.address}/30`);
    expect(first.stdout).not.toContain(bannered.address);
    const second = await ssh(fleet.sshConfig, bannered.name, 'echo hi');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${bannered.banner}\nhi\n`);
    expect(plain.banner).toBeUndefined();
  });

  test('the 0.0.0.0 listener is reachable from this machine, the 127.0.0.1 one only inside', async () => {
    const host = fleet.hosts[0]!;
    const all = await fetch(`http://${host.address}:${host.allPort}/`);
    expect(await all.text()).toBe(`all ${host.name}\n`);
    expect(await connects(host.address, host.loopbackPort)).toBe(false);
    const inside = await host.exec([
      process.execPath,
      '-e',
      `fetch('http://127.0.0.1:${host.loopbackPort}/').then(r => r.text()).then(t => process.stdout.write(t))`,
    ]);
    expect(inside.stdout).toBe(`loopback ${host.name}\n`);
    const route = await host.exec(['cat', '/proc/net/route']);
    expect(route.stdout).toMatch(/\n\S+\t00000000\t/);
  });

  test('stopping sshd refuses connections; starting it again answers', async () => {
    const host = fleet.hosts[0]!;
    await host.stopSshd();
    expect(await connects(host.address, 22)).toBe(false);
    await host.startSshd();
    const result = await ssh(fleet.sshConfig, host.name, 'true');
    expect(result.code, result.stderr).toBe(0);
  });

  test('a dropped link times out; restored, it answers again', async () => {
    const host = fleet.hosts[1]!;
    await host.linkDown();
    const down = await ssh(fleet.sshConfig, host.name, 'true', 1);
    expect(down.code).toBe(255);
    expect(down.stderr).toMatch(/timed out/i);
    await host.linkUp();
    const up = await ssh(fleet.sshConfig, host.name, 'true');
    expect(up.code, up.stderr).toBe(0);
  });

  test.skipIf(!canDelay)('delay adds to the round trip, and clears', async () => {
    const host = fleet.hosts[0]!;
    const time = async () => {
      const started = performance.now();
      expect(await connects(host.address, host.allPort)).toBe(true);
      return performance.now() - started;
    };
    await host.delay(150);
    expect(await time()).toBeGreaterThanOrEqual(140);
    await host.delay(undefined);
    expect(await time()).toBeLessThan(140);
  });

  test('cleanup ends every process and removes namespaces, veths and the dir', async () => {
    const other = await createTestFleet(1);
    const host = other.hosts[0]!;
    const pids = (await host.exec(['true'])) && (await listPids(host.ns));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await other.cleanup();
    await other.cleanup();
    expect(namespaceExists(host.ns)).toBe(false);
    expect(fs.existsSync(other.dir)).toBe(false);
    expect(fs.existsSync(`/sys/class/net/${host.veth}`)).toBe(false);
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });
});

test.skipIf(!canMakeHosts)(
  'hosts left by a test process that was killed are swept away',
  async () => {
    const program = `
    import {createTestFleet} from './test/helpers/ssh-hosts.ts';
    const fleet = await createTestFleet(1);
    console.log(fleet.hosts[0].ns + ' ' + fleet.dir);
    setInterval(() => undefined, 1000);
  `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', program],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [ns, dir] = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim().split(' '));
      });
      child.once('exit', (code) => reject(new Error(`fleet process exited (${code})`)));
    });
    if (ns === undefined || dir === undefined) throw new Error(`no fleet from the child`);
    expect(fs.existsSync(dir)).toBe(true);
    const pids = await listPids(ns);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(namespaceExists(ns)).toBe(true);
    sweepStaleHosts();
    expect(namespaceExists(ns)).toBe(false);
    const deadline = Date.now() + 2000;
    while (pids.some((pid) => fs.existsSync(`/proc/${pid}`)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  },
);

function listPids(ns: string): Promise<number[]> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'pids', ns], {encoding: 'utf8'}, (_error, stdout) =>
      resolve(stdout.split('\n').filter(Boolean).map(Number)),
    );
  });
}
