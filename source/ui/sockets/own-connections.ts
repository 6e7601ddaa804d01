/**
 * Which sockets are porthole's own: the Request pane's connections, open or closed a moment ago
 * (their TIME-WAIT). A socket is one of them when its local port and its peer match one.
 */
import type {Socket} from '../../model.js';
import type {OwnConnection} from '../../store/store.js';
import {parseAddress} from '../../net/classify.js';

/** Marks such a socket in the table's mark column… */
export const ownMark = '*';
/** …and names it in the process column: the word is what reads without colour. */
export const ownWord = 'porthole';

/** What each mark of the table says, for the help. */
export const socketMarks: ReadonlyArray<[mark: string, meaning: string]> = [
  ['+', 'appeared a moment ago'],
  ['-', 'listener closed a moment ago'],
  [ownMark, `${ownWord}'s own: a Request pane connection`],
];

/**
 * An address as one spelling: Node says `::ffff:127.0.0.1` where /proc says `127.0.0.1` for a
 * dual-stack socket, and two IPv6 spellings of one address are one address.
 */
export function plainAddress(address: string): string {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const parsed = parseAddress(bare);
  if (!parsed) return bare.toLowerCase();
  if (parsed.kind === 'ipv6' && parsed.value.isIPv4MappedAddress())
    return parsed.value.toIPv4Address().toString();
  return parsed.value.toString();
}

export type OwnSockets = {
  /** True when the socket is one of porthole's own connections. */
  has(socket: Socket): boolean;
  size: number;
};

const portsKey = (localPort: number, remotePort: number) => `${localPort} ${remotePort}`;

/** A lookup built once per change of the list, asked once per row drawn. */
export function ownSockets(connections: readonly OwnConnection[]): OwnSockets {
  const byPorts = new Map<string, Set<string>>();
  // A number looked up first: most of a busy host's sockets are turned away without a string.
  const localPorts = new Set(connections.map((connection) => connection.localPort));
  for (const connection of connections) {
    const key = portsKey(connection.localPort, connection.remotePort);
    const addresses = byPorts.get(key) ?? new Set<string>();
    addresses.add(plainAddress(connection.remoteAddress));
    byPorts.set(key, addresses);
  }
  return {
    size: connections.length,
    has(socket) {
      if (socket.protocol !== 'tcp' || !localPorts.has(socket.localPort)) return false;
      // Ports first: the address is parsed only for the few sockets whose ports match.
      const addresses = byPorts.get(portsKey(socket.localPort, socket.peerPort));
      return addresses !== undefined && addresses.has(plainAddress(socket.peerAddress));
    },
  };
}

/** How many of these sockets are porthole's own, for the pane's summary. */
export function countOwn(sockets: readonly Socket[], own: OwnSockets): number {
  if (own.size === 0) return 0;
  let count = 0;
  for (const socket of sockets) if (own.has(socket)) count++;
  return count;
}
