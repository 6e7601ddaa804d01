/**
 * The sockets collector: what `ss -tuanp` shows, as rows.
 *
 * On Linux it reads /proc/net/{tcp,tcp6,udp,udp6} and finds owners through a cached scan of
 * /proc/<pid>/fd (see owners.ts). Measured at ~10k sockets on a 2-core machine, reading and parsing
 * the four files took ≈ 30-40 ms of one thread, while spawning `ss -tuanHe` (netlink) took ≈ 45 ms
 * wall and ≈ 50 ms CPU before its text was even parsed, so ss is not used for the rows; it is asked
 * only of listeners, for what the tables lack (enrich.ts). Elsewhere, or when /proc is not
 * readable, systeminformation is the fallback.
 */
import {accessSync, closeSync, constants, openSync, readSync} from 'node:fs';
import type {Socket, SocketSource} from '../../model.js';
import {readFallbackSockets} from './fallback.js';
import {createEnrichers, enrich} from './enrich.js';
import {createOwnerCache, type OwnerCache} from './owners.js';
import type {ScannedOwners} from './owner-scan.js';
import {createTableStamp} from './table-stamp.js';
import {
  parseProcNetLines,
  procNetTables,
  type PreviousRows,
  type ProcNetTable,
  type ProcSocket,
} from './proc-net.js';

export type SocketsReading = {
  sockets: Socket[];
  /** Some sockets have no owner because their process could not be inspected (not root). */
  ownersHidden: boolean;
  source: SocketSource;
  durationMs: number;
  /**
   * False when the kernel's socket counters said nothing moved and this is the last reading again
   * (the same array), so a caller can skip comparing it.
   */
  reread: boolean;
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
  /**
   * How owners are found: a cache kept between polls (the dashboard), or one complete scan shared
   * with a worker thread, for a single reading (`--json`, the library's snapshot).
   */
  owners?: 'cached' | 'scan-once';
  /**
   * With cached owners, polls read the tables only when the kernel's socket counters moved, and at
   * least this often whatever they say (see table-stamp.ts). Default 5 s; 0 reads every poll.
   */
  restampMs?: number;
};

const defaultRestampMs = 5000;

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

/** Room for each read(): procfs hands back a page at a time, a regular file all of it up to this. */
const chunkBytes = 1 << 20;

/**
 * A read of at most this much is the table's last. The kernel fills each read of a procfs table
 * until the next line would overflow its page (4 KiB or more; a line is under 512 bytes) or the
 * table has ended, so a read with room to spare for another line means the end; asking once more
 * only to be told so makes the kernel walk its whole socket hash again (measured: 1.7 ms of an
 * empty table's 3.4 ms, 2.3 ms of a 10k-socket table's 19.6 ms).
 */
const endingRead = 4096 - 512;

const sliceMs = 8;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads a procfs table a megabyte at a time into one buffer kept between polls, parsing the whole
 * lines of each chunk as it comes, and gives the event loop a turn whenever it has held it for
 * `sliceMs`: at 100k sockets a table is ~15 MB that the kernel takes ~250 ms to produce, which
 * must not stall the keyboard, nor sit in memory whole. (One large read was measured at ≈ 30 ms
 * for 10k sockets where readFileSync took ≈ 43 ms, reading in small chunks, and fs.promises
 * ≈ 60-85 ms, the same reads from the thread pool costing about twice the CPU.)
 */
function createTableReader() {
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let sliceStart = performance.now();
  const breathe = async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await yieldToEventLoop();
    sliceStart = performance.now();
  };
  return async (
    path: string,
    table: ProcNetTable,
    into: ProcSocket[],
    previous: PreviousRows,
  ): Promise<void> => {
    const fd = openSync(path, 'r');
    try {
      let kept = 0; // an unfinished line carried over from the last chunk
      let header = true;
      for (;;) {
        const count = readSync(fd, buffer, kept, buffer.length - kept, null);
        const length = kept + count;
        const ended = count === 0 || count <= endingRead;
        const last = ended ? length - 1 : buffer.lastIndexOf(10, length - 1);
        if (last < 0) {
          if (ended) return;
          if (length === buffer.length) throw new Error(`${path} has a line longer than 1 MiB`);
          kept = length;
          continue;
        }
        // The first line of a table is its header; a chunk always ends on a whole line.
        const start = header ? buffer.indexOf(10) + 1 : 0;
        header = false;
        parseProcNetLines(buffer, start, last + 1, table, into, previous);
        if (ended) return;
        kept = length - (last + 1);
        buffer.copy(buffer, 0, last + 1, length);
        await breathe();
      }
    } finally {
      closeSync(fd);
    }
  };
}

