/** One reading of everything, as `porthole --json` prints it and the library returns it. */
import os from 'node:os';
import {createInterfacesReader, defaultRoots} from './collect/interfaces.js';
import {readCounters} from './collect/traffic.js';
import {createSocketsReader} from './collect/sockets/index.js';
import type {
  Container,
  FirewallReading,
  FirewallVerdict,
  InterfaceAddress,
  NetworkInterface,
  PublishedPort,
  Reach,
  ReachAddress,
  Socket,
  SocketSource,
} from './model.js';
import {isListener} from './collect/sockets/changes.js';
import {reachOf} from './net/reach.js';
import {judgePort, readFirewall} from './collect/firewall.js';

export type SnapshotOptions = {
  /** Where /proc is (default /proc): a host's /proc mounted in a container, or a test fixture. */
  procRoot?: string;
  sysRoot?: string;
  /** Default auto: /proc on Linux, systeminformation elsewhere. */
  source?: 'auto' | 'proc' | 'systeminformation';
};

export type SnapshotInterface = Omit<NetworkInterface, 'addresses'> & {
  /** Bytes received and sent since the interface came up; null where unknown. */
  rx: number | null;
  tx: number | null;
  addresses: InterfaceAddress[];
};

export type SnapshotSocket = Omit<Socket, 'inode' | 'dualStack' | 'container' | 'published'> & {
  /** A `::` listener: true takes IPv4 too (`*:PORT`), false IPv6 only; null elsewhere or unknown. */
  dualStack: boolean | null;
  /** Listeners: who can reach it (see the README's Sockets section); null for other sockets. */
  reach: Reach | null;
  /** Listeners: every address it answers on, with interface and kind; null for other sockets. */
  reachAddresses: ReachAddress[] | null;
  container: Container | null;
  published: PublishedPort | null;
  /**
   * Listeners other hosts can reach: what the packet filter does with a connection from one;
   * null for other sockets and for listeners this host alone reaches.
   */
  firewall: FirewallVerdict | null;
};

export type Snapshot = {
  host: string;
  /** ISO 8601 time of the reading. */
  takenAt: string;
  /** Where the socket rows came from. */
  source: SocketSource;
  interfaces: SnapshotInterface[];
  sockets: SnapshotSocket[];
};

/** Reads interfaces, their counters and every socket (all states) once. */
export async function snapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  return (await readSnapshot(options)).snapshot;
}

/**
 * The snapshot and what the reading says about itself beyond the documented shape: whether some
 * sockets' owners could not be seen (without root), as the dashboard's footer says.
 */
export async function readSnapshot(
  options: SnapshotOptions = {},
): Promise<{snapshot: Snapshot; ownersHidden: boolean}> {
  const roots = {
    procRoot: options.procRoot ?? defaultRoots.procRoot,
    sysRoot: options.sysRoot ?? defaultRoots.sysRoot,
  };
  const sockets = createSocketsReader({
    procRoot: roots.procRoot,
    source: options.source ?? 'auto',
    owners: 'scan-once',
  });
  const interfacesReader = createInterfacesReader(roots);
  const counters = readCounters(roots.procRoot);
  const [interfaces, traffic, reading, firewall] = await Promise.all([
    interfacesReader.read(),
    counters.catch(() => new Map<string, {rx: number; tx: number}>()),
    sockets.read(),
    readFirewall({procRoot: roots.procRoot}),
  ]);
  const taken: Snapshot = {
    host: os.hostname(),
    takenAt: new Date().toISOString(),
    source: reading.source,
    interfaces: interfaces.map((iface) => {
      const count = traffic.get(iface.name);
      const {addresses, ...facts} = iface;
      return {...facts, rx: count?.rx ?? null, tx: count?.tx ?? null, addresses};
    }),
    sockets: reading.sockets.map((socket) => snapshotSocket(socket, interfaces, firewall)),
  };
  return {snapshot: taken, ownersHidden: reading.ownersHidden};
}

/** Exactly the documented fields, in the documented order: readers may carry more internally. */
export function snapshotSocket(
  socket: Socket,
  interfaces: readonly NetworkInterface[],
  firewall: FirewallReading,
): SnapshotSocket {
  const listening = isListener(socket);
  const reached = listening ? reachOf(socket, interfaces) : undefined;
  return {
    protocol: socket.protocol,
    family: socket.family,
    state: socket.state,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    peerAddress: socket.peerAddress,
    peerPort: socket.peerPort,
    recvQ: socket.recvQ,
    sendQ: socket.sendQ,
    pid: socket.pid,
    process: socket.process,
    exposure: socket.exposure,
    dualStack: socket.dualStack ?? null,
    reach: reached?.reach ?? null,
    reachAddresses: reached?.addresses ?? null,
    container: socket.container
      ? {engine: socket.container.engine, id: socket.container.id, name: socket.container.name}
      : null,
    published: socket.published
      ? {
          containerAddress: socket.published.containerAddress,
          containerPort: socket.published.containerPort,
          container: socket.published.container,
        }
      : null,
    // The filter stands between this host and others: a listener only this host reaches has none.
    firewall: reached && reached.reach !== 'this host' ? judgePort(firewall, socket) : null,
  };
}
