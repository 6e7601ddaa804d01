/** The Addresses pane's rows: one line per address, the interface's facts on its first line. */
import type {NetworkInterface, Traffic} from '../../model.js';
import {formatRate, sparkline} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';
import type {Column} from '../table.js';
import type {Row} from '../table-row.js';
import type {Theme} from '../theme.js';

export type AddressColumn =
  'iface' | 'state' | 'address' | 'kind' | 'rx' | 'tx' | 'minute' | 'mtu' | 'speed' | 'mac';

export const sparkWidth = 16;

export const addressColumns: readonly Column<AddressColumn>[] = [
  {key: 'iface', title: 'INTERFACE', width: 10, priority: 0},
  {key: 'state', title: 'STATE', width: 10, priority: 0},
  {key: 'address', title: 'ADDRESS', width: 25, priority: 0, grow: true, maxWidth: 44},
  {key: 'kind', title: 'KIND', width: 10, priority: 0},
  {key: 'rx', title: 'RX', width: 11, priority: 1, align: 'right'},
  {key: 'tx', title: 'TX', width: 11, priority: 1, align: 'right'},
  {key: 'minute', title: 'LAST MINUTE', width: sparkWidth, priority: 2},
  {key: 'mtu', title: 'MTU', width: 5, priority: 3, align: 'right'},
  {key: 'speed', title: 'SPEED', width: 9, priority: 4, align: 'right'},
  {key: 'mac', title: 'MAC', width: 17, priority: 5},
];

export function formatSpeed(mbits: number | null): string {
  if (mbits === null) return '—';
  return mbits >= 1000 ? `${mbits / 1000} Gb/s` : `${mbits} Mb/s`;
}

/** Resamples the recent rates (oldest first) into `width` buckets, keeping each bucket's peak. */
export function minuteBuckets(history: readonly number[], width: number): number[] {
  if (history.length <= width) return [...history];
  const buckets: number[] = [];
  for (let bucket = 0; bucket < width; bucket++) {
    const from = Math.floor((bucket * history.length) / width);
    const to = Math.floor(((bucket + 1) * history.length) / width);
    buckets.push(Math.max(...history.slice(from, Math.max(to, from + 1))));
  }
  return buckets;
}

function combined(traffic: Traffic): number[] {
  const length = Math.min(traffic.rxHistory.length, traffic.txHistory.length);
  const rx = traffic.rxHistory.slice(-length);
  const tx = traffic.txHistory.slice(-length);
  return rx.map((value, index) => value + (tx[index] ?? 0));
}

export function addressRows(
  interfaces: readonly NetworkInterface[],
  traffic: Readonly<Record<string, Traffic>>,
  theme: Theme,
): Row<AddressColumn>[] {
  const rows: Row<AddressColumn>[] = [];
  for (const iface of interfaces) {
    const name = sanitizeLine(iface.name);
    const stats = traffic[iface.name];
    const first: Row<AddressColumn>['cells'] = {
      iface: {text: name, bold: true},
      state: {
        text: (iface.up ? 'up' : 'down') + (iface.defaultRoute ? ' default' : ''),
        color: iface.up ? theme.ok : theme.error,
      },
      rx: {text: formatRate(stats?.rxRate)},
      tx: {text: formatRate(stats?.txRate)},
      minute: {
        text: stats ? sparkline(minuteBuckets(combined(stats), sparkWidth), sparkWidth) : '',
        color: theme.accent,
      },
      mtu: {text: iface.mtu === null ? '—' : String(iface.mtu)},
      speed: {text: formatSpeed(iface.speed)},
      mac: {text: iface.mac ? sanitizeLine(iface.mac) : '—', dim: true},
    };
    if (iface.addresses.length === 0) {
      rows.push({key: iface.name, cells: {...first, address: {text: 'no address', dim: true}}});
      continue;
    }
    iface.addresses.forEach((address, index) => {
      const cells: Row<AddressColumn>['cells'] = {
        address: {text: `${sanitizeLine(address.address)}/${address.prefixLength}`},
        kind: {text: address.kind, color: theme.kind(address.kind)},
      };
      rows.push({
        key: `${iface.name} ${address.address}`,
        cells: index === 0 ? {...first, ...cells} : cells,
      });
    });
  }
  return rows;
}
