/**
 * openSshChannel against a real sshd in a network namespace: over a connection of its own and
 * multiplexed on a running master, a channel that opens, one the host refuses, and the ssh
 * process ended when the stream is destroyed or the wait aborted.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {readdirSync, readFileSync, rmSync} from 'node:fs';
import type {Duplex} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {masterArgs, parseSshTarget, type SshTarget} from '../../source/fleet/ssh-args.js';
import {ChannelError, openSshChannel} from '../../source/fleet/ssh-channel.js';
import {makeControlDir} from '../../source/fleet/ssh.js';
import {
  canMakeHosts,
  createTestFleet,
  type TestFleet,
  type TestHost,
} from '../helpers/ssh-hosts.js';
import {closedPort} from '../helpers/servers.js';
import {waitFor} from '../helpers/wait.js';

/** Sends an HTTP/1.0 request over the stream and reads the answer to its end. */
function exchange(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
    stream.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
  });
}

/** The ssh processes whose command line names this control directory. */
function sshProcessesOf(controlDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (command.includes(`ControlPath=${controlDir}/`) && !command.includes('\0-M\0')) {
        found.push(Number(entry));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe.skipIf(!canMakeHosts)('openSshChannel', () => {
  let fleet: TestFleet;
  let host: TestHost;
  let target: SshTarget;
  let ownDir: string;
  let muxDir: string;
  let master: ChildProcess | undefined;

  beforeAll(async () => {
    fleet = await createTestFleet(1);
    host = fleet.hosts[0]!;
    target = parseSshTarget(host.name);
    ownDir = await makeControlDir();
    muxDir = await makeControlDir();
    master = spawn('ssh', masterArgs(target, {configFile: fleet.sshConfig, controlDir: muxDir}), {
      stdio: 'ignore',
    });
    await waitFor(() => readdirSync(muxDir).length > 0, 'the master control socket', 15_000);
  }, 60_000);

  afterAll(async () => {
    if (master?.pid !== undefined && master.exitCode === null) process.kill(master.pid);
    await fleet?.cleanup();
    for (const dir of [ownDir, muxDir])
      if (dir !== undefined) rmSync(dir, {recursive: true, force: true});
  });

  for (const way of ['own connection', 'master'] as const) {
    it(`opens a channel to the host's loopback (${way})`, async () => {
      const controlDir = way === 'master' ? muxDir : ownDir;
      const settings = {configFile: fleet.sshConfig, controlDir};
      const stream = await openSshChannel(
        target,
        settings,
        '127.0.0.1',
        host.loopbackPort,
        new AbortController().signal,
      );
      const answer = await exchange(stream);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer.endsWith(`loopback ${host.name}\n`)).toBe(true);
      stream.destroy();

      const closed = await closedPortOn(host);
      const refused = await openSshChannel(
        target,
        settings,
        '127.0.0.1',
        closed,
        new AbortController().signal,
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ChannelError);
      expect((refused as ChannelError).code).toBe('refused');
      expect((refused as ChannelError).message).toBe(
        way === 'master'
          ? 'the host refused the channel (nothing listening there, or forwarding not allowed)'
          : 'connection refused on the host',
      );
    }, 30_000);
  }

  it('ends the ssh process when the stream is destroyed', async () => {
    const stream = await openSshChannel(
      target,
      {configFile: fleet.sshConfig, controlDir: ownDir},
      '127.0.0.1',
      host.loopbackPort,
      new AbortController().signal,
    );
    expect(sshProcessesOf(ownDir)).toHaveLength(1);
    stream.destroy();
    await waitFor(() => sshProcessesOf(ownDir).length === 0, 'the ssh process to end');
  }, 30_000);

  it('ends the ssh process and rejects when the wait is aborted', async () => {
    await host.linkDown();
    try {
      const controller = new AbortController();
      const opening = openSshChannel(
        target,
        {configFile: fleet.sshConfig, controlDir: ownDir, connectTimeoutSeconds: 20},
        '127.0.0.1',
        host.loopbackPort,
        controller.signal,
      );
      await waitFor(() => sshProcessesOf(ownDir).length === 1, 'the ssh process');
      controller.abort();
      await expect(opening).rejects.toThrow('aborted');
      await waitFor(() => sshProcessesOf(ownDir).length === 0, 'the ssh process to end');
    } finally {
      await host.linkUp();
    }
  }, 30_000);

  it('names a host it cannot reach in one line', async () => {
    const port = await closedPort();
    const error = await openSshChannel(
      parseSshTarget(`nobody@127.0.0.1:${port}`),
      {controlDir: ownDir},
      '127.0.0.1',
      80,
      new AbortController().signal,
    ).then(
      () => undefined,
      (failure: unknown) => failure as ChannelError,
    );
    expect(error?.code).toBe('refused');
    expect(error?.message).toBe('ssh could not connect: connection refused');
    expect(sshProcessesOf(ownDir)).toEqual([]);
  });
});

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
