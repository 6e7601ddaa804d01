/**
 * An SSH host's feed by streaming: porthole's own reader (host-reader.ts) is sent over the host's
 * master connection once, runs there with the host's Node for as long as the feed does, and writes
 * a line per reading, only what changed. Nothing is spawned per poll, here or on the host: one
 * `ssh` client here (ControlMaster=no, over the master) and one `node` there.
 *
 * It behaves as the shell feed (remote-feed.ts) does: the host is up with its readings, down with
 * one line and its last data kept when the stream ends or fails, and the stream is started again
 * with a backoff; a stream that says nothing for three intervals is stalled, down, and restarted.
 * quiet() and pause stop the host's reads (the host answers once the read in flight ends); the
 * round trip is a `ping`'s answer, the poll time when a reading arrived.
 *
 * A host without Node >= 20 (or without sh's mktemp, base64 and gzip to put the file in place)
 * says so with its own exit code; the feed then calls `onUnsupported` (createHostFeed falls back to
 * the shell method) instead of turning down.
 */
import type {ChildProcess} from 'node:child_process';
import {gzipSync} from 'node:zlib';
import type {
  Container,
  InterfaceCounters,
  NetworkInterface,
  PublishedPort,
  Socket,
  Traffic,
} from '../model.js';
import {nextTraffic, type CounterSample} from '../collect/traffic.js';
import {trackSocketChanges, type SocketTracker} from '../collect/sockets/changes.js';
import {sanitizeLine} from '../sanitize.js';
import {historyLength, hostError, idle, socketChangesOf} from './feed-writes.js';
import {createListingDecoder, type ListingDecoder} from './listing-codec.js';
import {hostReaderSource} from './host-reader-source.js';
import {oldNodeExitCode, type HostLine} from './host-reader-protocol.js';
import {sshFailure} from './ssh.js';
import type {HostFeed, HostId, HostPatch, HostSink, HostStatus} from './types.js';

/** The exit code of the command when the host cannot run the reader (see hostReaderCommand). */
export const unsupportedExitCode = 97;
const unsupportedMarker = 'porthole-unsupported:';

/** The single-argument limit of Linux (MAX_ARG_STRLEN) that the whole command must stay under. */
export const maxCommandBytes = 128 * 1024;

export type StreamConnection = {
  connect(): Promise<void>;
  spawnCommand(command: string): ChildProcess;
  readonly up: boolean;
  close?(): Promise<void>;
};

export type StreamFeedOptions = {
  id: HostId;
  connection: StreamConnection;
  sink: HostSink;
  intervalMs: number;
  now?: () => number;
  /** The longest wait between failing streams; default 30 s. */
  maxBackoffMs?: number;
  /** The host's Node, as its sh finds it; default `node`. */
  nodeCommand?: string;
  /** Told of each reading as it arrives, with how long it took on the host (ms). */
  onReading?: (hostMs: number) => void;
  /** The host cannot run the reader: told once, with why; the feed stops itself. */
  onUnsupported?: (reason: string) => void;
};

export type StreamFeed = HostFeed & {
  /** The reader's pid on the host (in the host's own PID namespace), while a stream runs. */
  readonly hostPid: number | undefined;
};

function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

let packed: string | undefined;

/** The reader, gzipped and in base64, as the command carries it. */
export function packedHostReader(): string {
  packed ??= gzipSync(hostReaderSource(), {level: 9}).toString('base64');
  return packed;
}

/**
 * The one sh command that puts the reader in a temporary file and runs it (the reader removes the
 * file as it starts). A host that lacks what it needs answers `porthole-unsupported: WHY` and exit
 * code 97, or, for a Node older than 20, the reader's own hello and exit code 98.
 */
