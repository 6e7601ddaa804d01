/**
 * The SSH transport against real hosts: sshd in network namespaces this test makes (see
 * test/helpers/ssh-hosts.ts), reached with the system's OpenSSH client.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {parseSshTarget} from '../../source/fleet/ssh-args.js';
import {
  acceptCommand,
  createSshConnection,
  makeControlDir,
  sshFailure,
} from '../../source/fleet/ssh.js';
import type {SshConnection} from '../../source/fleet/ssh.js';
import {canMakeHosts, cannotMakeHostsReason, createTestFleet} from '../helpers/ssh-hosts.js';
import type {TestFleet, TestHost} from '../helpers/ssh-hosts.js';

/** The listening sockets of a /proc/net/tcp table, as `address:port` (IPv4, host byte order). */
function listeners(table: string): string[] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A')
    .map((fields) => {
      const [hex, portHex] = fields[1]!.split(':') as [string, string];
      const bytes = hex.match(/../g)!.map((byte) => parseInt(byte, 16));
      return `${bytes.reverse().join('.')}:${parseInt(portHex, 16)}`;
    })
    .sort();
}

/** This process's children whose command line mentions `text`. */
function childrenMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Any ssh process on the machine whose command line mentions `text` (a test's own temp dir). */
function sshPidsMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('ssh') && cmdline.some((arg) => arg.includes(text))) {
        found.push(Number(entry));
      }
    } catch {
      // ended while we looked
    }
  }
  return found;
}

function keygen(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], (error) =>
      error ? reject(new Error(error.message)) : resolve(),
    );
  });
}

