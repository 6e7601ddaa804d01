/**
 * Finds which process holds each socket, as `ss -p` does: a socket inode belongs to the process
 * whose `/proc/<pid>/fd/<n>` links to `socket:[inode]`. Reading every fd link of every process is
 * the expensive part of a socket listing (≈ 80 ms at 8k sockets), so owners are cached between
 * polls and fd directories are read only when a socket appears whose owner is not known yet.
 *
 * The cache rule:
 * - Known inode: no I/O. Entries of inodes that left the socket list are dropped.
 * - Unknown inode: a scan walks processes most-likely-first (processes new since the last poll,
 *   then those that gained sockets most recently, then the rest, newest pid first) and, inside a
 *   process, fd numbers new since its last scan and fds whose old socket has gone before fds that
 *   still hold a live socket. It stops as soon as every unknown inode is found, so one new
 *   connection of a busy server costs a few readlinks, not thousands.
 * - Throttle: a scan starts only once `scanDutyFactor` (9) times the previous scan's duration has
 *   passed since it ended, so scans take at most about a tenth of wall time however hard sockets
 *   churn. Until then new sockets show no owner; the next allowed scan fills them in.
 * - An inode a complete scan did not find (another user's process, a socket in flight, a kernel
 *   socket) is remembered as ownerless and looked for again after `retryMs` (10 s), then after
 *   twice as long each time it is still not found, up to 32x. Such a look reads only the fds that
 *   are new or no longer hold a listed socket: one that was in no fd at the last complete scan can
 *   only have arrived in one of those (at 10k sockets: a few dozen links instead of 10k, ~100 ms).
 *   An fd closed and reopened onto it while its old socket lives on in another fd is the one place
 *   such a look misses; the next scan for a socket never seen before reads everything.
 * - Process exit is seen on every poll (one `readdir` of /proc); a pid that has gone takes its
 *   sockets back to unknown. Pid reuse and renames are caught by re-reading `stat` (start time)
 *   and `comm` of owning processes every `revalidateMs` (5 s) and of every process a scan visits.
 * - A process fd directory that exists but cannot be read (another user's process, when not root)
 *   makes the reading report `ownersHidden` while some socket is left without an owner.
 */
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import type {Socket} from '../../model.js';

type ProcessRecord = {
  pid: number;
  name: string | null;
  /** Start time in clock ticks since boot (field 22 of stat), to tell a reused pid apart. */
  startTime: string | null;
  /** fd number -> socket inode it linked to at the last scan (0: not a socket). */
  fds: Map<number, number>;
  /** When this process last turned out to own a socket that was unknown. */
  lastGain: number;
  gone: boolean;
};

type Entry = {
  owner: ProcessRecord | null;
  /** For an ownerless entry: when to look for it again, and how many scans have missed it. */
  retryAt: number;
  misses?: number;
  /** The poll that last saw this inode in the socket list. */
  seen: number;
};

export type OwnerScanStats = {
  /** Processes whose fd directory was read. */
  processes: number;
  /** fd links read. */
  links: number;
  /** Whether the scan visited every process (it did not stop early). */
  complete: boolean;
  durationMs: number;
};

export type OwnerAssignment = {
  ownersHidden: boolean;
  /** The fd scan this poll ran, if it ran one. */
  scan: OwnerScanStats | undefined;
};

export type OwnerCacheOptions = {
  procRoot?: string;
  /** Clock for throttling and retries; `Date.now` unless a test supplies one. */
  now?: () => number;
  scanDutyFactor?: number;
  retryMs?: number;
  revalidateMs?: number;
  /** Yield to the event loop after this much uninterrupted scanning, so input stays responsive. */
  sliceMs?: number;
};

export type OwnerCache = {
  /**
   * Gives each socket its `pid` and `process`; a row whose owner changed is replaced in the array by
   * a new object, the others are left as they are. Never throws for /proc trouble.
   */
  assign(sockets: Socket[]): Promise<OwnerAssignment>;
};

const socketPrefix = 'socket:[';

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/** The process has gone; anything else means the file exists but cannot be read. */
function isGone(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ESRCH';
}

