/**
 * The list of the Request pane's own connections, as plain data: opened, closed, and forgotten a
 * while after closing, once the kernel has let their TIME-WAIT go (60 s on Linux).
 */
import type {OwnConnection} from '../store/store.js';
import type {ConnectionInfo} from './types.js';

/** A closed connection is remembered this long: TIME-WAIT lasts 60 s on Linux, with room to spare. */
export const ownClosedKeptMs = 90_000;
/** At most this many are remembered; the oldest closed ones go first. */
export const ownConnectionsKept = 64;

/** A TCP connection that opened (or was taken again: then it is open, whatever was said before). */
export function withOpened(
  list: readonly OwnConnection[],
  info: ConnectionInfo,
): readonly OwnConnection[] {
  // A Unix socket is not in the TCP table, nor a via stream (its TCP connection is the far side's).
  if (info.unixSocket !== undefined || info.via !== undefined) return list;
  const known = list.find((each) => each.id === info.id);
  if (known && known.closedAt === undefined) return list;
  const entry: OwnConnection = {
    id: info.id,
    protocol: info.protocol,
    localAddress: info.localAddress,
    localPort: info.localPort,
    remoteAddress: info.remoteAddress,
    remotePort: info.remotePort,
    openedAt: known?.openedAt ?? info.openedAt,
  };
  return known ? list.map((each) => (each === known ? entry : each)) : [...list, entry];
}

/** These connections closed now; ones already closed keep their time. */
export function withClosed(
  list: readonly OwnConnection[],
  ids: Iterable<number>,
  now: number,
): readonly OwnConnection[] {
  const closing = new Set(ids);
  if (!list.some((each) => each.closedAt === undefined && closing.has(each.id))) return list;
  return list.map((each) =>
    each.closedAt === undefined && closing.has(each.id) ? {...each, closedAt: now} : each,
  );
}

/** Without the ones closed long enough ago, and no longer than the cap. */
export function pruned(list: readonly OwnConnection[], now: number): readonly OwnConnection[] {
  let kept = list.filter(
    (each) => each.closedAt === undefined || now - each.closedAt <= ownClosedKeptMs,
  );
  if (kept.length > ownConnectionsKept) {
    // Closed before open, then oldest first.
    const order = [...kept].sort(
      (a, b) =>
        Number(a.closedAt === undefined) - Number(b.closedAt === undefined) ||
        (a.closedAt ?? a.openedAt) - (b.closedAt ?? b.openedAt),
    );
    const dropped = new Set(order.slice(0, kept.length - ownConnectionsKept));
    kept = kept.filter((each) => !dropped.has(each));
  }
  return kept.length === list.length ? list : kept;
}

/** When the next closed one is due to be forgotten, if any is. */
export function nextExpiry(list: readonly OwnConnection[]): number | undefined {
  let next: number | undefined;
  for (const each of list) {
    if (each.closedAt === undefined) continue;
    const at = each.closedAt + ownClosedKeptMs;
    if (next === undefined || at < next) next = at;
  }
  return next;
}
