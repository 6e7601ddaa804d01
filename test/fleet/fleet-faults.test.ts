/**
 * Hosts in trouble, against real hosts (network namespaces each running sshd): a fleet of 50 of which
 * 10 refuse or stall, a changed host key, a link that drops mid-run and comes back, an sshd that
 * stops and starts. Each host's trouble is one line in that host's status; the others go on.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createRemoteFeed} from '../../source/fleet/remote-feed.js';
import {createSshConnection, makeControlDir} from '../../source/fleet/ssh.js';
import {parseSshTarget} from '../../source/fleet/ssh-args.js';
import {emptyHost, type HostData, type HostFeed} from '../../source/fleet/types.js';
import {runBuiltCli} from '../helpers/built-cli.js';
import {
  canMakeHosts,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';
import {waitFor} from '../helpers/wait.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-fleet-faults-'));

const porthole = (args: string[]) => runBuiltCli(args, scratch, 90_000);

/** The ssh_config entry of a test host, under another alias (as a fleet names one machine twice). */
function aliasOf(config: string, host: TestHost, alias: string): string {
  const block = config
    .split(/\n(?=Host )/)
    .find((entry) => entry.startsWith(`Host ${host.name}\n`));
  if (!block) throw new Error(`no ssh_config entry for ${host.name}`);
  return block.replace(`Host ${host.name}\n`, `Host ${alias}\n`).trimEnd() + '\n';
}

/** A host's slice as the store would hold it, from the patches its feed writes. */
function hostSlice(id: string) {
  const slice: {host: HostData} = {host: emptyHost(id, id, false, 'ssh-shell')};
  const sink = (patch: Partial<HostData>) => (slice.host = {...slice.host, ...patch});
  return {slice, sink};
}