export function hostReaderCommand(intervalMs: number, nodeCommand = 'node'): string {
  const node = quoted(nodeCommand);
  const need = (command: string, why: string) =>
    `command -v ${command} >/dev/null 2>&1 || { echo '${unsupportedMarker} ${why}'; exit ${unsupportedExitCode}; }`;
  const script = [
    need(node, `no ${nodeCommand.replaceAll("'", '')} on the host`),
    need('base64', 'no base64 on the host'),
    need('gzip', 'no gzip on the host'),
    `f=$(mktemp) || { echo '${unsupportedMarker} mktemp failed'; exit ${unsupportedExitCode}; }`,
    `printf %s '${packedHostReader()}' | base64 -d | gzip -dc > "$f" || { rm -f "$f"; echo '${unsupportedMarker} the reader could not be written'; exit ${unsupportedExitCode}; }`,
    `exec ${node} "$f" --remove-self --interval ${Math.round(intervalMs)}`,
  ].join('\n');
  const command = `exec sh -c ${quoted(script)}`;
  if (Buffer.byteLength(command) >= maxCommandBytes) {
    throw new Error(`the host reader's command is ${Buffer.byteLength(command)} bytes, too long`);
  }
  return command;
}

const statusEveryMs = 1000;
const maxStderrChars = 8192;
const stallIntervals = 3;
/** How long a reader may take to say its first reading. */
const startMs = 15_000;

const protocols = new Set(['tcp', 'udp']);

/** A text of the host's, made visible: nothing vouches for what a host sends. */
function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error('unreadable stream: a field is not text');
  return sanitizeLine(value);
}

function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error('unreadable stream: a field is not a number');
  }
  return value;
}

const engines = new Set<Container['engine']>([
  'docker',
  'podman',
  'containerd',
  'kubernetes',
  'lxc',
  'other',
]);

function flag(value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'boolean') throw new Error('unreadable stream: a field is not a flag');
  return value;
}

function record(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('unreadable stream: a field is not an object');
  }
  return value as Record<string, unknown>;
}

function cleanContainer(value: unknown): Container | null {
  const container = record(value);
  if (!container) return null;
  if (!engines.has(container.engine as Container['engine'])) {
    throw new Error('unreadable stream: not a container engine');
  }
  return {
    engine: container.engine as Container['engine'],
    id: text(container.id),
    name: container.name === null ? null : text(container.name),
  };
}

function cleanPublished(value: unknown): PublishedPort | null {
  const published = record(value);
  if (!published) return null;
  return {
    containerAddress: text(published.containerAddress),
    containerPort: count(published.containerPort),
    container: published.container === null ? null : text(published.container),
  };
}

/**
 * A socket as the host sent it, checked field by field. Dual-stack, container and published port
 * are set only where the host said them, as on the reader's own rows (nearly every row has none).
 */
function cleanSocket(socket: Socket): Socket {
  if (typeof socket !== 'object' || socket === null || !protocols.has(socket.protocol)) {
    throw new Error('unreadable stream: not a socket');
  }
  const clean = checkedSocket(socket);
  const dualStack = flag(socket.dualStack);
  if (dualStack !== null) clean.dualStack = dualStack;
  const container = cleanContainer(socket.container);
  if (container) clean.container = container;
  const published = cleanPublished(socket.published);
  if (published) clean.published = published;
  return clean;
}

function checkedSocket(socket: Socket): Socket {
  return {
    protocol: socket.protocol,
    family: socket.family === 6 ? 6 : 4,
    state: text(socket.state) as Socket['state'],
    localAddress: text(socket.localAddress),
    localPort: count(socket.localPort),
    peerAddress: text(socket.peerAddress),
    peerPort: count(socket.peerPort),
    recvQ: count(socket.recvQ),
    sendQ: count(socket.sendQ),
    pid: socket.pid === null ? null : count(socket.pid),
    process: socket.process === null ? null : text(socket.process),
    exposure: text(socket.exposure) as Socket['exposure'],
    inode: count(socket.inode),
  };
}

function cleanInterfaces(interfaces: NetworkInterface[]): NetworkInterface[] {
  if (!Array.isArray(interfaces)) throw new Error('unreadable stream: interfaces');
  return interfaces.map((each) => ({
    ...each,
    name: text(each.name),
    mac: each.mac === null ? null : text(each.mac),
    addresses: (Array.isArray(each.addresses) ? each.addresses : []).map((address) => ({
      ...address,
      address: text(address.address),
    })),
  }));
}

