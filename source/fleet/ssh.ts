/**
 * One host's SSH transport: a master connection porthole starts as its own child (`ssh -M -N`),
 * and commands run over it, each a short `ssh` process multiplexed on the master's connection.
 * OpenSSH does all the connecting; porthole only starts, watches and ends its processes, and turns
 * OpenSSH's complaints into one line for a person.
 *
 * The master is up once its control socket exists: OpenSSH makes it only after authentication, and
 * moves it into place in one step. Its path comes from `ssh -G` (which expands `%C`); watching for
 * the file is far cheaper than asking with `ssh -O check` (a process each time).
 */
import {execFile, spawn} from 'node:child_process';
import type {ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {sanitizeLine} from '../sanitize.js';
import {commandArgs, masterArgs} from './ssh-args.js';
import type {SshSettings, SshTarget} from './ssh-args.js';
import type {RemoteOutput, RemoteRunner} from './types.js';

export type SshConnection = RemoteRunner & {
  readonly target: SshTarget;
  /** Starts (or restarts) the master; resolves when it is up, rejects with a one-line Error. */
  connect(): Promise<void>;
  /** True while the master process runs. */
  readonly up: boolean;
  /** Ends the master and any command still running; safe to call twice. */
  close(): Promise<void>;
  /**
   * Starts a long-lived command over the master (connect first) and hands back its process, its
   * pipes open: tracked like every ssh child, and ended by close() and on exit.
   */
  spawnCommand(command: string): ChildProcess;
};

/** The most a command may print before it is ended. */
export const maxOutputBytes = 64 * 1024 * 1024;
const maxStderrChars = 16_384;
const sshNotFound = 'ssh not found on this machine';

/**
 * Every ssh process any connection started and that still runs. Process-wide on purpose: the
 * exit hook that ends them must find them all, whichever connection started them.
 */
const running = new Set<ChildProcess>();
let exitHookAdded = false;

/**
 * Ends every ssh process porthole started, synchronously, by pid. Runs on `exit`; a signal that
 * ends porthole without `exit` (SIGTERM, SIGHUP with no handler) should call it too.
 */
export function endSshProcesses(): void {
  for (const child of running) {
    if (child.pid === undefined || ended(child)) continue;
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function track(child: ChildProcess): void {
  if (!exitHookAdded) {
    exitHookAdded = true;
    process.on('exit', endSshProcesses);
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
}

function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Ends a child by pid: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
async function end(child: ChildProcess, graceMs = 1000): Promise<void> {
  if (child.pid === undefined || ended(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function appendBounded(kept: string, chunk: Buffer): string {
  const next = kept + chunk.toString('utf8');
  return next.length > maxStderrChars ? next.slice(-maxStderrChars) : next;
}

/** OpenSSH's lines that say nothing about why a connection failed. */
const noise = [
  /^Warning: Permanently added /,
  /^Pseudo-terminal will not be allocated/,
  /^ControlSocket .* already exists/,
  /^Control socket connect\(/,
  /^mux_client_/,
  /^muxclient: /,
  /^Shared connection to .* closed\.?$/,
  /^@+$/,
  /^Killed by signal \d+\.?$/,
  /^\*\* /,
];

/**
 * Turns OpenSSH's stderr (and exit code) into one line for a person. `host` is what follows `ssh`
 * in the advice for an unknown key (see acceptAdvice). Never suggests accepting a changed key.
 */
export function sshFailure(stderr: string, code: number | null, host?: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const all = lines.join('\n');
  const name = host ?? /known for (\S+?)(?: and|$)/m.exec(all)?.[1] ?? 'HOST';
  const safeName = sanitizeLine(name);
  if (/spawn \S+ ENOENT/.test(all)) return sshNotFound;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(all)) {
    return 'host key changed — not accepted';
  }
  if (/Host key verification failed|No \S+ host key is known for/.test(all)) {
    return `host key unknown — to accept it, run "ssh ${safeName}" once`;
  }
  const unresolved = /Could not resolve hostname (.+?): (.+)$/m.exec(all);
  if (unresolved) {
    return /temporary/i.test(unresolved[2]!)
      ? `name lookup failed for ${sanitizeLine(unresolved[1]!)} (temporary failure)`
      : `name does not resolve: ${sanitizeLine(unresolved[1]!)}`;
  }
  if (/Connection refused/.test(all)) return 'connection refused';
  if (/timed out|Operation timed out/.test(all)) return 'connection timed out';
  if (/No route to host/.test(all)) return 'no route to host';
  if (/Network is unreachable/.test(all)) return 'network unreachable';
  if (/Too many authentication failures/.test(all)) {
    return 'permission denied (too many authentication failures)';
  }
  const denied = /Permission denied \(([^)]*)\)/.exec(all);
  if (denied) return `permission denied (${sanitizeLine(denied[1]!)})`;
  if (/Connection reset/.test(all)) return 'connection reset';
  if (/Connection closed|closed by remote host|Broken pipe|kex_exchange_identification/.test(all)) {
    return 'connection closed by the host';
  }
  const first = lines.find((line) => !noise.some((pattern) => pattern.test(line)));
  if (first !== undefined) {
    const text = sanitizeLine(first.replace(/^ssh: /, ''));
    return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  }
  if (code === null) return 'ssh ended by a signal';
  // 255 is ssh's own failure; said with nothing else, the connection it ran over went away.
  return code === 255 ? 'connection closed' : `ssh failed (exit ${code})`;
}

/** What a person runs once to see and accept a host's key: `[-F FILE] [-p PORT] [user@]host`. */
export function acceptCommand(
  target: SshTarget,
  settings: Pick<SshSettings, 'configFile'>,
): string {
  const words: string[] = [];
  if (settings.configFile !== undefined) words.push('-F', settings.configFile);
  if (target.port !== undefined) words.push('-p', String(target.port));
  words.push(target.user === undefined ? target.host : `${target.user}@${target.host}`);
  return words.join(' ');
}

function spawnFailure(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return sshNotFound;
  return sanitizeLine(`cannot run ssh: ${error.message}`);
}

/** The control socket's path for this target, as OpenSSH expands it (`ssh -G`). */
function controlPath(sshPath: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      sshPath,
      ['-G', ...args],
      {encoding: 'utf8', timeout: 5000},
      (error, stdout, stderr) => {
        const line = /^controlpath (.+)$/m.exec(stdout);
        if (line) resolve(line[1]!);
        else if (error && error.code === 'ENOENT') reject(new Error(sshNotFound));
        else
          reject(
            new Error(sshFailure(stderr, typeof error?.code === 'number' ? error.code : null)),
          );
      },
    );
  });
}

function isSocket(file: string): boolean {
  try {
    return fs.statSync(file).isSocket();
  } catch {
    return false;
  }
}

/** A private (0700) directory for control sockets, on a path short enough for a socket name. */
export async function makeControlDir(): Promise<string> {
  // A socket's path is limited to ~104 bytes; the name OpenSSH puts in it is 40 hex digits.
  const base = os.tmpdir().length <= 48 ? os.tmpdir() : '/tmp';
  const dir = await fsp.mkdtemp(path.join(base, 'ph-'));
  await fsp.chmod(dir, 0o700);
  return dir;
}

export function createSshConnection(
  target: SshTarget,
  settings: SshSettings & {sshPath?: string},
): SshConnection {
  const sshPath = settings.sshPath ?? 'ssh';
  const connectSeconds = settings.connectTimeoutSeconds ?? 5;
  const commands = new Set<ChildProcess>();
  let master: ChildProcess | undefined;
  let socketPath: string | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;

  const accept = acceptCommand(target, settings);
  const masterUp = () => master !== undefined && !ended(master);

  async function startMaster(): Promise<void> {
    const args = masterArgs(target, settings);
    socketPath ??= await controlPath(sshPath, args);
    const socket = socketPath;
    // A socket left by a master that was killed would make the new one run without multiplexing.
    fs.rmSync(socket, {force: true});
    if (closed) throw new Error('connection closed');
    return new Promise((resolve, reject) => {
      const child = spawn(sshPath, args, {stdio: ['ignore', 'ignore', 'pipe']});
      master = child;
      track(child);
      let stderr = '';
      let settled = false;
      child.stderr?.on('data', (chunk: Buffer) => (stderr = appendBounded(stderr, chunk)));
      // Connecting covers TCP (ConnectTimeout), the SSH banner (also ConnectTimeout) and login.
      const deadlineMs = (2 * connectSeconds + 5) * 1000;
      const started = Date.now();
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        if (error) reject(error);
        else resolve();
      };
      const poll = setInterval(() => {
        if (isSocket(socket)) settle();
        else if (Date.now() - started > deadlineMs) {
          void end(child);
          settle(new Error(`no answer within ${Math.round(deadlineMs / 1000)} s`));
        }
      }, 10);
      child.once('error', (error) => settle(new Error(spawnFailure(error))));
      child.once('exit', (code) => {
        if (master === child) master = undefined;
        if (closed) return settle(new Error('connection closed'));
        // 'exit' can come before the last of stderr has been read: the reason is in that last
        // part ("Connection refused"), so it is waited for, briefly.
        const said = () => settle(new Error(sshFailure(stderr, code, accept)));
        const stream = child.stderr;
        if (!stream || stream.readableEnded) return said();
        const timer = setTimeout(said, 500);
        stream.once('end', () => {
          clearTimeout(timer);
          said();
        });
      });
    });
  }

  function connect(): Promise<void> {
    if (closed) return Promise.reject(new Error('connection closed'));
    if (masterUp() && socketPath !== undefined && isSocket(socketPath)) return Promise.resolve();
    connecting ??= (async () => {
      if (master !== undefined) await end(master);
      await startMaster();
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  async function run(
    command: string,
    options: {timeoutMs: number; stdin?: string},
  ): Promise<RemoteOutput> {
    if (closed) throw new Error('connection closed');
    // Without the master's socket ssh would quietly make a connection of its own.
    await connect();
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(sshPath, commandArgs(target, settings, command), {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      track(child);
      commands.add(child);
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: string | undefined;
      const stop = (reason: string) => {
        failure ??= reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(
        () => stop(`no answer within ${formatSeconds(options.timeoutMs)} s`),
        options.timeoutMs,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxOutputBytes) stop(`output over ${maxOutputBytes / 1024 / 1024} MiB`);
        else chunks.push(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr = appendBounded(stderr, chunk)));
      // The host may close its end before reading all of stdin; that is the command's business.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(options.stdin);
      child.once('error', (error) => {
        clearTimeout(timer);
        commands.delete(child);
        reject(new Error(spawnFailure(error)));
      });
      child.once('exit', () => {
        // The master holds copies of the command's pipes (OpenSSH passes them over the control
        // socket), so a command ended here would not see them close until the host's side ends.
        if (failure === undefined && !closed) return;
        clearTimeout(timer);
        commands.delete(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
        reject(new Error(failure ?? 'connection closed'));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        commands.delete(child);
        const ms = performance.now() - started;
        if (failure !== undefined) reject(new Error(failure));
        else if (closed) reject(new Error('connection closed'));
        // 255 is OpenSSH's own failure (a command's own 255 cannot be told apart).
        else if (code === 255) reject(new Error(sshFailure(stderr, code, accept)));
        else resolve({stdout: Buffer.concat(chunks), stderr, code, ms});
      });
    });
  }

  function spawnCommand(command: string): ChildProcess {
    if (closed) throw new Error('connection closed');
    const child = spawn(sshPath, commandArgs(target, settings, command), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    track(child);
    commands.add(child);
    child.once('exit', () => commands.delete(child));
    child.once('error', () => commands.delete(child));
    return child;
  }

  async function close(): Promise<void> {
    closed = true;
    const ending = [...commands].map((child) => end(child, 200));
    if (master !== undefined) ending.push(end(master));
    await Promise.all(ending);
    if (socketPath !== undefined) fs.rmSync(socketPath, {force: true});
  }

  return {
    target,
    connect,
    run,
    close,
    spawnCommand,
    get up() {
      return masterUp();
    },
  };
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1);
}