describe.skipIf(!canMakeHosts)('hosts in trouble', () => {
  let fleet: TestFleet;
  let controlDir: string;
  const feeds: HostFeed[] = [];
  beforeAll(async () => {
    fleet = await createTestFleet(2);
    controlDir = await makeControlDir();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(feeds.map((feed) => feed.stop()));
    await fleet?.cleanup();
    rmSync(controlDir, {recursive: true, force: true});
    rmSync(scratch, {recursive: true, force: true});
  });

  function feedFor(host: TestHost, configFile = fleet.sshConfig) {
    const {slice, sink} = hostSlice(host.name);
    const feed = createRemoteFeed({
      id: host.name,
      runner: createSshConnection(parseSshTarget(host.name), {
        configFile,
        controlDir,
        connectTimeoutSeconds: 2,
      }),
      sink,
      intervalMs: 500,
      timeoutMs: 3000,
      maxBackoffMs: 1000,
    });
    feeds.push(feed);
    return {feed, slice};
  }

  it('reads a fleet of 50 of which 10 refuse or stall: 40 answers, 10 lines, exit 1', async () => {
    const [a, b] = fleet.hosts as [TestHost, TestHost];
    const config = readFileSync(fleet.sshConfig, 'utf8');
    const stalled: net.Socket[] = [];
    // Accepts and never says a word: ssh waits for a banner that does not come.
    const silent = net.createServer((socket) => stalled.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as net.AddressInfo).port;
    try {
      const entries: string[] = [];
      const names: string[] = [];
      for (let n = 0; n < 40; n++) {
        names.push(`up-${n}`);
        entries.push(aliasOf(config, n % 2 === 0 ? a : b, `up-${n}`));
      }
      for (let n = 0; n < 5; n++) {
        names.push(`refusing-${n}`);
        // Port 1 of loopback: nothing listens there, nor can another test's server take it
        // meanwhile, as a port freed for the purpose could be.
        entries.push(`Host refusing-${n}\n  HostName 127.0.0.1\n  Port 1\n`);
        names.push(`stalled-${n}`);
        entries.push(`Host stalled-${n}\n  HostName 127.0.0.1\n  Port ${silentPort}\n`);
      }
      const file = path.join(scratch, 'fifty.conf');
      writeFileSync(file, entries.join('\n'));
      const hostsFile = path.join(scratch, 'fifty.hosts');
      writeFileSync(hostsFile, names.join('\n'));
      const started = performance.now();
      const out = await porthole([
        '--json',
        '--no-local',
        '--hosts-file',
        hostsFile,
        '--ssh-config',
        file,
      ]);
      const seconds = (performance.now() - started) / 1000;
      expect(out.code).toBe(1);
      const parsed = JSON.parse(out.stdout) as {
        hosts: Array<{target: string; error: string | null; sockets: Array<{localPort: number}>}>;
      };
      expect(parsed.hosts.map((host) => host.target)).toEqual(names);
      for (const host of parsed.hosts) {
        const real = host.target.startsWith('up-');
        if (real) {
          expect(host.error, host.target).toBeNull();
          const own = Number(host.target.slice(3)) % 2 === 0 ? a : b;
          expect(host.sockets.some((socket) => socket.localPort === own.allPort)).toBe(true);
        } else {
          expect(host.error, host.target).toMatch(
            host.target.startsWith('refusing') ? /refused/ : /.+/,
          );
          expect(host.error).not.toContain('\n');
        }
      }
      // All at once: the stalled ones cost their timeout once, not one after another.
      expect(seconds).toBeLessThan(60);
    } finally {
      for (const socket of stalled) socket.destroy();
      silent.close();
    }
  }, 120_000);

  it('refuses a changed host key, says so in the host status and leaves known_hosts alone', async () => {
    const [a] = fleet.hosts as [TestHost];
    const known = readFileSync(fleet.knownHosts, 'utf8');
    const otherKey = (fleet.hosts[1] as TestHost).hostKey.split(' ').slice(0, 2).join(' ');
    const changed = path.join(scratch, 'changed_known_hosts');
    writeFileSync(changed, `${a.address} ${otherKey}\n`);
    const config = path.join(scratch, 'changed.conf');
    writeFileSync(
      config,
      aliasOf(readFileSync(fleet.sshConfig, 'utf8'), a, a.name).replace(fleet.knownHosts, changed),
    );
    const {slice} = feedFor(a, config);
    await feeds.at(-1)!.start();
    await waitFor(() => slice.host.status.state === 'down', 'the host down');
    expect(slice.host.status.error).toMatch(/host key changed/);
    expect(readFileSync(changed, 'utf8')).toBe(`${a.address} ${otherKey}\n`);
    expect(readFileSync(fleet.knownHosts, 'utf8')).toBe(known);
    await feeds.at(-1)!.stop();
  }, 60_000);

  it('goes down when the link drops mid-run, keeps its last data, and comes back with it', async () => {
    const [, b] = fleet.hosts as [TestHost, TestHost];
    const {feed, slice} = feedFor(b);
    await feed.start();
    await waitFor(() => slice.host.status.state === 'up', 'the host up', 20_000);
    const sockets = slice.host.sockets;
    expect(sockets.some((socket) => socket.localPort === b.allPort)).toBe(true);
    await b.linkDown();
    try {
      await waitFor(() => slice.host.status.state === 'down', 'the host down', 30_000);
      expect(slice.host.status.error).toMatch(/no answer|timed out|closed|reset|unreachable/);
      expect(slice.host.sockets).toBe(sockets);
    } finally {
      await b.linkUp();
    }
    await waitFor(() => slice.host.status.state === 'up', 'the host back', 60_000);
    expect(slice.host.status.error).toBeUndefined();
  }, 120_000);

  it('goes down when sshd stops (sessions too) and comes back when it starts', async () => {
    const [a] = fleet.hosts as [TestHost];
    const {feed, slice} = feedFor(a);
    await feed.start();
    await waitFor(() => slice.host.status.state === 'up', 'the host up', 20_000);
    await a.stopSshd({sessions: true});
    try {
      await waitFor(() => slice.host.status.state === 'down', 'the host down', 30_000);
      expect(slice.host.status.error).toMatch(/refused|closed/);
    } finally {
      await a.startSshd();
    }
    await waitFor(() => slice.host.status.state === 'up', 'the host back', 60_000);
  }, 120_000);
});
