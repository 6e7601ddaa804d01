import {useMemo} from 'react';
import {Text} from 'ink';
import {Pane, type PaneProps} from '../pane.js';
import {TableHeader, TableRow} from '../table-row.js';
import {fitColumns} from '../table.js';
import {textWidth} from '../../ink/text-width.js';
import {useTheme} from '../theme.js';
import {usePorthole, usePortholeView} from '../store-context.js';
import {useClock} from '../use-clock.js';
import {scrollFor} from '../sockets/sockets-view.js';
import {fleetCounts, hostColumns, hostFacts, hostRow, withStateWidth} from './hosts-view.js';
import {useHostsKeys} from './use-hosts-keys.js';

/** Lines the pane would like: title, column titles, one per host. */
export function hostsWanted(hostCount: number): number {
  return hostCount + 2;
}

/** One row per host: how it is doing and what it listens on; the shown host is marked. */
export function HostsPane({width, height, focused}: PaneProps) {
  const theme = useTheme();
  // Poll ages grow while nothing else changes: a down host's age goes on counting.
  const now = useClock(1000);
  const facts = usePortholeView((state) =>
    state.hostOrder.flatMap((id) => {
      const host = state.hosts[id];
      return host ? [hostFacts(host, Math.max(now, host.status.polledAt ?? 0))] : [];
    }),
  );
  const current = usePorthole((state) => state.currentHost);
  const cursor = usePorthole((state) => Math.min(state.hostsCursor, state.hostOrder.length - 1));
  const counts = usePorthole((state) =>
    fleetCounts(state.hostOrder.flatMap((id) => state.hosts[id] ?? [])),
  );
  // A down host's reason is the one thing its row must say whole: STATE widens for it, while the
  // row still fits, before SOCKETS BY STATE takes what is left.
  const longestState = Math.max(0, ...facts.map((host) => textWidth(host.stateText)));
  const columns = useMemo(
    () => fitColumns(withStateWidth(hostColumns, longestState, width), width),
    [width, longestState],
  );
  useHostsKeys();
  const withHeader = height >= 3;
  const visible = Math.max(0, height - 1 - (withHeader ? 1 : 0));
  const first = scrollFor(Math.max(0, cursor), 0, visible, facts.length);
  return (
    <Pane title="Hosts" focused={focused} width={width} height={height} summary={counts}>
      {withHeader ? <TableHeader columns={columns} /> : null}
      {facts.length === 0 ? <Text dimColor>no hosts</Text> : null}
      {facts.slice(first, first + visible).map((host, index) => (
        <TableRow
          key={host.id}
          columns={columns}
          row={hostRow(host, host.id === current, focused && first + index === cursor, theme)}
        />
      ))}
    </Pane>
  );
}
