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
};

/**
 * Compares the files' bytes with the last call's, without decoding them: the stamp runs on every
 * poll of an idle dashboard, where any allocation is garbage to collect.
 */
export function createTableStamp(procRoot: string): TableStamp {
  let last = Buffer.alloc(room * stampFiles.length);
  let next = Buffer.alloc(room * stampFiles.length);
  let lastLength = -1;

  function readInto(buffer: Buffer): number {
    let length = 0;
    for (const file of stampFiles) {
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
    }
    return length;
  }

  return {
    moved() {
      let length: number;
      try {
        length = readInto(next);
      } catch {
        lastLength = -1;
        return true;
      }
      const same = length === lastLength && next.compare(last, 0, length, 0, length) === 0;
      [last, next] = [next, last];
      lastLength = length;
      return !same;
    },
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