function isPid(name: string): boolean {
  if (name.length === 0 || name.length > 10) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function socketInode(link: string): number {
  if (!link.startsWith(socketPrefix)) return 0;
  const inode = Number(link.slice(socketPrefix.length, -1));
  return Number.isSafeInteger(inode) ? inode : 0;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createOwnerCache(options: OwnerCacheOptions = {}): OwnerCache {
  const procRoot = options.procRoot ?? '/proc';
  const now = options.now ?? Date.now;
  const scanDutyFactor = options.scanDutyFactor ?? 9;
  const retryMs = options.retryMs ?? 10_000;
  const revalidateMs = options.revalidateMs ?? 5000;
  const sliceMs = options.sliceMs ?? 8;

  const byInode = new Map<number, Entry>();
  const processes = new Map<number, ProcessRecord>();
  /** Pids whose fd directory could not be read when last visited. */
  const denied = new Set<number>();
  let knownPids = new Set<number>();
  let poll = 0;
  let nextScanAt = 0;
  let nextRevalidateAt = 0;

  function readStartTime(pid: number): string | null {
    try {
      const stat = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
      // The name in parentheses may hold spaces and ')'; the fields after the last ')' do not.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ', 20)[19] ?? null;
    } catch {
      return null;
    }
  }

  function readName(pid: number): string | null {
    try {
      const comm = readFileSync(`${procRoot}/${pid}/comm`, 'utf8');
      return comm.endsWith('\n') ? comm.slice(0, -1) : comm;
    } catch {
      return null;
    }
  }

  function forget(record: ProcessRecord): void {
    record.gone = true;
    processes.delete(record.pid);
    denied.delete(record.pid);
  }

  /** The record for `pid`, replaced when the pid now names another process (reuse). */
  function recordFor(pid: number): ProcessRecord {
    const startTime = readStartTime(pid);
    const known = processes.get(pid);
    if (known && known.startTime === startTime) {
      known.name = readName(pid) ?? known.name;
      return known;
    }
    if (known) forget(known);
    const record: ProcessRecord = {
      pid,
      name: readName(pid),
      startTime,
      fds: new Map(),
      lastGain: 0,
      gone: false,
    };
    processes.set(pid, record);
    return record;
  }

  function listPids(): number[] {
    let names: string[];
    try {
      names = readdirSync(procRoot);
    } catch {
      return [];
    }
    const pids: number[] = [];
    for (const name of names) if (isPid(name)) pids.push(Number(name));
    return pids;
  }

  function revalidate(owners: Set<ProcessRecord>): void {
    for (const record of owners) {
      if (record.gone) continue;
      const startTime = readStartTime(record.pid);
      if (startTime !== record.startTime) forget(record);
      else record.name = readName(record.pid) ?? record.name;
    }
  }

  /**
   * The fds to read, the ones likeliest to hold a new socket first, and those left unread: with
   * `changedOnly`, fds that still hold a listed socket are kept as they were, not read again.
   */
  function fdOrder(
    record: ProcessRecord,
    fdNames: string[],
    changedOnly: boolean,
  ): {read: number[]; unread: number[]} {
    const fresh: number[] = [];
    const stale: number[] = [];
    const live: number[] = [];
    for (const name of fdNames) {
      const fd = Number(name);
      const inode = record.fds.get(fd);
      if (inode === undefined) fresh.push(fd);
      else if (inode === 0 || byInode.get(inode)?.seen !== poll) stale.push(fd);
      else live.push(fd);
    }
    return changedOnly
      ? {read: fresh.concat(stale), unread: live}
      : {read: fresh.concat(stale, live), unread: []};
  }

  /** `changedOnly`: every wanted inode was missed by a complete scan before (see the top). */
  async function scan(
    wanted: Set<number>,
    pids: number[],
    newPids: Set<number>,
    changedOnly: boolean,
  ) {
    const started = performance.now();
    let sliceStart = started;
    const stats: OwnerScanStats = {processes: 0, links: 0, complete: true, durationMs: 0};
    const order = pids.slice().sort((a, b) => {
      const newA = newPids.has(a) ? 1 : 0;
      const newB = newPids.has(b) ? 1 : 0;
      if (newA !== newB) return newB - newA;
      const gainA = processes.get(a)?.lastGain ?? 0;
      const gainB = processes.get(b)?.lastGain ?? 0;
      return gainA !== gainB ? gainB - gainA : b - a;
    });
    const gainedAt = now();
    search: for (const pid of order) {
      let fdNames: string[];
      try {
        fdNames = readdirSync(`${procRoot}/${pid}/fd`);
      } catch (error) {
        if (isGone(error)) {
          const record = processes.get(pid);
          if (record) forget(record);
        } else {
          denied.add(pid);
        }
        continue;
      }
      denied.delete(pid);
      stats.processes++;
      const record = recordFor(pid);
      const previous = record.fds;
      const fds = new Map<number, number>();
      const {read: ordered, unread} = fdOrder(record, fdNames, changedOnly);
      for (const fd of unread) fds.set(fd, previous.get(fd)!);
      for (let i = 0; i < ordered.length; i++) {
        const fd = ordered[i]!;
        let inode = 0;
        try {
          inode = socketInode(readlinkSync(`${procRoot}/${pid}/fd/${fd}`));
        } catch {
          continue; // closed since the listing
        }
        stats.links++;
        fds.set(fd, inode);
        if (inode !== 0 && wanted.delete(inode)) {
          byInode.set(inode, {owner: record, retryAt: 0, seen: poll});
          record.lastGain = gainedAt;
          if (wanted.size === 0) {
            // Keep what the unread fds held last time; they are read first next time if stale.
            for (let j = i + 1; j < ordered.length; j++) {
              const rest = ordered[j]!;
              const old = previous.get(rest);
              if (old !== undefined) fds.set(rest, old);
            }
            record.fds = fds;
            stats.complete = false;
            break search;
          }
        }
      }
      record.fds = fds;
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    if (stats.complete) {
      for (const inode of wanted) {
        const misses = (byInode.get(inode)?.misses ?? 0) + 1;
        const retryAt = now() + retryMs * 2 ** Math.min(misses - 1, 5);
        byInode.set(inode, {owner: null, retryAt, misses, seen: poll});
      }
    }
    stats.durationMs = performance.now() - started;
    return stats;
  }

  async function assign(sockets: Socket[]): Promise<OwnerAssignment> {
    poll++;
    const time = now();
    const pids = listPids();
    const livePids = new Set(pids);
    const newPids = new Set<number>();
    for (const pid of pids) if (!knownPids.has(pid)) newPids.add(pid);
    for (const record of processes.values()) if (!livePids.has(record.pid)) forget(record);
    for (const pid of denied) if (!livePids.has(pid)) denied.delete(pid);
    knownPids = livePids;

    const revalidating = time >= nextRevalidateAt;
    if (revalidating) {
      nextRevalidateAt = time + revalidateMs;
      const owners = new Set<ProcessRecord>();
      for (const entry of byInode.values()) if (entry.owner) owners.add(entry.owner);
      revalidate(owners);
    }

    const wanted = new Set<number>();
    let touched = 0;
    let retriesOnly = true;
    for (const socket of sockets) {
      const inode = socket.inode;
      if (inode === 0) continue;
      const entry = byInode.get(inode);
      if (entry && (entry.owner ? !entry.owner.gone : time < entry.retryAt)) {
        entry.seen = poll;
        touched++;
      } else {
        wanted.add(inode);
        if (entry?.owner !== null) retriesOnly = false;
      }
    }

    let scanStats: OwnerScanStats | undefined;
    if (wanted.size > 0 && time >= nextScanAt) {
      const found = wanted.size;
      scanStats = await scan(wanted, pids, newPids, retriesOnly);
      touched += found;
      nextScanAt = now() + scanDutyFactor * scanStats.durationMs;
    }

    if (byInode.size > touched) {
      for (const [inode, entry] of byInode) if (entry.seen !== poll) byInode.delete(inode);
    }

    let unowned = false;
    for (let index = 0; index < sockets.length; index++) {
      const socket = sockets[index]!;
      if (socket.inode === 0) continue;
      const found = byInode.get(socket.inode)?.owner;
      const owner = found && !found.gone ? found : undefined;
      if (!owner) unowned = true;
      const pid = owner?.pid ?? null;
      const name = owner?.name ?? null;
      // Rows may be last poll's objects, still on screen: a changed owner gets a new object.
      if (socket.pid !== pid || socket.process !== name) {
        sockets[index] = {...socket, pid, process: name};
      }
    }
    return {ownersHidden: unowned && denied.size > 0, scan: scanStats};
  }

  return {assign};
}