describe.skipIf(!canMakeHosts)(`the SSH transport ${cannotMakeHostsReason}`, () => {
  let fleet: TestFleet;
  let controlDir: string;
  const opened: SshConnection[] = [];

  beforeAll(async () => {
    [fleet, controlDir] = await Promise.all([createTestFleet(2), makeControlDir()]);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((connection) => connection.close()));
  });

  afterAll(async () => {
    await fleet?.cleanup();
    if (controlDir) fs.rmSync(controlDir, {recursive: true, force: true});
  });

  function open(
    host: TestHost,
    settings: {configFile?: string; connectTimeoutSeconds?: number; sshPath?: string} = {},
  ): SshConnection {
    const connection = createSshConnection(parseSshTarget(host.name), {
      configFile: fleet.sshConfig,
      controlDir,
      ...settings,
    });
    opened.push(connection);
    return connection;
  }

  /** A copy of the fleet's ssh_config with another known_hosts (and optionally another key). */
  function configWith(name: string, knownHosts: string, identityFile?: string): string {
    const known = path.join(fleet.dir, `${name}.known_hosts`);
    fs.writeFileSync(known, knownHosts);
    let text = fs.readFileSync(fleet.sshConfig, 'utf8').replaceAll(fleet.knownHosts, known);
    if (identityFile !== undefined) text = text.replaceAll(fleet.identityFile, identityFile);
    const file = path.join(fleet.dir, `${name}.ssh_config`);
    fs.writeFileSync(file, text);
    return file;
  }

  test('each host answers with its own socket table over its own connection', async () => {
    const [a, b] = fleet.hosts as [TestHost, TestHost];
    const [first, second] = [open(a), open(b)];
    await Promise.all([first.connect(), second.connect()]);
    expect(first.up && second.up).toBe(true);
    const [tableA, tableB] = await Promise.all([
      first.run('cat /proc/net/tcp', {timeoutMs: 10_000}),
      second.run('cat /proc/net/tcp', {timeoutMs: 10_000}),
    ]);
    expect(tableA.code).toBe(0);
    expect(tableA.ms).toBeGreaterThan(0);
    // The namespaces hold only what the fleet started: sshd and the two HTTP listeners.
    expect(listeners(tableA.stdout.toString())).toEqual(
      [`0.0.0.0:${a.allPort}`, `127.0.0.1:${a.loopbackPort}`, `${a.address}:22`].sort(),
    );
    expect(listeners(tableB.stdout.toString())).toEqual(
      [`0.0.0.0:${b.allPort}`, `127.0.0.1:${b.loopbackPort}`, `${b.address}:22`].sort(),
    );
  });

  test('a command gets its stdin, and its own exit code is a result, not a failure', async () => {
    const connection = open(fleet.hosts[0]!);
    const echoed = await connection.run('cat; echo oops >&2; exit 3', {
      timeoutMs: 10_000,
      stdin: 'héllo\n',
    });
    expect(echoed.stdout.toString()).toBe('héllo\n');
    expect(echoed.stderr).toContain('oops');
    expect(echoed.code).toBe(3);
  });

  test('a run with the master down connects first, and reconnects after the master ends', async () => {
    const host = fleet.hosts[1]!;
    const connection = open(host);
    expect(connection.up).toBe(false);
    expect((await connection.run('echo one', {timeoutMs: 10_000})).stdout.toString()).toBe('one\n');
    expect(connection.up).toBe(true);
    // Every sshd of the host ends, the master's session with it.
    await host.stopSshd({sessions: true});
    await host.startSshd();
    const deadline = Date.now() + 5000;
    while (connection.up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(connection.up).toBe(false);
    expect((await connection.run('echo two', {timeoutMs: 10_000})).stdout.toString()).toBe('two\n');
    expect(connection.up).toBe(true);
  });

  test('runs at once on a fresh connection share one master', async () => {
    const connection = open(fleet.hosts[0]!);
    const outputs = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => connection.run(`echo ${n}`, {timeoutMs: 10_000})),
    );
    expect(outputs.map((output) => output.stdout.toString())).toEqual([
      '1\n',
      '2\n',
      '3\n',
      '4\n',
      '5\n',
    ]);
    expect(childrenMentioning(controlDir).length).toBe(1);
  });

  test('close() ends the master and any command still running; twice is fine', async () => {
    const connection = open(fleet.hosts[0]!);
    await connection.connect();
    const [master] = childrenMentioning(controlDir);
    expect(master).toBeGreaterThan(0);
    const pending = connection.run('sleep 30', {timeoutMs: 60_000});
    const settled = pending.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    const deadline = Date.now() + 5000;
    while (childrenMentioning(controlDir).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const both = childrenMentioning(controlDir);
    expect(both.length).toBe(2);
    await connection.close();
    await connection.close();
    expect(connection.up).toBe(false);
    expect(await settled).toBe('connection closed');
    for (const pid of both) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    await expect(connection.run('true', {timeoutMs: 1000})).rejects.toThrow('connection closed');
  });

  test('a command that outlives its timeout is ended, and the connection still works', async () => {
    const connection = open(fleet.hosts[0]!);
    await connection.connect();
    const started = performance.now();
    await expect(connection.run('sleep 30', {timeoutMs: 500})).rejects.toThrow(
      'no answer within 0.5 s',
    );
    expect(performance.now() - started).toBeLessThan(5000);
    expect(childrenMentioning(controlDir).length).toBe(1);
    expect((await connection.run('echo ok', {timeoutMs: 10_000})).stdout.toString()).toBe('ok\n');
  });

  test('output over the bound ends the command', async () => {
    const connection = open(fleet.hosts[0]!);
    await expect(connection.run('head -c 70000000 /dev/zero', {timeoutMs: 15_000})).rejects.toThrow(
      'output over 64 MiB',
    );
    expect(childrenMentioning(controlDir).length).toBe(1);
  });

  test('when porthole exits, its ssh processes end with it', async () => {
    const host = fleet.hosts[0]!;
    const dir = await makeControlDir();
    try {
      const program = `
        import {createSshConnection} from './source/fleet/ssh.ts';
        import {parseSshTarget} from './source/fleet/ssh-args.ts';
        const connection = createSshConnection(parseSshTarget(${JSON.stringify(host.name)}), {
          configFile: ${JSON.stringify(fleet.sshConfig)},
          controlDir: ${JSON.stringify(dir)},
        });
        await connection.connect();
        void connection.run('sleep 30', {timeoutMs: 60_000});
        setTimeout(() => process.exit(0), 500);
      `;
      const before = new Set(sshPidsMentioning(dir));
      expect(before.size).toBe(0);
      let seen: number[] = [];
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', program],
        {
          cwd: process.cwd(),
        },
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 10_000;
      while (child.exitCode === null && Date.now() < deadline) {
        const now = sshPidsMentioning(dir);
        if (now.length > seen.length) seen = now;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await exited).toBe(0);
      expect(seen.length).toBe(2);
      const gone = Date.now() + 3000;
      while (sshPidsMentioning(dir).length > 0 && Date.now() < gone) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(sshPidsMentioning(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  describe('failures are one line', () => {
    test('sshd stopped: connection refused', async () => {
      const host = fleet.hosts[1]!;
      await host.stopSshd();
      try {
        await expect(open(host).connect()).rejects.toThrow(/^connection refused$/);
      } finally {
        await host.startSshd();
      }
    });

    test('link down: timed out', async () => {
      const host = fleet.hosts[1]!;
      await host.linkDown();
      try {
        const connection = open(host, {connectTimeoutSeconds: 1});
        await expect(connection.connect()).rejects.toThrow(/^connection timed out$/);
        expect(connection.up).toBe(false);
      } finally {
        await host.linkUp();
      }
    });

    test('a changed host key is not accepted', async () => {
      const [a, b] = fleet.hosts as [TestHost, TestHost];
      const configFile = configWith('changed', `${a.address} ${b.hostKey}\n`);
      await expect(open(a, {configFile}).connect()).rejects.toThrow(
        /^host key changed — not accepted$/,
      );
      expect(fs.readFileSync(path.join(fleet.dir, 'changed.known_hosts'), 'utf8')).toBe(
        `${a.address} ${b.hostKey}\n`,
      );
    });

    test('an unknown host key says how to accept it', async () => {
      const host = fleet.hosts[0]!;
      const configFile = configWith('unknown', '');
      await expect(open(host, {configFile}).run('true', {timeoutMs: 10_000})).rejects.toThrow(
        `host key unknown — to accept it, run "ssh -F ${configFile} ${host.name}" once`,
      );
    });

    test('a key the host does not know: permission denied', async () => {
      const host = fleet.hosts[0]!;
      const otherKey = path.join(fleet.dir, 'other-key');
      await keygen(otherKey);
      const configFile = configWith(
        'wrong-key',
        fs.readFileSync(fleet.knownHosts, 'utf8'),
        otherKey,
      );
      await expect(open(host, {configFile}).connect()).rejects.toThrow(
        /^permission denied \(publickey\)$/,
      );
    });

    test('no ssh on this machine', async () => {
      const connection = open(fleet.hosts[0]!, {sshPath: path.join(fleet.dir, 'no-such-ssh')});
      await expect(connection.connect()).rejects.toThrow(/^ssh not found on this machine$/);
      await expect(connection.run('true', {timeoutMs: 1000})).rejects.toThrow(
        /^ssh not found on this machine$/,
      );
    });
  });
});

describe('sshFailure', () => {
  test('drops OpenSSH noise and names the cause', () => {
    expect(
      sshFailure(
        "Warning: Permanently added 'x' (ED25519) to the list of known hosts.\r\nssh: connect to host 10.0.0.1 port 22: Connection refused\r\n",
        255,
      ),
    ).toBe('connection refused');
    expect(
      sshFailure(
        'ssh: Could not resolve hostname nohost.invalid: Name or service not known\n',
        255,
      ),
    ).toBe('name does not resolve: nohost.invalid');
    expect(sshFailure('ssh: connect to host 10.0.0.1 port 22: No route to host\n', 255)).toBe(
      'no route to host',
    );
    expect(sshFailure('Connection closed by 10.0.0.1 port 22\n', 255)).toBe(
      'connection closed by the host',
    );
    expect(sshFailure('kex_exchange_identification: read: Connection reset by peer\n', 255)).toBe(
      'connection reset',
    );
  });

  test('the advice for an unknown key is a command ssh understands', () => {
    expect(acceptCommand(parseSshTarget('deploy@10.0.0.5:2222'), {})).toBe(
      '-p 2222 deploy@10.0.0.5',
    );
    expect(acceptCommand(parseSshTarget('[fd00::5]:22'), {configFile: '/etc/x'})).toBe(
      '-F /etc/x -p 22 fd00::5',
    );
    expect(
      sshFailure(
        'No ED25519 host key is known for web-1 and you have requested strict checking.\r\nHost key verification failed.\r\n',
        255,
        'web-1',
      ),
    ).toBe('host key unknown — to accept it, run "ssh web-1" once');
  });

  test('an unknown message is one sanitized line; nothing at all says how ssh ended', () => {
    expect(
      sshFailure('Warning: Permanently added x\nweird \u001b]0;title\u0007 thing\nmore\n', 255),
    ).toBe('weird ^[]0;title^G thing');
    expect(sshFailure('', 255)).toBe('connection closed');
    expect(sshFailure('', 1)).toBe('ssh failed (exit 1)');
    expect(sshFailure('', null)).toBe('ssh ended by a signal');
  });
});
