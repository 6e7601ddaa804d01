import {useMemo} from 'react';
import {Text} from 'ink';
import {useShallow} from 'zustand/react/shallow';
import {serviceName} from '../../net/services.js';
import {sanitizeLine} from '../../sanitize.js';
import {Pane, paneLayers, type PaneProps} from '../pane.js';
import {TableHeader, TableRow, type Row} from '../table-row.js';
import {fitColumns, type Column, type PlacedColumn} from '../table.js';
import {cutEndpoint, cutReach} from '../cut.js';
import {textWidth} from '../../ink/text-width.js';
import {isListener} from '../../collect/sockets/changes.js';
import {useTheme, type Theme} from '../theme.js';
import {useHost, usePorthole, usePortholeView} from '../store-context.js';
import {showsAllHosts, useRowsOf} from './rows-context.js';
import type {OwnConnection} from '../../store/store.js';
import type {FirewallReading, NetworkInterface, Socket} from '../../model.js';
import {reachSaid} from '../../collect/reach-firewall.js';
import {hostLabel} from '../hosts/hosts-view.js';
import {useHostTitle} from '../hosts/host-title.js';

const noConnections: readonly OwnConnection[] = [];
const noSockets: readonly Socket[] = [];
import {
  exposureLabel,
  localEndpoint,
  ownerLabel,
  peerEndpoint,
  scrollFor,
  rowAt,
  selectedIndex,
  stateCounts,
  type SocketRow,
} from './sockets-view.js';
import {useSocketsKeys} from './use-sockets-keys.js';
import {eventLine, eventsHeader, shownEvents} from './events-view.js';
import {caretWindow} from '../request/text-edit.js';
import {countOwn, ownMark, ownSockets, ownWord, type OwnSockets} from './own-connections.js';

/** The part of the filter that fits the pane beside `/`, around the caret, wide characters included. */
function filterWindow(filter: string, caret: number, width: number) {
  const safe = sanitizeLine(filter);
  return caretWindow(safe, Math.min(caret, safe.length), width - 2);
}

/** The caret: a bar after the last character, the character under it shown inverse mid-line. */
function FilterCaret({before, after}: {before: string; after: string}) {
  const [atCaret = ''] = after;
  if (atCaret === '') return <>{before + '▏'}</>;
  return (
    <>
      {before}
      <Text inverse>{atCaret}</Text>
      {after.slice(atCaret.length)}
    </>
  );
}

/** A socket that appeared stays highlighted this long. */
export const highlightMs = 4000;

type SocketColumn =
  | 'host'
  | 'mark'
  | 'proto'
  | 'state'
  | 'recvq'
  | 'sendq'
  | 'local'
  | 'service'
  | 'reach'
  | 'peer'
  | 'process';

/** First in the table of every host's sockets. */
const hostColumn: Column<SocketColumn> = {key: 'host', title: 'HOST', width: 12, priority: 0};

const socketColumns: readonly Column<SocketColumn>[] = [
  {key: 'mark', title: ' ', width: 1, priority: 0},
  {key: 'proto', title: 'PROTO', width: 5, priority: 0},
  {key: 'state', title: 'STATE', width: 10, priority: 0},
  {key: 'recvq', title: 'RECV-Q', width: 6, priority: 4, align: 'right'}, // Send-Q goes first: Recv-Q tells of waiting work
  {key: 'sendq', title: 'SEND-Q', width: 6, priority: 5, align: 'right'},
  {
    key: 'local',
    title: 'LOCAL ADDRESS:PORT',
    width: 22,
    priority: 0,
    grow: true,
    maxWidth: 48,
    cut: cutEndpoint,
  },
  {key: 'service', title: 'SERVICE', width: 10, priority: 3},
  {key: 'reach', title: 'REACH', width: 16, priority: 0, grow: true, maxWidth: 30, cut: cutReach},
  {
    key: 'peer',
    title: 'PEER ADDRESS:PORT',
    width: 24,
    priority: 2,
    grow: true,
    maxWidth: 48,
    cut: cutEndpoint,
  },
  {key: 'process', title: 'PROCESS', width: 18, priority: 1, grow: true, maxWidth: 40},
];

/** A peer that is no one: a listener's, an unconnected UDP socket's. */
const noPeer = /^(\*|0\.0\.0\.0|\[::\]):\*$/;

