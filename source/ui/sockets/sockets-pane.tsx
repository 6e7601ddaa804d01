import {useMemo} from 'react';
import {Text} from 'ink';
import {useShallow} from 'zustand/react/shallow';
import {serviceName} from '../../net/services.js';
import {sanitizeLine} from '../../sanitize.js';
import {Pane, type PaneProps} from '../pane.js';
import {TableHeader, TableRow, type Row} from '../table-row.js';
import {fitColumns, type Column} from '../table.js';
import {useTheme, type Theme} from '../theme.js';
import {useHost, usePorthole, usePortholeView} from '../store-context.js';
import {showsAllHosts, useRowsOf} from './rows-context.js';
import type {OwnConnection} from '../../store/store.js';
import type {NetworkInterface, Socket} from '../../model.js';
import {hostLabel} from '../hosts/hosts-view.js';
import {useHostTitle} from '../hosts/host-title.js';

const noConnections: readonly OwnConnection[] = [];
const noSockets: readonly Socket[] = [];
import {
  endpoint,
  exposureLabel,
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
  | 'exposure'
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
  {key: 'local', title: 'LOCAL ADDRESS:PORT', width: 22, priority: 0, grow: true, maxWidth: 48},
  {key: 'service', title: 'SERVICE', width: 10, priority: 3},
  {key: 'exposure', title: 'EXPOSURE', width: 14, priority: 0},
  {key: 'peer', title: 'PEER ADDRESS:PORT', width: 24, priority: 2},
  {key: 'process', title: 'PROCESS', width: 18, priority: 1},
];

function toRow(
  row: SocketRow,
  interfaces: readonly NetworkInterface[],
  theme: Theme,
  now: number,
  selected: boolean,
  own: OwnSockets | undefined,
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
      recvq: {text: String(socket.recvQ)},
      sendq: {text: String(socket.sendQ)},
      local: {text: endpoint(socket.localAddress, socket.localPort)},
      service: {text: serviceName(socket.localPort, socket.protocol) ?? '', dim: true},
      exposure: {
        text: exposureLabel(socket, interfaces),
        color: theme.exposure(socket.exposure),
        bold: socket.exposure === 'all-interfaces',
      },
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
              ? [[id, {name: hostLabel(host), interfaces: host.interfaces, local: host.local}]]
              : [];
          }),
        )
      : undefined,
  );
  const title = useHostTitle('Sockets');
  const interfaces = useHost((host) => host.interfaces);
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
  // Listeners have no peer (`*:*`): in the listening view the peer column is the first to go.
  const columns = useMemo(() => {
    const shown = view.showAll
      ? socketColumns
      : socketColumns.map((c) => (c.key === 'peer' ? {...c, priority: 6} : c));
    return fitColumns(allHosts ? [hostColumn, ...shown] : shown, width);
  }, [width, view.showAll, allHosts]);

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
  const modes = [
    view.showAll ? 'all states' : 'listening',
    view.exposedOnly ? 'exposed only' : undefined,
    [view.tcp && 'tcp', view.udp && 'udp'].filter(Boolean).join('+') || 'no protocol',
    [view.ipv4 && 'v4', view.ipv6 && 'v6'].filter(Boolean).join('+') || 'no family',
    `sort ${view.sort}`,
    allHosts ? 'all hosts' : undefined,
    `${count} shown`,
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
      focused={focused}
      width={width}
      height={height}
      summary={modes}
      stale={error}
    >
      <Text wrap="truncate" dimColor>
        {countLine}
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
      {Array.from({length: Math.max(0, Math.min(visible, count - first))}, (_, index) => {
        const row = rowAt(rows, first + index);
        if (!row) return null;
        const host = row.host === undefined ? undefined : fleet?.[row.host];
        return (
          <TableRow
            key={row.key}
            columns={columns}
            row={toRow(
              row,
              host ? host.interfaces : interfaces,
              theme,
              now,
              focused && first + index === selected,
              host && !host.local ? undefined : own,
              host?.name,
            )}
          />
        );
      })}
      {filterLine}
    </Pane>
  );
}
