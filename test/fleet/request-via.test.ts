/**
 * `porthole request --via HOST` through the built command line (needs `npm run build`) against
 * real hosts: network namespaces each running sshd, with an HTTP listener on the namespace's own
 * 127.0.0.1 that nothing outside it can reach.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {closedPort} from '../helpers/servers.js';
import {runBuiltCli} from '../helpers/built-cli.js';
import {
  canMakeHosts,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-via-'));

const porthole = (args: string[]) => runBuiltCli(args, scratch, 30_000);

/** A port nothing listens on inside the host's namespace, as the host itself reports. */
async function closedPortOn(host: TestHost): Promise<number> {
  const listed = await host.exec(['ss', '-Htanl']);
  const taken = new Set(
    listed.stdout
      .split('\n')
      .map((line) => Number(/:(\d+)\s/.exec(line)?.[1]))
      .filter((port) => Number.isInteger(port)),
  );
  for (let port = 1; port < 1024; port++) if (!taken.has(port)) return port;
  throw new Error('no closed port on the host');
}

describe.skipIf(!canMakeHosts)('porthole request --via HOST', () => {
  let fleet: TestFleet;
  let host: TestHost;

  beforeAll(async () => {
    fleet = await createTestFleet(1);
    host = fleet.hosts[0]!;
  }, 60_000);

  afterAll(async () => {
    await fleet?.cleanup();
    rmSync(scratch, {recursive: true, force: true});
  });

  it('reaches a listener on the host’s own 127.0.0.1 that a direct request cannot', async () => {
    const url = `http://127.0.0.1:${host.loopbackPort}/`;
    const via = await porthole([
      'request',
      '-v',
      '--via',
      host.name,
      '--ssh-config',
      fleet.sshConfig,
      url,
    ]);
    expect(via.stderr).not.toMatch(/^porthole: /m);
    expect(via.code).toBe(0);
    expect(via.stdout).toBe(`loopback ${host.name}\n`);
    expect(via.stderr).toContain(
      `* Connecting to 127.0.0.1 port ${host.loopbackPort} via ssh ${host.name}\n`,
    );
    expect(via.stderr).toMatch(
      new RegExp(
        `^\\* Connected to 127\\.0\\.0\\.1 \\(via ssh ${host.name}\\) port ${host.loopbackPort} \\(#0\\)$`,
        'm',
      ),
    );
    expect(via.stderr).not.toMatch(/^\* Trying /m);

    // From here the same port on the host's address is closed: the listener is the host's alone.
    const direct = await porthole([
      'request',
      '-s',
      '-S',
      `http://${host.address}:${host.loopbackPort}/`,
    ]);
    expect(direct.code).toBe(1);
    expect(direct.stdout).toBe('');
    expect(direct.stderr).toMatch(/^porthole: connection refused by /);

    // The JSON result says which way it went.
    const json = await porthole([
      'request',
      '--json-result',
      '--via',
      host.name,
      '--ssh-config',
      fleet.sshConfig,
      url,
    ]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as {
      connection: {via?: string; remoteAddress: string; remotePort: number};
      dns: {source: string};
      timings: {dns: number; connect: number};
    };
    expect(result.connection).toMatchObject({
      via: `ssh ${host.name}`,
      remoteAddress: '127.0.0.1',
      remotePort: host.loopbackPort,
    });
    expect(result.dns.source).toBe('via');
    expect(result.timings.dns).toBe(0);
    // The channel's opening (an SSH connection of its own: handshake, key, channel) is the connect phase.
    expect(result.timings.connect).toBeGreaterThan(5);
  }, 60_000);

  it('a port closed on the host is one line and the exit code of any failed request', async () => {
    const port = await closedPortOn(host);
    const via = await porthole([
      'request',
      '--via',
      host.name,
      '--ssh-config',
      fleet.sshConfig,
      `http://127.0.0.1:${port}/`,
    ]);
    expect(via.stdout).toBe('');
    expect(via.stderr).toBe(
      `porthole: cannot connect to 127.0.0.1:${port} via ssh ${host.name}: connection refused on the host\n`,
    );
    const refusedHere = await porthole(['request', `http://127.0.0.1:${await closedPort()}/`]);
    expect(refusedHere.code).toBe(1);
    expect(via.code).toBe(refusedHere.code);
  }, 60_000);

  it('a bad --via is a usage error in one line', async () => {
    const bad = await porthole(['request', '--via', '-oProxyCommand=x', 'http://127.0.0.1:1/']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('porthole: --via: bad host "-oProxyCommand=x": starts with "-"\n');
    const missing = await porthole(['request', 'http://127.0.0.1:1/', '--via']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('porthole: --via needs a value\n');
    const unreadable = path.join(scratch, 'no-such-config');
    const noConfig = await porthole([
      'request',
      '--via',
      host.name,
      '--ssh-config',
      unreadable,
      'http://127.0.0.1:1/',
    ]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toBe(`porthole: --ssh-config: cannot read ${unreadable}\n`);
    const alone = await porthole([
      'request',
      '--ssh-config',
      fleet.sshConfig,
      'http://127.0.0.1:1/',
    ]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('porthole: --ssh-config is for --via HOST; give --via too\n');
  });

  it('a host whose sshd is stopped gives one line', async () => {
    await host.stopSshd({sessions: true});
    try {
      const down = await porthole([
        'request',
        '--via',
        host.name,
        '--ssh-config',
        fleet.sshConfig,
        `http://127.0.0.1:${host.loopbackPort}/`,
      ]);
      expect(down.code).toBe(1);
      expect(down.stdout).toBe('');
      expect(down.stderr).toBe(
        `porthole: cannot connect to 127.0.0.1:${host.loopbackPort} via ssh ${host.name}: ssh could not connect: connection refused\n`,
      );
    } finally {
      await host.startSshd();
    }
  }, 60_000);
});