/** Rows the table would fill, title line included: the layout gives the rest to other panes. */
export function socketsWanted(count: number, filterShown: boolean): number {
  return 3 + Math.max(1, count) + (filterShown ? 1 : 0);
}

/**
 * The columns for the rows drawn, so that width goes where there is something to read: PEER goes
 * when no drawn row has a peer (a listening view), SERVICE when none has a service, and it yields
 * its width to the growing columns when fewer than a quarter of the drawn rows have one; each
 * growing column first widens to what its drawn cells need.
 */
export function socketsColumns(
  rows: readonly Row<SocketColumn>[],
  width: number,
  options: {allHosts: boolean; showAll: boolean},
): PlacedColumn<SocketColumn>[] {
  const peerless =
    rows.length === 0
      ? !options.showAll
      : rows.every((row) => noPeer.test(row.cells.peer?.text ?? ''));
  const services = rows.filter((row) => (row.cells.service?.text ?? '') !== '').length;
  const wants = (column: Column<SocketColumn>) =>
    rows.reduce(
      (widest, row) => Math.max(widest, textWidth(row.cells[column.key]?.text ?? '')),
      textWidth(column.title),
    );
  const shown = socketColumns
    .filter(
      (column) =>
        !(peerless && column.key === 'peer') &&
        !(column.key === 'service' && rows.length > 0 && services === 0),
    )
    .map((column) =>
      column.grow
        ? {...column, wants: wants(column)}
        : column.key === 'service' && services * 4 < rows.length
          ? {...column, yields: true}
          : column,
    );
  return fitColumns(options.allHosts ? [hostColumn, ...shown] : shown, width);
}

/** A TCP listener whose accept queue holds 80 % or more of its backlog. */
export function backlogged(socket: Socket): boolean {
  return (
    socket.protocol === 'tcp' &&
    socket.state === 'LISTEN' &&
    socket.sendQ > 0 &&
    socket.recvQ * 5 >= socket.sendQ * 4
  );
}

/**
 * A listener says who can reach it (`internet`, `LAN 10.0.0.5`, `this host`); another socket
 * keeps the short word for what it is bound to.
 */
function reachCell(
  socket: Socket,
  interfaces: readonly NetworkInterface[],
  theme: Theme,
  firewall: FirewallReading | undefined,
) {
  if (!isListener(socket)) {
    return {
      text: exposureLabel(socket, interfaces),
      color: theme.exposure(socket.exposure),
      bold: socket.exposure === 'all-interfaces',
    };
  }
  const said = reachSaid(socket, interfaces, firewall);
  return {
    text: sanitizeLine(said.words),
    color: said.filtered ? undefined : theme.reach(said.reach),
    bold: said.reach === 'internet' && !said.filtered,
  };
}

function toRow(
  row: SocketRow,
  interfaces: readonly NetworkInterface[],
  theme: Theme,
  now: number,
  selected: boolean,
  own: OwnSockets | undefined,
  firewall: FirewallReading | undefined,
  hostName?: string,
): Row<SocketColumn> {
  const {socket} = row;
  const fresh = row.seenAt !== undefined && now - row.seenAt < highlightMs;
  // The Request pane's own connection, ESTAB and then TIME-WAIT: one of ours, not the host's.
  const mine = !row.closed && own !== undefined && own.has(socket);
  return {
    key: row.key,
    inverse: selected,
    bold: fresh || mine,
    dim: row.closed,
    cells: {
      host: {text: hostName ?? '', bold: true},
      // A listener that closed is marked as plainly as one that opened, until it is dropped.
      mark: {
        text: row.closed ? '-' : mine ? ownMark : fresh ? '+' : ' ',
        color: fresh || mine ? theme.accent : row.closed ? theme.warning : undefined,
        bold: fresh || mine || row.closed,
      },
      proto: {text: `${socket.protocol}${socket.family === 6 ? '6' : ''}`},
      state: {
        text: row.closed ? 'closed' : socket.state,
        color: row.closed ? undefined : theme.state(socket.state),
      },
      // A listener's Send-Q is its backlog: a queue near it is a service that stopped accepting.
      // Marked in words too (NO_COLOR): `!` is a queue about to overflow.
      recvq: backlogged(socket)
        ? {text: `${socket.recvQ}!`, color: theme.warning, bold: true}
        : {text: String(socket.recvQ)},
      sendq: {text: String(socket.sendQ)},
      local: {text: localEndpoint(socket)},
      service: {text: serviceName(socket.localPort, socket.protocol) ?? '', dim: true},
      reach: reachCell(socket, interfaces, theme, firewall),
      peer: {text: peerEndpoint(socket)},
      process: mine
        ? {text: socket.pid === null ? ownWord : `${ownWord} ${socket.pid}`, color: theme.accent}
        : {text: ownerLabel(socket), dim: socket.pid === null},
    },
  };
}

