/**
 * A cheap stamp of the kernel's socket tables, to skip reading them when nothing moved.
 *
 * Reading /proc/net/tcp makes the kernel walk its whole connection hash (262,144 buckets on a
 * 24 GiB machine): ≈ 2 ms per table even with no sockets at all, twice that for tcp and tcp6, more
 * than htop spends on a whole refresh. The socket counts of /proc/net/sockstat{,6} (sockets in use,
 * orphans, TIME-WAIT, pages of buffered data) and the counters of /proc/net/snmp{,6} (connections
 * opened, resets, segments and datagrams in and out) cost ≈ 0.15 ms together, and nearly
 * everything that changes a row moves one of them. What does not (a listener closed and another
 * opened within one poll with no traffic at all, a backlog drained by accept()) is caught by the
 * full read that happens at least every `restampMs` whatever the stamp says.
 */
import {closeSync, openSync, readSync} from 'node:fs';

const stampFiles = ['sockstat', 'sockstat6', 'snmp', 'snmp6'] as const;

/** Every stamp file is a few KiB; a file that fills this is compared on what fits. */
const room = 16 * 1024;

export type TableStamp = {
  /**
   * Whether the counters moved since the last call: true the first time, and whenever a file
   * cannot be read (then every poll reads the tables).
   */
  moved(): boolean;
  /**
   * The IPv6 tables that held no full socket at the last call (sockstat6 counts `inuse` 0). Such a
   * table may still list TIME-WAIT rows; the caller decides what that allows.
   */
  unusedV6(): ReadonlySet<'tcp6' | 'udp6'>;
};

/**
 * Compares the files' bytes with the last call's, without decoding them: the stamp runs on every
 * poll of an idle dashboard, where any allocation is garbage to collect.
 */
export function createTableStamp(procRoot: string): TableStamp {
  let last = Buffer.alloc(room * stampFiles.length);
  let next = Buffer.alloc(room * stampFiles.length);
  let lastLength = -1;

  let unused: ReadonlySet<'tcp6' | 'udp6'> = new Set();
  /** Where sockstat6 sits in the last buffer read. */
  let v6Start = 0;
  let v6End = 0;

  function readInto(buffer: Buffer): number {
    let length = 0;
    for (const file of stampFiles) {
      if (file === 'sockstat6') v6Start = length;
      const fd = openSync(`${procRoot}/net/${file}`, 'r');
      try {
        const start = length;
        for (let count; length - start < room; length += count) {
          count = readSync(fd, buffer, length, room - (length - start), null);
          if (count === 0) break;
        }
      } finally {
        closeSync(fd);
      }
      if (file === 'sockstat') length = dropFirstLine(buffer, 0, length);
      if (file === 'sockstat6') v6End = length;
    }
    return length;
  }

  /** `TCP6: inuse 0` and `UDP6: inuse 0` in the sockstat6 just read. */
  function readUnused(buffer: Buffer): ReadonlySet<'tcp6' | 'udp6'> {
    const text = buffer.toString('latin1', v6Start, v6End);
    const tables = new Set<'tcp6' | 'udp6'>();
    if (/^TCP6: inuse 0$/m.test(text)) tables.add('tcp6');
    if (/^UDP6: inuse 0$/m.test(text)) tables.add('udp6');
    return tables;
  }

  return {
    moved() {
      let length: number;
      try {
        length = readInto(next);
      } catch {
        lastLength = -1;
        unused = new Set();
        return true;
      }
      unused = readUnused(next);
      const same = length === lastLength && next.compare(last, 0, length, 0, length) === 0;
      [last, next] = [next, last];
      lastLength = length;
      return !same;
    },
    unusedV6: () => unused,
  };
}

/**
 * sockstat's first line counts every socket of the host, netlink and unix ones included: it moves
 * whenever any program (this one reading its interfaces, say) opens one for a moment.
 */
function dropFirstLine(buffer: Buffer, start: number, end: number): number {
  const newline = buffer.indexOf(10, start);
  if (newline < 0 || newline >= end) return start;
  buffer.copy(buffer, start, newline + 1, end);
  return end - (newline + 1 - start);
}
