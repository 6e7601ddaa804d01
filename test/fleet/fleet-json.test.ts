/**
 * `porthole --json --host …` and the plain snapshot of several hosts, through the built command
 * line (needs `npm run build`), against real hosts: network namespaces each running sshd with an
 * HTTP listener on its own 127.0.0.1 and one on all its interfaces.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {schema} from '../helpers/snapshot-schema.js';
import {runBuiltCli} from '../helpers/built-cli.js';
import {fleetSchema} from '../helpers/fleet-schema.js';
import {canMakeHosts, createTestFleet, type TestFleet} from '../helpers/ssh-hosts.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-fleet-json-'));

const porthole = (args: string[]) => runBuiltCli(args, scratch, 60_000);

type HostJson = {
  target: string | null;
  error: string | null;
  host: string | null;
  sockets: Array<{localAddress: string; localPort: number; state: string; exposure: string}>;
  interfaces: Array<{name: string; addresses: Array<{address: string}>}>;
};

const listening = (host: HostJson, port: number) =>
  host.sockets.find((socket) => socket.state === 'LISTEN' && socket.localPort === port);

describe.skipIf(!canMakeHosts)('porthole --json with hosts over ssh', () => {
  let fleet: TestFleet;
  beforeAll(async () => {
    fleet = await createTestFleet(2);
  }, 60_000);
  afterAll(async () => {
    await fleet?.cleanup();
    rmSync(scratch, {recursive: true, force: true});
  });

  it('prints every host in the documented shape, each with its own sockets and addresses', async () => {
    const [a, b] = fleet.hosts as [TestFleet['hosts'][0], TestFleet['hosts'][0]];
    const out = await porthole([
      '--json',
      '--host',
      a.name,
      '--host',
      b.name,
      '--ssh-config',
      fleet.sshConfig,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as {takenAt: string; hosts: HostJson[]};
    expect(Object.keys(parsed)).toEqual(fleetSchema.top);
    expect(parsed.hosts.map((host) => host.target)).toEqual([null, a.name, b.name]);
    for (const host of parsed.hosts) {
      expect(Object.keys(host)).toEqual(fleetSchema.host);
      expect(host.error).toBeNull();
      for (const socket of host.sockets) expect(Object.keys(socket)).toEqual(schema.socket);
    }
    const [, first, second] = parsed.hosts as [HostJson, HostJson, HostJson];
    for (const [json, test, other] of [
      [first, a, b],
      [second, b, a],
    ] as const) {
      expect(listening(json, test.allPort)).toMatchObject({
        localAddress: '0.0.0.0',
        exposure: 'all-interfaces',
      });
      expect(listening(json, test.loopbackPort)).toMatchObject({
        localAddress: '127.0.0.1',
        exposure: 'loopback',
      });
      // The other host's listeners are not this host's (unless the two ports happen to match).
      if (other.allPort !== test.allPort && other.allPort !== test.loopbackPort) {
        expect(listening(json, other.allPort)).toBeUndefined();
      }
      const addresses = json.interfaces.flatMap((iface) => iface.addresses.map((x) => x.address));
      expect(addresses).toContain(test.address);
      expect(addresses).not.toContain(other.address);
    }
  }, 60_000);

  it('prints the hosts that answered and one line for the one that did not, and exits 1', async () => {
    const [a, b] = fleet.hosts as [TestFleet['hosts'][0], TestFleet['hosts'][0]];
    await b.stopSshd();
    try {
      const out = await porthole([
        '--json',
        '--no-local',
        '--host',
        a.name,
        '--host',
        b.name,
        '--ssh-config',
        fleet.sshConfig,
      ]);
      expect(out.code).toBe(1);
      const parsed = JSON.parse(out.stdout) as {hosts: HostJson[]};
      const [up, down] = parsed.hosts as [HostJson, HostJson];
      expect(up.error).toBeNull();
      expect(listening(up, a.allPort)).toBeDefined();
      expect(down).toMatchObject({target: b.name, host: null, sockets: [], interfaces: []});
      expect(down.error).toMatch(/refused/);
      expect(down.error).not.toContain('\n');
    } finally {
      await b.startSshd();
    }
  }, 60_000);

  it('reads hosts from --hosts-file, and the plain snapshot names each host', async () => {
    const [a, b] = fleet.hosts as [TestFleet['hosts'][0], TestFleet['hosts'][0]];
    const file = path.join(scratch, 'hosts');
    writeFileSync(file, `# the test's hosts\n${a.name}\n\n${b.name}  # second\n${a.name}\n`);
    const out = await porthole([
      '--no-local',
      '--hosts-file',
      file,
      '--ssh-config',
      fleet.sshConfig,
    ]);
    expect(out.code).toBe(0);
    const headings = out.stdout.split('\n').filter((line) => line.startsWith('== '));
    expect(headings).toEqual([`== ${a.name}`, `== ${b.name}`]);
    expect(out.stdout).toContain(`0.0.0.0:${a.allPort}`);
  }, 60_000);
});

describe('porthole --json with hosts: bad input', () => {
  it('refuses a bad host, a missing hosts file and --no-local alone with one line and exit 2', async () => {
    for (const [args, line] of [
      [['--json', '--host=-oProxyCommand=x'], /--host: bad host .*starts with "-"/],
      [['--json', '--host', 'web 1'], /--host: bad host "web 1": spaces/],
      [
        ['--json', '--hosts-file', path.join(scratch, 'absent')],
        /--hosts-file: cannot read .*ENOENT/,
      ],
      [['--json', '--no-local'], /--no-local: no hosts to watch/],
    ] as const) {
      const out = await porthole([...args]);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(line);
    }
  });

  it('says in one line when a host refuses, and still prints this machine', async () => {
    // Port 1 of loopback: nothing listens there, nor can another test take it meanwhile.
    const port = 1;
    const out = await porthole(['--json', '--host', `root@127.0.0.1:${port}`]);
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as {hosts: HostJson[]};
    expect(parsed.hosts[0]?.target).toBeNull();
    expect(parsed.hosts[0]?.sockets.length).toBeGreaterThan(0);
    expect(parsed.hosts[1]?.target).toBe(`root@127.0.0.1:${port}`);
    expect(parsed.hosts[1]?.error).toMatch(/refused/);
  }, 30_000);
});
