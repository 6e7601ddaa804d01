/**
 * One complete owner scan — every socket link of every process — for a one-shot reading
 * (`porthole --json`, the library's snapshot), where there is no cache between polls to lean on and
 * every socket must get its owner (the dashboard's cache throttles scans and leaves new sockets
 * ownerless until a later poll).
 *
 * Reading the socket tables and following every /proc/<pid>/fd link are both system-call bound, so
 * on a machine with many sockets (ownerWorkerFromSockets) they run on both cores: a worker lists every fd at once, while this thread reads the tables, and
 * publishes the list in shared memory; then both threads follow links, 64 at a time, from one
 * shared counter. Splitting by link rather than by process matters: on a busy server most sockets
 * belong to one process.
 */
import fs from 'node:fs';
import {Worker} from 'node:worker_threads';
import {countSockets} from './sockstat.js';

export type ScannedOwners = {
  /** Socket inode -> pid. */
  owners: Map<number, number>;
  /** Pid -> process name. */
  names: Map<number, string>;
  /** Processes whose fd directory exists but could not be read (another user's, when not root). */
  denied: number;
};

type Files = Pick<typeof fs, 'readdirSync' | 'readlinkSync'>;
type Links = {pairs: Int32Array; denied: number};
type Found = {inodes: number[]; pids: number[]};

/** Every (pid, fd) of every process, flattened into shared memory. Self-contained: the worker runs its source. */
function listLinks(procRoot: string, files: Files): Links {
  const flat: number[] = [];
  let denied = 0;
  let names: string[] = [];
  try {
    names = files.readdirSync(procRoot);
  } catch {
    // no /proc to list: no owners
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = files.readdirSync(`${procRoot}/${name}/fd`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') denied++;
      continue;
    }
    const pid = Number(name);
    for (const fd of fds) flat.push(pid, Number(fd));
  }
  const pairs = new Int32Array(new SharedArrayBuffer(Math.max(1, flat.length) * 4));
  pairs.set(flat);
  return {pairs: pairs.subarray(0, flat.length), denied};
}

/** Follows links 64 at a time from the shared counter until none is left. Self-contained too. */
function followLinks(
  procRoot: string,
  pairs: Int32Array,
  counter: Int32Array,
  files: Files,
): Found {
  const found: Found = {inodes: [], pids: []};
  const count = pairs.length / 2;
  for (;;) {
    const first = Atomics.add(counter, 0, 64);
    if (first >= count) return found;
    const last = Math.min(count, first + 64);
    for (let index = first; index < last; index++) {
      const pid = pairs[index * 2]!;
      let link: string;
      try {
        link = files.readlinkSync(`${procRoot}/${pid}/fd/${pairs[index * 2 + 1]}`);
      } catch {
        continue; // closed since the listing
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (!Number.isSafeInteger(inode)) continue;
      found.inodes.push(inode);
      found.pids.push(pid);
    }
  }
}

const workerSource = `
const {workerData, parentPort} = require('node:worker_threads');
const fs = require('node:fs');
const listLinks = ${listLinks.toString()};
const followLinks = ${followLinks.toString()};
const links = listLinks(workerData.procRoot, fs);
const counter = new Int32Array(new SharedArrayBuffer(4));
parentPort.postMessage({kind: 'listed', pairs: links.pairs, counter, denied: links.denied});
parentPort.postMessage({kind: 'found', found: followLinks(workerData.procRoot, links.pairs, counter, fs)});
`;

type Listed = {kind: 'listed'; pairs: Int32Array; counter: Int32Array; denied: number};
type Message = Listed | {kind: 'found'; found: Found};

export type OwnerScan = {
  /** Joins in following links, then merges this thread's finds with the worker's. */
  finish(): Promise<ScannedOwners>;
};

function readName(procRoot: string, pid: number): string | undefined {
  try {
    const comm = fs.readFileSync(`${procRoot}/${pid}/comm`, 'utf8');
    return comm.endsWith('\n') ? comm.slice(0, -1) : comm;
  } catch {
    return undefined; // gone since: its sockets keep the pid without a name
  }
}

/**
 * Sockets from which the scan takes a worker. A worker costs ~55 ms of CPU to start, and following
 * links on two threads saves about half of ~9 µs a link: measured whole `porthole --json` runs on
 * two cores, in turns, a worker lost 40 ms at 10k sockets and won 73 ms at 30k.
 */
export const ownerWorkerFromSockets = 20_000;

/**
 * Starts a complete owner scan: in a worker that this thread joins on finish() when the machine has
 * many sockets, else all on this thread at finish().
 */
export function startOwnerScan(
  procRoot: string,
  sockets: number | undefined = countSockets(procRoot),
): OwnerScan {
  if (sockets !== undefined && sockets < ownerWorkerFromSockets) {
    return {finish: () => Promise.resolve(scanHere(procRoot))};
  }
  let resolveListed: (listed: Listed | undefined) => void = () => {};
  let resolveFound: (found: Found | undefined) => void = () => {};
  const listed = new Promise<Listed | undefined>((resolve) => (resolveListed = resolve));
  const fromWorker = new Promise<Found | undefined>((resolve) => (resolveFound = resolve));
  const failed = () => {
    resolveListed(undefined);
    resolveFound(undefined);
  };
  try {
    const worker = new Worker(workerSource, {eval: true, workerData: {procRoot}});
    worker.on('message', (message: Message) => {
      if (message.kind === 'listed') resolveListed(message);
      else resolveFound(message.found);
    });
    worker.once('error', failed);
    worker.once('exit', failed);
  } catch {
    failed();
  }
  return {
    async finish() {
      const links = await listed;
      if (!links) return scanHere(procRoot);
      const mine = followLinks(procRoot, links.pairs, links.counter, fs);
      const theirs = await fromWorker;
      // A worker that failed midway took links it never reported: follow them all here.
      const finds = theirs
        ? [mine, theirs]
        : [followLinks(procRoot, links.pairs, new Int32Array(new SharedArrayBuffer(4)), fs)];
      return ownersOf(procRoot, finds, links.denied);
    },
  };
}

/** The whole scan on this thread. */
function scanHere(procRoot: string): ScannedOwners {
  const own = listLinks(procRoot, fs);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  return ownersOf(procRoot, [followLinks(procRoot, own.pairs, counter, fs)], own.denied);
}

/** The finds of both threads as one map, with each owner's name. */
function ownersOf(procRoot: string, finds: Found[], denied: number): ScannedOwners {
  const scanned: ScannedOwners = {owners: new Map(), names: new Map(), denied};
  for (const found of finds) {
    found.inodes.forEach((inode, index) => scanned.owners.set(inode, found.pids[index]!));
  }
  for (const pid of new Set(scanned.owners.values())) {
    const name = readName(procRoot, pid);
    if (name !== undefined) scanned.names.set(pid, name);
  }
  return scanned;
}
