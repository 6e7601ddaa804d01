/**
 * One complete owner scan — every socket link of every process — for a one-shot reading
 * (`porthole --json`, the library's snapshot), where there is no cache between polls to lean on and
 * every socket must get its owner (the dashboard's cache throttles scans and leaves new sockets
 * ownerless until a later poll). A worker starts the scan at once, on the other core, while this
 * thread reads the socket tables; then both take processes from one shared counter until none is
 * left. Measured in-process at 10k sockets: a first reading 166 -> 122 ms, later ones 107 -> 94 ms.
 * A whole `porthole --json` run did not move (~240 ms): there most sockets belong to one process,
 * and one process is one unit of work.
 */
import fs from 'node:fs';
import {Worker} from 'node:worker_threads';

export type ScannedOwners = {
  /** Socket inode -> pid. */
  owners: Map<number, number>;
  /** Pid -> process name. */
  names: Map<number, string>;
  /** Processes whose fd directory exists but could not be read (another user's, when not root). */
  denied: number;
};

type Share = {inodes: number[]; pids: number[]; names: Array<[number, string]>; denied: number};

/**
 * Takes processes from the shared counter until there are none left, collecting socket links.
 * Self-contained on purpose: its source is also what the worker runs.
 */
function scanShare(
  procRoot: string,
  pids: readonly number[],
  counter: Int32Array,
  files: Pick<typeof fs, 'readdirSync' | 'readlinkSync' | 'readFileSync'>,
): Share {
  const share: Share = {inodes: [], pids: [], names: [], denied: 0};
  for (;;) {
    const index = Atomics.add(counter, 0, 1);
    if (index >= pids.length) return share;
    const pid = pids[index]!;
    let fds: string[];
    try {
      fds = files.readdirSync(`${procRoot}/${pid}/fd`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') share.denied++;
      continue;
    }
    let owns = false;
    for (const fd of fds) {
      let link: string;
      try {
        link = files.readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue; // closed since the listing
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (!Number.isSafeInteger(inode)) continue;
      share.inodes.push(inode);
      share.pids.push(pid);
      owns = true;
    }
    if (owns) {
      try {
        const comm = String(files.readFileSync(`${procRoot}/${pid}/comm`, 'utf8'));
        share.names.push([pid, comm.endsWith('\n') ? comm.slice(0, -1) : comm]);
      } catch {
        // gone since: its sockets keep the pid without a name
      }
    }
  }
}

const workerSource = `
const {workerData, parentPort} = require('node:worker_threads');
const scanShare = ${scanShare.toString()};
const {procRoot, pids, counter} = workerData;
parentPort.postMessage(scanShare(procRoot, pids, new Int32Array(counter), require('node:fs')));
`;

export type OwnerScan = {
  /** Joins the scan until no process is left, then merges this thread's share with the worker's. */
  finish(): Promise<ScannedOwners>;
};

/** Starts a complete owner scan; a worker begins at once, this thread joins on finish(). */
export function startOwnerScan(procRoot: string): OwnerScan {
  let pids: number[];
  try {
    pids = fs
      .readdirSync(procRoot)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    pids = [];
  }
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let fromWorker: Promise<Share | undefined>;
  try {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: {procRoot, pids, counter: counter.buffer},
    });
    fromWorker = new Promise((resolve) => {
      worker.once('message', (share: Share) => resolve(share));
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
    });
  } catch {
    fromWorker = Promise.resolve(undefined);
  }
  return {
    async finish() {
      const mine = scanShare(procRoot, pids, counter, fs);
      const theirs = await fromWorker;
      // A worker that failed took processes it never reported: scan them all here instead.
      const shares = theirs
        ? [mine, theirs]
        : [scanShare(procRoot, pids, new Int32Array(new SharedArrayBuffer(4)), fs)];
      const scanned: ScannedOwners = {owners: new Map(), names: new Map(), denied: 0};
      for (const share of shares) {
        share.inodes.forEach((inode, index) => scanned.owners.set(inode, share.pids[index]!));
        for (const [pid, name] of share.names) scanned.names.set(pid, name);
        scanned.denied += share.denied;
      }
      return scanned;
    },
  };
}