type Session = {
  child: ChildProcess;
  decoder: ListingDecoder;
  stderr: string;
  out: string;
  lastLineAt: number;
  pid: number | undefined;
  sawHello: boolean;
  unsupported: string | undefined;
  /** A reading has come. */
  read: boolean;
  /** Why the stream was ended here (stalled, unreadable). */
  broken: string | undefined;
  pings: Map<number, number>;
  pauseWaiters: Array<() => void>;
  ended: Promise<void>;
};

export function createStreamFeed(options: StreamFeedOptions): StreamFeed {
  const {id, connection, sink} = options;
  const now = options.now ?? Date.now;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let intervalMs = options.intervalMs;
  let paused = false;
  let holds = 0;
  let stopped = false;
  let failures = 0;
  let session: Session | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let pingSequence = 0;
  let firstDone: (() => void) | undefined;
  let firstWritten: Promise<void> | undefined;

  let status: HostStatus = {
    state: 'connecting',
    error: undefined,
    since: now(),
    rttMs: undefined,
    polledAt: undefined,
    method: 'ssh-node',
    owners: undefined,
  };
  let lastStatusWrite = -Infinity;
  let name: string | undefined;
  let interfacesText: string | undefined;
  let counters: Map<string, InterfaceCounters> | undefined;
  let sample: CounterSample | undefined;
  let traffic: Record<string, Traffic> = {};
  let tracker: SocketTracker | undefined;
  let sockets: Socket[] = [];
  let ownersHidden: boolean | undefined;

  const held = () => paused || holds > 0;

  function write(patch: HostPatch, force: boolean): void {
    const at = now();
    if (!force && Object.keys(patch).length === 0 && at - lastStatusWrite < statusEveryMs) return;
    lastStatusWrite = at;
    sink({...patch, status});
  }

  function setStatus(next: Partial<Omit<HostStatus, 'since' | 'method'>>): boolean {
    const merged = {...status, ...next};
    const moved = merged.state !== status.state;
    const changed = moved || merged.error !== status.error || merged.owners !== status.owners;
    status = {...merged, since: moved ? now() : status.since, method: 'ssh-node'};
    return changed;
  }

  function firstSettled(): void {
    firstDone?.();
    firstDone = undefined;
  }

  function apply(line: Extract<HostLine, {r: 1 | 2 | 3}>, current: Session): void {
    const at = now();
    const patch: HostPatch = {};
    if (line.name !== undefined && sanitizeLine(line.name) !== name) {
      patch.name = name = sanitizeLine(line.name);
    }
    if (line.interfaces) {
      const text = JSON.stringify(line.interfaces);
      if (text !== interfacesText) {
        interfacesText = text;
        patch.interfaces = cleanInterfaces(line.interfaces);
      }
    }
    if (line.counters) {
      counters = new Map(
        Object.entries(line.counters).map(([key, [rx, tx]]) => [sanitizeLine(key), {rx, tx}]),
      );
    }
    if (counters && (line.counters || !idle(traffic) || !sample)) {
      const next: CounterSample = {at, counters};
      traffic = nextTraffic(traffic, sample, next, historyLength(intervalMs));
      patch.traffic = traffic;
      sample = next;
    } else if (counters) {
      sample = {at, counters};
    }
    if (line.listing) {
      const decoded = current.decoder.decode({
        base: line.listing.base,
        sequence: line.listing.sequence,
        runs: Int32Array.from(line.listing.runs),
        added: line.listing.added.map(cleanSocket),
        addedKeys: line.listing.added.map(() => ''),
        addedSeen: line.listing.added.map(() => 0),
      });
      sockets = decoded.sockets as Socket[];
    }
    const first = tracker === undefined;
    if (line.listing || tracker) {
      tracker = trackSocketChanges(tracker, sockets, at);
      if (tracker.changed) {
        patch.sockets = tracker.listing.sockets;
        patch.socketChanges = socketChangesOf(tracker);
      }
      if (first) patch.socketSource = 'proc';
    }
    if (line.ownersHidden !== undefined && line.ownersHidden !== ownersHidden) {
      patch.ownersHidden = ownersHidden = line.ownersHidden;
    }
    failures = 0;
    const changed = setStatus({
      state: 'up',
      error: line.error === undefined ? undefined : hostError(line.error),
      polledAt: at,
      ...(line.owners ? {owners: line.owners} : {}),
    });
    write(patch, changed);
    firstSettled();
  }

  function fail(reason: string): void {
    failures++;
    const changed = setStatus({state: 'down', error: hostError(reason)});
    write({}, changed);
    firstSettled();
  }

  function onLine(text: string, current: Session): void {
    current.lastLineAt = performance.now();
    let value: HostLine;
    try {
      value = JSON.parse(text) as HostLine;
    } catch {
      if (text.startsWith(unsupportedMarker)) {
        current.unsupported = text.slice(unsupportedMarker.length).trim();
      }
      // A login banner or a shell's chatter before the reader starts: not the reader's.
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if ('hello' in value) {
      current.sawHello = true;
      current.pid = value.pid;
      if (value.unsupported) current.unsupported = value.unsupported;
      return;
    }
    if ('pong' in value) {
      const sent = current.pings.get(value.pong);
      current.pings.delete(value.pong);
      if (sent !== undefined)
        status = {...status, rttMs: Math.round((performance.now() - sent) * 10) / 10};
      return;
    }
    if ('paused' in value) {
      for (const resolve of current.pauseWaiters.splice(0)) resolve();
      return;
    }
    if ('r' in value && current.sawHello) {
      current.read = true;
      apply(value, current);
      options.onReading?.(value.ms ?? 0);
    }
  }

  function send(current: Session | undefined, text: string): void {
    if (!current || current.child.stdin?.destroyed) return;
    current.child.stdin?.write(`${text}\n`);
  }

  function begin(): void {
    restartTimer = undefined;
    if (stopped) return;
    void (async () => {
      try {
        if (!connection.up) await connection.connect();
      } catch (error) {
        if (!stopped) {
          fail(hostError(error));
          scheduleRestart();
        }
        return;
      }
      if (stopped) return;
      let child: ChildProcess;
      try {
        child = connection.spawnCommand(hostReaderCommand(intervalMs, options.nodeCommand));
      } catch (error) {
        fail(hostError(error));
        scheduleRestart();
        return;
      }
      let resolveEnded!: () => void;
      const current: Session = {
        child,
        decoder: createListingDecoder(),
        stderr: '',
        out: '',
        lastLineAt: performance.now(),
        pid: undefined,
        sawHello: false,
        unsupported: undefined,
        read: false,
        broken: undefined,
        pings: new Map(),
        pauseWaiters: [],
        ended: new Promise((resolve) => (resolveEnded = resolve)),
      };
      session = current;
      child.stdin?.on('error', () => undefined);
      if (paused || holds > 0) send(current, 'pause');
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        current.out += chunk;
        let newline;
        while ((newline = current.out.indexOf('\n')) >= 0) {
          const text = current.out.slice(0, newline);
          current.out = current.out.slice(newline + 1);
          try {
            onLine(text, current);
          } catch (error) {
            // A line that does not add up (a listing on the wrong base): start over.
            const said = hostError(error);
            current.broken = said.startsWith('unreadable stream')
              ? said
              : `unreadable stream: ${said}`;
            current.child.kill('SIGTERM');
          }
        }
        if (current.out.length > 64 * 1024 * 1024) {
          current.broken = 'unreadable stream: a line over 64 MiB';
          current.child.kill('SIGTERM');
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        current.stderr = (current.stderr + chunk.toString('utf8')).slice(-maxStderrChars);
      });
      const finish = (code: number | null, spawnError?: Error) => {
        if (session === current) session = undefined;
        for (const resolve of current.pauseWaiters.splice(0)) resolve();
        resolveEnded();
        if (stopped) return;
        const unsupported =
          current.broken !== undefined
            ? undefined
            : (current.unsupported ??
              (code === unsupportedExitCode ? 'the host cannot run the reader' : undefined) ??
              (code === oldNodeExitCode ? 'the host’s node is too old' : undefined));
        if (unsupported !== undefined && options.onUnsupported) {
          stopped = true;
          clearInterval(watchdog);
          options.onUnsupported(unsupported);
          firstSettled();
          return;
        }
        const reason =
          current.broken ??
          unsupported ??
          (spawnError
            ? spawnError.message
            : !current.sawHello || !connection.up
              ? sshFailure(current.stderr, code)
              : `the reader on the host ended (${code === null || code === 255 ? 'by a signal' : `exit ${code}`})`);
        fail(reason);
        scheduleRestart();
      };
      child.once('error', (error) => finish(null, error));
      // The master keeps copies of the pipes: the process ending here is what counts.
      child.once('exit', (code) => {
        // Let the last lines already in the pipe arrive first.
        setImmediate(() => finish(code));
      });
    })();
  }

  function scheduleRestart(): void {
    clearTimeout(restartTimer);
    if (stopped) return;
    const wait = Math.min(maxBackoffMs, intervalMs * 2 ** Math.max(0, failures - 1));
    restartTimer = setTimeout(begin, wait);
  }

  function watch(): void {
    clearInterval(watchdog);
    watchdog = setInterval(() => {
      const current = session;
      if (!current || stopped) return;
      if (held()) {
        current.lastLineAt = performance.now();
        return;
      }
      // Until its first reading the reader may still be starting (Node, the first owner scan).
      const stallMs = current.read
        ? stallIntervals * intervalMs
        : Math.max(startMs, stallIntervals * intervalMs);
      if (performance.now() - current.lastLineAt > stallMs) {
        current.broken = `no reading for ${Math.round(stallMs / 100) / 10} s`;
        current.child.kill('SIGKILL');
        return;
      }
      pingSequence++;
      current.pings.set(pingSequence, performance.now());
      if (current.pings.size > 16) current.pings.delete(current.pings.keys().next().value!);
      send(current, `ping ${pingSequence}`);
    }, intervalMs);
    watchdog.unref?.();
  }

  async function endSession(current: Session): Promise<void> {
    // Ending its stdin ends the reader there, and the session with it; a signal if that is slow.
    current.child.stdin?.end();
    const term = setTimeout(() => current.child.kill('SIGTERM'), 1000);
    const kill = setTimeout(() => current.child.kill('SIGKILL'), 2000);
    await current.ended;
    clearTimeout(term);
    clearTimeout(kill);
  }

  return {
    id,
    get hostPid() {
      return session?.pid;
    },
    start() {
      if (firstWritten || stopped) return firstWritten ?? Promise.resolve();
      firstWritten = new Promise((resolve) => (firstDone = resolve));
      watch();
      begin();
      return firstWritten;
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      clearInterval(watchdog);
      firstSettled();
      if (session) await endSession(session);
      await connection.close?.();
    },
    async quiet() {
      holds++;
      const current = session;
      if (current && holds === 1 && !paused) {
        const answered = new Promise<void>((resolve) => current.pauseWaiters.push(resolve));
        send(current, 'pause');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          answered,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
        ]);
        clearTimeout(timer);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0 && !paused && !stopped) {
          send(session, 'resume');
          if (session) session.lastLineAt = performance.now();
        }
      };
    },
    control(settings) {
      if (settings.intervalMs !== undefined && settings.intervalMs > 0) {
        intervalMs = settings.intervalMs;
        send(session, `interval ${Math.round(intervalMs)}`);
        if (!stopped && firstWritten) watch();
      }
      if (settings.paused !== undefined && settings.paused !== paused) {
        paused = settings.paused;
        if (holds === 0) send(session, paused ? 'pause' : 'resume');
        if (session) session.lastLineAt = performance.now();
      }
    },
  };
}