function createProcReader(
  procRoot: string,
  ownersBy: 'cached' | 'scan-once',
  restampMs: number,
): () => Promise<SocketsReading> {
  const readTable = createTableReader();
  const owners: OwnerCache = createOwnerCache({procRoot});
  const enrichers = createEnrichers({procRoot});
  // Each table's rows from the last poll, whose unchanged rows the parser hands back as they were.
  const previous = new Map<ProcNetTable, ProcSocket[]>();
  const stamp = ownersBy === 'cached' && restampMs > 0 ? createTableStamp(procRoot) : undefined;
  let last: SocketsReading | undefined;
  let lastFullRead = -Infinity;
  let lastEveryTable = -Infinity;

  /**
   * Reads every table (but an IPv6 one that had no rows and still counts no socket, between reads
   * of all four every `restampMs`: walking the kernel's connection hash to find nothing costs
   * ~3 ms a poll); rejects when none can be read.
   */
  async function readTables(sockets: ProcSocket[], started: number) {
    const ranges: Array<[ProcNetTable, number, number]> = [];
    let firstError: string | undefined;
    const unused = stamp?.unusedV6();
    const everyTable = !unused || started - lastEveryTable >= restampMs;
    if (everyTable) lastEveryTable = started;
    for (const table of procNetTables) {
      const path = `${procRoot}/net/${table}`;
      const start = sockets.length;
      if (
        !everyTable &&
        (table === 'tcp6' || table === 'udp6') &&
        unused?.has(table) &&
        previous.get(table)?.length === 0
      ) {
        ranges.push([table, start, start]);
        continue;
      }
      try {
        await readTable(path, table, sockets, {rows: previous.get(table) ?? [], next: 0});
      } catch (error) {
        // A missing table (no IPv6, say) is skipped; only all four missing is a failure.
        firstError ??= `cannot read ${path}: ${errorText(error)}`;
        sockets.length = start;
        continue;
      }
      ranges.push([table, start, sockets.length]);
    }
    if (ranges.length === 0) throw new Error(firstError);
    return ranges;
  }

  return async () => {
    const started = performance.now();
    // Unmoved counters: the rows, and their owners, are last poll's. A process that exits or
    // closes a socket moves them; a rename or a passed descriptor waits for the next full read.
    const moved = stamp?.moved() ?? true;
    if (!moved && last && started - lastFullRead < restampMs) {
      return {...last, reread: false, durationMs: performance.now() - started};
    }
    // Started first, so the worker follows fd links while this thread reads the tables. (Loaded
    // here: the dashboard, which never scans this way, need not load worker threads.)
    const scan =
      ownersBy === 'scan-once'
        ? (await import('./owner-scan.js')).startOwnerScan(procRoot)
        : undefined;
    if (scan) for (const enricher of enrichers) enricher.prefetch?.();
    const sockets: ProcSocket[] = [];
    let ranges;
    try {
      ranges = await readTables(sockets, started);
    } catch (error) {
      await scan?.finish();
      throw error;
    }
    lastFullRead = started;
    const {ownersHidden} = scan
      ? assignScanned(sockets, await scan.finish())
      : await owners.assign(sockets);
    await enrich(enrichers, sockets, ownersBy === 'scan-once');
    previous.clear();
    for (const [table, start, end] of ranges) previous.set(table, sockets.slice(start, end));
    last = {sockets, ownersHidden, source: 'proc', reread: true, durationMs: 0};
    return {...last, durationMs: performance.now() - started};
  };
}

/** Gives each socket the owner a complete scan found for its inode. */
function assignScanned(sockets: ProcSocket[], scanned: ScannedOwners): {ownersHidden: boolean} {
  let unowned = false;
  for (const socket of sockets) {
    if (socket.inode === 0) continue;
    const pid = scanned.owners.get(socket.inode);
    if (pid === undefined) unowned = true;
    socket.pid = pid ?? null;
    socket.process = pid === undefined ? null : (scanned.names.get(pid) ?? null);
  }
  return {ownersHidden: unowned && scanned.denied > 0};
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
      reread: true,
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
  const readOnce =
    source === 'proc'
      ? createProcReader(
          procRoot,
          options.owners ?? 'cached',
          options.restampMs ?? defaultRestampMs,
        )
      : createFallbackReader();
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
