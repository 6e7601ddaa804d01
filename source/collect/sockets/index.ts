/**
 * The sockets collector: what `ss -tuanp` shows, as rows.
 *
 * On Linux it reads /proc/net/{tcp,tcp6,udp,udp6} and finds owners through a cached scan of
 * /proc/<pid>/fd (see owners.ts). Measured at ~10k sockets on a 2-core machine, reading and parsing
 * the four files took ≈ 30-40 ms of one thread, while spawning `ss -tuanHe` (netlink) took ≈ 45 ms
 * wall and ≈ 50 ms CPU before its text was even parsed, so ss is not used. Elsewhere, or when /proc
 * is not readable, systeminformation is the fallback.
 */
import {accessSync, closeSync, constants, openSync, readSync} from 'node:fs';
import type {Socket, SocketSource} from '../../model.js';
import {readFallbackSockets} from './fallback.js';
import {createOwnerCache, type OwnerCache} from './owners.js';
import {parseProcNet, procNetTables, type ProcSocket} from './proc-net.js';

export type SocketsReading = {
  sockets: Socket[];
  /** Some sockets have no owner because their process could not be inspected (not root). */
  ownersHidden: boolean;
  source: SocketSource;
  durationMs: number;
};

export type SocketsReader = {
  /** Rejects with a one-line Error when no socket table can be read at all. */
  read(): Promise<SocketsReading>;
  readonly source: SocketSource;
};

export type SocketsReaderOptions = {
  /** Where procfs is mounted; tests point this at a directory of their own. */
  procRoot?: string;
  source?: 'auto' | 'proc' | 'systeminformation';
};

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    return code ?? error.message.split('\n', 1)[0] ?? 'error';
  }
  return String(error);
}

function procReadable(procRoot: string): boolean {
  try {
    accessSync(`${procRoot}/net/tcp`, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const maxTableBytes = 512 * 1024 * 1024;

/**
 * Reads whole procfs files into one buffer kept between polls, one large read() at a time. At
 * ~10k sockets this took ≈ 30 ms where readFileSync took ≈ 43 ms (it reads a size-less procfs
 * file in small chunks, and the kernel resumes its hash walk for each) and fs.promises ≈ 60-85 ms
 * (the same reads from the thread pool cost about twice the CPU).
 */
function createTableReader() {
  let buffer = Buffer.allocUnsafe(1 << 20);
  return (path: string): Buffer => {
    const fd = openSync(path, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          // Bounded: 512 MiB is about three million sockets; beyond it, this is not a socket table.
          if (buffer.length >= maxTableBytes) throw new Error(`${path} is larger than expected`);
          const larger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(larger, 0, 0, length);
          buffer = larger;
        }
        const count = readSync(fd, buffer, length, buffer.length - length, null);
        if (count === 0) return buffer.subarray(0, length);
        length += count;
      }
    } finally {
      closeSync(fd);
    }
  };
}

const sliceMs = 8;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function createProcReader(procRoot: string): () => Promise<SocketsReading> {
  const readTable = createTableReader();
  const owners: OwnerCache = createOwnerCache({procRoot});
  return async () => {
    const started = performance.now();
    const sockets: ProcSocket[] = [];
    let firstError: string | undefined;
    let readable = 0;
    let sliceStart = started;
    for (const table of procNetTables) {
      // Reads are synchronous (cheaper, see above); give input a turn between long ones.
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      const path = `${procRoot}/net/${table}`;
      let content: Buffer;
      try {
        content = readTable(path);
      } catch (error) {
        // A missing table (no IPv6, say) is skipped; only all four missing is a failure.
        firstError ??= `cannot read ${path}: ${errorText(error)}`;
        continue;
      }
      readable++;
      parseProcNet(content, table, sockets);
    }
    if (readable === 0) throw new Error(firstError);
    const {ownersHidden} = await owners.assign(sockets);
    return {sockets, ownersHidden, source: 'proc', durationMs: performance.now() - started};
  };
}

function createFallbackReader(): () => Promise<SocketsReading> {
  return async () => {
    const started = performance.now();
    const {sockets, ownersHidden} = await readFallbackSockets();
    return {
      sockets,
      ownersHidden,
      source: 'systeminformation',
      durationMs: performance.now() - started,
    };
  };
}

export function createSocketsReader(options: SocketsReaderOptions = {}): SocketsReader {
  const procRoot = options.procRoot ?? '/proc';
  const wanted = options.source ?? 'auto';
  const source: SocketSource =
    wanted === 'auto'
      ? process.platform === 'linux' && procReadable(procRoot)
        ? 'proc'
        : 'systeminformation'
      : wanted;
  const readOnce = source === 'proc' ? createProcReader(procRoot) : createFallbackReader();
  // Reads never overlap: the owner cache assumes one poll at a time.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    source,
    read() {
      const next = queue.then(readOnce, readOnce);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