export function SocketsPane({width, height, focused}: PaneProps) {
  const theme = useTheme();
  const allHosts = usePorthole(showsAllHosts);
  const hostSockets = useHost((host) => host.sockets);
  const fleetSockets = usePorthole(
    useShallow((state) =>
      allHosts ? state.hostOrder.map((id) => state.hosts[id]?.sockets ?? noSockets) : undefined,
    ),
  );
  const sockets = useMemo(
    () => (fleetSockets ? fleetSockets.flat() : hostSockets),
    [fleetSockets, hostSockets],
  );
  const fleet = usePortholeView((state) =>
    allHosts
      ? Object.fromEntries(
          state.hostOrder.flatMap((id) => {
            const host = state.hosts[id];
            return host
              ? [
                  [
                    id,
                    {
                      name: hostLabel(host),
                      interfaces: host.interfaces,
                      local: host.local,
                      firewall: host.firewall,
                    },
                  ],
                ]
              : [];
          }),
        )
      : undefined,
  );
  const title = useHostTitle('Sockets');
  const interfaces = useHost((host) => host.interfaces);
  const firewall = useHost((host) => host.firewall);
  const tracker = useHost((host) => host.socketChanges);
  const local = useHost((host) => host.local);
  // A host never reached says why, where its sockets would be.
  const down = useHost((host) =>
    host.status.state === 'down' ? (host.status.error ?? 'no answer') : undefined,
  );
  const editing = usePorthole((state) => state.editing === 'filter');
  const error = useHost((host) => host.health.sockets?.error);
  const startedAt = usePorthole((state) => state.startedAt);
  const view = usePorthole(
    useShallow(({socketsView: v}) => ({
      showAll: v.showAll,
      tcp: v.tcp,
      udp: v.udp,
      ipv4: v.ipv4,
      ipv6: v.ipv6,
      exposedOnly: v.exposedOnly,
      filter: v.filter,
      filterCaret: v.filterCaret,
      sort: v.sort,
      mode: v.mode,
    })),
  );
  const {cursor, scroll, selectedKey} = usePorthole(
    useShallow(({socketsView: v}) => ({
      cursor: v.cursor,
      scroll: v.scroll,
      selectedKey: v.selectedKey,
    })),
  );
  const rows = usePorthole(useRowsOf());
  const counts = useMemo(
    () => stateCounts(sockets, fleetSockets ? undefined : tracker?.listing),
    [sockets, fleetSockets, tracker],
  );
  const ownConnections = usePorthole((state) => (local ? state.ownConnections : noConnections));
  const own = useMemo(() => ownSockets(ownConnections), [ownConnections]);
  const ownCount = useMemo(() => countOwn(sockets, own), [sockets, own]);
  // Listeners whose accept queue is nearly full: said on the count line, which every width shows.
  const full = useMemo(() => {
    const found: Socket[] = [];
    for (const socket of sockets) if (backlogged(socket)) found.push(socket);
    return found;
  }, [sockets]);
  const showFilter = editing || view.filter !== '';
  // Column titles only when a row fits under them; a folded pane shows rows alone.
  const room = Math.max(0, height - 2 - (showFilter ? 1 : 0));
  const withHeader = room >= 2;
  const visible = room - (withHeader ? 1 : 0);
  const selected = useMemo(
    () => selectedIndex(rows, {cursor, selectedKey}),
    [rows, cursor, selectedKey],
  );
  const count = rows.order.length;
  const first = scrollFor(selected, scroll, visible, count);
  const events = tracker?.events ?? [];
  useSocketsKeys(visible);

  // Highlights are measured against the latest poll, which re-renders when one runs out.
  const now = tracker?.at ?? 0;
  // Only the rows drawn become objects (and are judged for reach): never the 100k of a big host.
  const drawn: Row<SocketColumn>[] = [];
  for (let position = first; position < Math.min(first + visible, count); position++) {
    const row = rowAt(rows, position);
    if (!row) continue;
    const host = row.host === undefined ? undefined : fleet?.[row.host];
    drawn.push(
      toRow(
        row,
        host ? host.interfaces : interfaces,
        theme,
        now,
        focused && position === selected,
        host && !host.local ? undefined : own,
        host ? host.firewall : firewall,
        host?.name,
      ),
    );
  }
  const columns = socketsColumns(drawn, width, {allHosts, showAll: view.showAll});
  const modes = [
    view.showAll ? 'all states' : 'listening',
    view.exposedOnly ? 'exposed only' : undefined,
    [view.tcp && 'tcp', view.udp && 'udp'].filter(Boolean).join('+') || 'no protocol',
    [view.ipv4 && 'v4', view.ipv6 && 'v6'].filter(Boolean).join('+') || 'no family',
    `sort ${view.sort}`,
    allHosts ? 'all hosts' : undefined,
    count === 0 ? '0 of 0' : `${first + 1}-${first + drawn.length} of ${count}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const countLine =
    counts.length === 0
      ? 'no sockets yet'
      : counts.map(([state, n]) => `${state} ${n}`).join(' · ') +
        (ownCount > 0 ? ` · ${ownMark} ${ownWord}'s own ${ownCount}` : '');

  const filterLine = showFilter ? (
    <Text wrap="truncate" color={editing ? theme.accent : undefined}>
      {'/'}
      {editing ? (
        <FilterCaret
          {...filterWindow(view.filter, view.filterCaret ?? view.filter.length, width)}
        />
      ) : (
        filterWindow(view.filter, view.filter.length, width).before
      )}
    </Text>
  ) : null;

  if (view.mode === 'events') {
    const shown = shownEvents(events, view);
    const lines = Math.max(0, height - 2 - (showFilter ? 1 : 0));
    const from = Math.min(scroll, Math.max(0, shown.length - 1));
    const summary = [
      view.exposedOnly ? 'exposed only' : undefined,
      [view.tcp && 'tcp', view.udp && 'udp'].filter(Boolean).join('+') || 'no protocol',
      [view.ipv4 && 'v4', view.ipv6 && 'v6'].filter(Boolean).join('+') || 'no family',
      shown.length === events.length
        ? `${events.length} events, newest first`
        : `${shown.length} of ${events.length} events, newest first`,
    ]
      .filter(Boolean)
      .join(' · ');
    return (
      <Pane
        title={`${title} › events`}
        layer={paneLayers.sockets}
        focused={focused}
        width={width}
        height={height}
        summary={summary}
        stale={error}
      >
        <Text bold underline wrap="truncate">
          {eventsHeader}
        </Text>
        {shown.length === 0 ? (
          <Text dimColor wrap="truncate">
            {events.length === 0
              ? 'no listener has opened or closed since launch'
              : 'no event matches this view'}
          </Text>
        ) : null}
        {shown.slice(from, from + lines).map((event, index) => (
          <Text
            key={`${event.at} ${from + index}`}
            wrap="truncate"
            color={event.change === 'opened' ? theme.ok : theme.warning}
          >
            {eventLine(event, startedAt, interfaces)}
          </Text>
        ))}
        {filterLine}
      </Pane>
    );
  }

  return (
    <Pane
      title={allHosts ? 'Sockets — all hosts' : title}
      layer={paneLayers.sockets}
      focused={focused}
      width={width}
      height={height}
      summary={modes}
      stale={error}
    >
      <Text wrap="truncate">
        {full.length > 0 ? (
          <Text color={theme.warning} bold>
            {sanitizeLine(
              full.length === 1
                ? `! accept queue full: ${localEndpoint(full[0]!)} (${full[0]!.recvQ} of ${full[0]!.sendQ}) · `
                : `! ${full.length} accept queues full · `,
            )}
          </Text>
        ) : null}
        <Text dimColor>{countLine}</Text>
      </Text>
      {withHeader ? <TableHeader columns={columns} /> : null}
      {count === 0 ? (
        <Text dimColor wrap="truncate">
          {sockets.length > 0
            ? 'no socket matches this view'
            : down !== undefined
              ? `nothing read yet: down: ${sanitizeLine(down)}`
              : 'reading sockets…'}
        </Text>
      ) : null}
      {drawn.map((row) => (
        <TableRow key={row.key} columns={columns} row={row} />
      ))}
      {filterLine}
    </Pane>
  );
}
