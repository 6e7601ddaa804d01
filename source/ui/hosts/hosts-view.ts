/** The Hosts pane's rows and the header's fleet facts: pure, computed from the store's host slices. */
import type {SocketState} from '../../model.js';
import type {HostData, HostId} from '../../fleet/types.js';
import {isListener} from '../../collect/sockets/changes.js';
import {formatDuration} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';
import type {Column} from '../table.js';
import type {Row} from '../table-row.js';
import type {Theme} from '../theme.js';
import {stateCounts} from '../sockets/sockets-view.js';

export type HostColumn =
  'mark' | 'host' | 'state' | 'rtt' | 'polled' | 'listening' | 'exposed' | 'new' | 'sockets';

export const hostColumns: readonly Column<HostColumn>[] = [
  {key: 'mark', title: ' ', width: 1, priority: 0},
  {key: 'host', title: 'HOST', width: 20, priority: 0},
  {key: 'state', title: 'STATE', width: 24, priority: 0},
  {key: 'rtt', title: 'RTT', width: 8, priority: 2, align: 'right'},
  {key: 'polled', title: 'POLLED', width: 7, priority: 1, align: 'right'},
  {key: 'listening', title: 'LISTEN', width: 6, priority: 0, align: 'right'},
  {key: 'exposed', title: 'EXPOSED', width: 7, priority: 0, align: 'right'},
  {key: 'new', title: 'NEW', width: 4, priority: 3, align: 'right'},
  {key: 'sockets', title: 'SOCKETS BY STATE', width: 20, priority: 4, grow: true, maxWidth: 90},
];

/**
 * The columns with STATE as wide as its longest text, if the row still fits `width` with the
 * other columns that are never dropped and SOCKETS BY STATE at its narrowest.
 */
export function withStateWidth(
  columns: readonly Column<HostColumn>[],
  longest: number,
  width: number,
): Column<HostColumn>[] {
  const others = columns
    .filter((column) => column.key !== 'state')
    .reduce((sum, column) => sum + column.width + 1, 0);
  return columns.map((column) =>
    column.key === 'state'
      ? {...column, width: Math.max(column.width, Math.min(longest, width - others))}
      : column,
  );
}

/** What one host's row says, before it is styled. */
export type HostFacts = {
  id: HostId;
  name: string;
  state: HostData['status']['state'];
  /** `up`, `down: connection refused`, `connecting…` */
  stateText: string;
  rttMs: number | undefined;
  /** Read here, every poll (this machine). */
  live: boolean;
  /** Ms since the last good reading, if there was one. */
  ageMs: number | undefined;
  listening: number;
  /** Listeners reachable from beyond the host: bound to all interfaces or to an outside address. */
  exposed: number;
  /** Listeners that appeared after porthole began watching the host. */
  fresh: number;
  byState: Array<[SocketState, number]>;
};

/**
 * How a host is named on screen: as the user named it (`web-1`, which several hosts' own names may
 * share, as cloned machines do); this machine by its own name.
 */
export function hostLabel(host: Pick<HostData, 'name' | 'target' | 'local'>): string {
  const name = sanitizeLine(host.local ? host.name : host.target || host.name);
  return name || (host.local ? 'this machine' : '?');
}

export function hostFacts(host: HostData, now: number): HostFacts {
  const {status} = host;
  let listening = 0;
  let exposed = 0;
  let fresh = 0;
  const listing = host.socketChanges?.listing;
  const seen = listing?.sockets === host.sockets ? listing.seen : undefined;
  host.sockets.forEach((socket, index) => {
    if (!isListener(socket)) return;
    listening++;
    if (socket.exposure !== 'loopback') exposed++;
    if (Number.isFinite(seen?.[index] ?? Number.NEGATIVE_INFINITY)) fresh++;
  });
  const stateText =
    status.state === 'up'
      ? `up${methodNames[status.method]}`
      : status.state === 'down'
        ? `down: ${sanitizeLine(status.error ?? 'no answer')}`
        : 'connecting…';
  return {
    id: host.id,
    name: hostLabel(host),
    state: status.state,
    stateText,
    rttMs: status.rttMs,
    // This machine is read in-process, every poll: its age is the poll's, not a link's.
    ageMs:
      status.polledAt === undefined || (host.local && status.state === 'up')
        ? undefined
        : Math.max(0, now - status.polledAt),
    live: host.local && status.state === 'up',
    listening,
    exposed,
    fresh,
    byState: stateCounts(host.sockets),
  };
}

/** How an SSH host is read, after its state: streaming with its Node, or a shell script a poll. */
const methodNames: Record<HostData['status']['method'], string> = {
  local: '',
  'ssh-node': ' · node',
  'ssh-shell': ' · sh',
};

/** `0.4s`, `12s`, `3m07s`, `2h05m`: how long ago the last good reading came. */
export function formatAge(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function hostRow(
  facts: HostFacts,
  current: boolean,
  selected: boolean,
  theme: Theme,
): Row<HostColumn> {
  const down = facts.state === 'down';
  const color = down ? theme.error : undefined;
  return {
    key: facts.id,
    inverse: selected,
    cells: {
      mark: {text: current ? '▸' : ' ', color: theme.accent, bold: true},
      host: {text: facts.name, bold: current, color},
      state: {
        text: facts.stateText,
        color: down ? theme.error : facts.state === 'up' ? theme.ok : theme.warning,
      },
      rtt: {text: facts.rttMs === undefined ? '—' : formatDuration(facts.rttMs), color},
      polled: {text: facts.live ? 'live' : formatAge(facts.ageMs), color},
      listening: {text: String(facts.listening), color},
      exposed: {
        text: String(facts.exposed),
        color: color ?? (facts.exposed > 0 ? theme.warning : undefined),
      },
      new: {
        text: String(facts.fresh),
        color: color ?? (facts.fresh > 0 ? theme.accent : undefined),
      },
      sockets: {
        text: facts.byState.map(([state, count]) => `${state} ${count}`).join(' · ') || '—',
        dim: !down,
        color,
      },
    },
  };
}

/** `3 hosts up · 1 down` (and `· 1 connecting`), for the header. */
export function fleetCounts(hosts: readonly Pick<HostData, 'status'>[]): string {
  const count = (state: HostData['status']['state']) =>
    hosts.filter((host) => host.status.state === state).length;
  const up = count('up');
  const parts = [`${up} ${up === 1 ? 'host' : 'hosts'} up`];
  if (count('down') > 0) parts.push(`${count('down')} down`);
  if (count('connecting') > 0) parts.push(`${count('connecting')} connecting`);
  return parts.join(' · ');
}
