import {sanitizeLine} from '../../sanitize.js';
import {useMemo} from 'react';
import {Text} from 'ink';
import {Pane, paneLayers, type PaneProps} from '../pane.js';
import {TableHeader, TableRow} from '../table-row.js';
import {fitColumns} from '../table.js';
import {useTheme} from '../theme.js';
import {useHost, useHostView, usePorthole} from '../store-context.js';
import {addressColumns, addressRows} from './addresses-view.js';
import {useAddressesKeys} from './use-addresses-keys.js';
import {useHostTitle} from '../hosts/host-title.js';

/** Lines the pane would like: title, column titles, one per address (or per bare interface). */
export function addressesWanted(lineCount: number): number {
  return lineCount + 2;
}

export function AddressesPane({width, height, focused}: PaneProps) {
  const theme = useTheme();
  const interfaces = useHost((host) => host.interfaces);
  // Rates change every poll; the rows, as drawn, mostly do not.
  const rows = useHostView((host) => addressRows(host.interfaces, host.traffic, theme));
  const scroll = usePorthole((state) => state.addressesScroll);
  const error = useHost((host) => host.health.interfaces?.error);
  const down = useHost((host) =>
    host.status.state === 'down' ? (host.status.error ?? 'no answer') : undefined,
  );
  const columns = useMemo(() => fitColumns(addressColumns, width), [width]);
  const title = useHostTitle('Addresses');
  // Column titles only when a row fits under them; a folded pane shows rows alone.
  const withHeader = height >= 3;
  const visible = Math.max(0, height - 1 - (withHeader ? 1 : 0));
  const first = Math.min(scroll, Math.max(0, rows.length - visible));
  useAddressesKeys(Math.max(0, rows.length - visible));

  const addressCount = interfaces.reduce((sum, iface) => sum + iface.addresses.length, 0);
  const summary = `${interfaces.length} interfaces · ${addressCount} addresses`;
  return (
    <Pane
      title={title}
      layer={paneLayers.addresses}
      focused={focused}
      width={width}
      height={height}
      summary={summary}
      stale={error}
    >
      {withHeader ? <TableHeader columns={columns} /> : null}
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate">
          {down === undefined
            ? 'reading interfaces…'
            : `nothing read yet: down: ${sanitizeLine(down)}`}
        </Text>
      ) : null}
      {rows.slice(first, first + visible).map((row) => (
        <TableRow key={row.key} columns={columns} row={row} />
      ))}
    </Pane>
  );
}
