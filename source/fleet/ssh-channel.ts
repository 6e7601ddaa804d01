/**
 * A TCP connection made from a host's side: `ssh -W address:port HOST` opens a direct-tcpip
 * channel and joins it to its stdin and stdout, which become one stream here. Over a running
 * master (ControlPath) it is a multiplexed channel on that connection; without one, ssh makes a
 * connection of its own for it.
 *
 * ssh says nothing when the channel is open, except in its debug output: `-vv` makes it print
 * `channel 0: open confirm` on a connection of its own, and `master session id: N` over a
 * master (which answers once the host has confirmed the channel). The stream is handed over
 * then, so a channel the host refuses is a failure to connect, in one line, and never a
 * connection that dies at its first byte. The debug output is read as it comes and dropped,
 * apart from a short tail kept for the reason of a failure.
 */
import {spawn, type ChildProcessByStdio} from 'node:child_process';
import {Duplex} from 'node:stream';
import type {Readable, Writable} from 'node:stream';
import {sanitizeLine} from '../sanitize.js';
import {channelArgs, type SshSettings, type SshTarget} from './ssh-args.js';
import {sshFailure} from './ssh.js';

export type ChannelSettings = SshSettings & {
  /** The ssh client to run. Default `ssh` from PATH. */
  sshPath?: string;
};

/** A failure to open the channel: one line, and the request engine's code for it. */
export class ChannelError extends Error {
  readonly code: 'refused' | 'dns' | 'connect-timeout' | 'network';

  constructor(code: ChannelError['code'], message: string) {
    super(message);
    this.name = 'ChannelError';
    this.code = code;
  }
}

type SshChild = ChildProcessByStdio<Writable, Readable, Readable>;

/** Every ssh child alive, ended when porthole ends however it ends. */
const children = new Set<SshChild>();
let exitHookSet = false;

function track(child: SshChild): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const each of children) kill(each);
  });
}

function kill(child: SshChild): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** What the host said about a channel it would not open, in words of the host's side. */
function channelRefusal(detail: string, address: string): ChannelError {
  if (/Connection refused/i.test(detail)) {
    return new ChannelError('refused', 'connection refused on the host');
  }
  if (
    /Name or service not known|nodename nor servname|No address associated|Temporary failure in name resolution/i.test(
      detail,
    )
  ) {
    return new ChannelError('dns', `the host cannot resolve ${sanitizeLine(address)}`);
  }
  if (/timed out/i.test(detail)) {
    return new ChannelError('connect-timeout', 'connection timed out on the host');
  }
  if (/No route to host/i.test(detail))
    return new ChannelError('network', 'no route to host from the host');
  if (/Network is unreachable/i.test(detail)) {
    return new ChannelError('network', 'network unreachable from the host');
  }
  if (/administratively prohibited/i.test(detail)) {
    return new ChannelError(
      'network',
      'the host does not allow TCP forwarding (AllowTcpForwarding)',
    );
  }
  return new ChannelError('network', `the host refused the channel: ${sanitizeLine(detail)}`);
}

/** Why ssh ended before the channel was open, in one line. */
function openFailure(
  stderr: string,
  code: number | null,
  target: SshTarget,
  address: string,
): ChannelError {
  const failed = /open failed: (?:connect failed: )?(.+)$/m.exec(stderr);
  if (failed !== null) return channelRefusal(failed[1]!.trim(), address);
  // Over a master the host's reason stays with the master: only the refusal comes back.
  if (/Stdio forwarding request failed: Session open refused by peer/.test(stderr)) {
    return new ChannelError(
      'refused',
      'the host refused the channel (nothing listening there, or forwarding not allowed)',
    );
  }
  const plain = stderr
    .split('\n')
    .filter((line) => !/^(debug\d|OpenSSH_|Transferred:|Authenticated to )/.test(line.trim()))
    .join('\n');
  const line = sshFailure(plain, code, target.text);
  const kind = /refused/.test(line)
    ? 'refused'
    : /resolve|lookup/.test(line)
      ? 'dns'
      : /timed out/.test(line)
        ? 'connect-timeout'
        : 'network';
  return new ChannelError(kind, `ssh could not connect: ${line}`);
}

/** ssh's stdin and stdout as one stream; destroying it ends the ssh process. */
class ChannelStream extends Duplex {
  readonly #child: SshChild;

  constructor(child: SshChild) {
    super();
    this.#child = child;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stdout.once('end', () => this.push(null));
    // A host gone mid-way shows as a write that fails; the exit below says why.
    child.stdin.on('error', () => undefined);
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#child.stdin.write(chunk, (error) => callback(error ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#child.stdin.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    kill(this.#child);
    callback(error);
  }

  /** As a socket's: whether the ssh process holds porthole open (a pooled idle one does not). */
  ref(): this {
    this.#child.ref();
    for (const pipe of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      (pipe as Partial<{ref(): void}>).ref?.();
    }
    return this;
  }

  unref(): this {
    this.#child.unref();
    for (const pipe of [this.#child.stdin, this.#child.stdout, this.#child.stderr]) {
      (pipe as Partial<{unref(): void}>).unref?.();
    }
    return this;
  }
}

/** How much of ssh's debug output is kept for the reason of a failure. */
const keptStderr = 8 * 1024;

const opened = /channel \d+: open confirm|master session id: \d+/;

/**
 * Opens a channel to address:port as `target` sees it. Resolves once the host has it open;
 * rejects with a ChannelError of one line when the host refuses it or ssh cannot connect, and
 * when `signal` aborts (the ssh process is ended then).
 */
export function openSshChannel(
  target: SshTarget,
  settings: ChannelSettings,
  address: string,
  port: number,
  signal: AbortSignal,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ChannelError('network', 'aborted'));
      return;
    }
    const child = spawn(
      settings.sshPath ?? 'ssh',
      ['-vv', ...channelArgs(target, settings, address, port)],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    track(child);
    let stderr = '';
    let pending = '';
    let stream: ChannelStream | undefined;
    let settled = false;
    const fail = (error: ChannelError) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      kill(child);
      reject(error);
    };
    const onAbort = () => fail(new ChannelError('network', 'aborted'));
    signal.addEventListener('abort', onAbort, {once: true});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-keptStderr);
      if (settled) return;
      pending = (pending + text).slice(-keptStderr);
      if (!opened.test(pending)) {
        pending = pending.slice(pending.lastIndexOf('\n') + 1);
        return;
      }
      settled = true;
      signal.removeEventListener('abort', onAbort);
      stream = new ChannelStream(child);
      resolve(stream);
    });
    child.once('error', (error) => {
      fail(new ChannelError('network', sshFailure(String(error), null, target.text)));
      stream?.destroy(new Error(`ssh: ${error.message}`));
    });
    child.once('close', (code) => {
      children.delete(child);
      if (!settled) {
        fail(openFailure(stderr, code, target, address));
        return;
      }
      // After the channel was open: a clean end is the far side closing; else the link broke.
      if (code !== 0 && stream !== undefined && !stream.destroyed) {
        stream.destroy(openFailure(stderr, code, target, address));
      }
    });
  });
}

/** The label a request names the channel by: `ssh web-1`. */
export function channelLabel(target: SshTarget): string {
  return `ssh ${target.text}`;
}
