/** The snapshot as plain aligned tables, like `ip -br addr` and `ss -l`, for pipes and files. */
import stringWidth from 'string-width';
import type {Snapshot} from '../snapshot.js';
import {sanitizeLine} from '../sanitize.js';
import {serviceName} from '../net/services.js';
import {isListener} from '../collect/sockets/changes.js';
import {formatBytes} from '../format.js';
import {
  exposureLabel,
  localEndpoint,
  ownerLabel,
  peerEndpoint,
} from '../ui/sockets/sockets-view.js';
import {reachWords} from '../net/reach.js';
import {formatSpeed} from '../ui/addresses/addresses-view.js';

/** Columns padded to their widest cell; the last column is not padded. */
export function alignTable(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, stringWidth(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) =>
        index === row.length - 1
          ? cell
          : cell + ' '.repeat((widths[index] ?? 0) - stringWidth(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** The same words as the dashboard's footer. */
export const ownersHiddenLine = 'some owners hidden: run as root to see all (as ss -p)';

export function plainSnapshot(
  snap: Snapshot,
  options: {all: boolean; ownersHidden?: boolean},
): string {
  const addressRows = [
    ['INTERFACE', 'STATE', 'ADDRESS', 'KIND', 'MTU', 'SPEED', 'MAC', 'RX', 'TX'],
  ];
  for (const iface of snap.interfaces) {
    const facts = [
      sanitizeLine(iface.name),
      (iface.up ? 'up' : 'down') + (iface.defaultRoute ? ' default' : ''),
    ];
    const tail = [
      iface.mtu === null ? '-' : String(iface.mtu),
      formatSpeed(iface.speed),
      iface.mac ? sanitizeLine(iface.mac) : '-',
      iface.rx === null ? '-' : formatBytes(iface.rx),
      iface.tx === null ? '-' : formatBytes(iface.tx),
    ];
    if (iface.addresses.length === 0) addressRows.push([...facts, '-', '-', ...tail]);
    iface.addresses.forEach((address, index) => {
      const cells = [`${sanitizeLine(address.address)}/${address.prefixLength}`, address.kind];
      addressRows.push(index === 0 ? [...facts, ...cells, ...tail] : ['', '', ...cells]);
    });
  }
  const sockets = snap.sockets
    .filter((socket) => options.all || isListener(socket))
    .sort((a, b) => a.localPort - b.localPort || a.protocol.localeCompare(b.protocol));
  const socketRows = [
    [
      'PROTO',
      'STATE',
      'RECV-Q',
      'SEND-Q',
      'LOCAL ADDRESS:PORT',
      'PEER ADDRESS:PORT',
      'SERVICE',
      'REACH',
      'PROCESS',
    ],
  ];
  for (const socket of sockets) {
    socketRows.push([
      `${socket.protocol}${socket.family === 6 ? '6' : ''}`,
      socket.state,
      String(socket.recvQ),
      String(socket.sendQ),
      localEndpoint(socket),
      peerEndpoint(socket),
      serviceName(socket.localPort, socket.protocol) ?? '-',
      socket.reach && socket.reachAddresses
        ? sanitizeLine(
            reachWords({reach: socket.reach, addresses: socket.reachAddresses}) +
              (socket.firewall?.state === 'filtered' ? ' · filtered' : ''),
          )
        : exposureLabel(socket, snap.interfaces),
      ownerLabel(socket),
    ]);
  }
  const title = `porthole snapshot of ${sanitizeLine(snap.host)} at ${snap.takenAt} (sockets via ${snap.source})`;
  const which = options.all ? 'all sockets' : 'listening sockets (--all for every state)';
  return [
    title,
    '',
    ...alignTable(addressRows),
    '',
    `${which}:`,
    ...alignTable(socketRows),
    ...(options.ownersHidden ? [ownersHiddenLine] : []),
    '',
  ].join('\n');
}
