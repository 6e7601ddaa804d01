/** A store with several hosts, made as the fleet makes them: addHosts, then each feed's patches. */
import {addHosts, applyHostPatch, type PortholeStore} from '../../source/store/store.js';
import {emptyHost, localHostId, type HostPatch} from '../../source/fleet/types.js';
import {baselineTime, socketKey} from '../../source/collect/sockets/changes.js';
import type {Socket, SocketEvent} from '../../source/model.js';
import {socket} from './render-app.js';

/** A host's sockets and what its tracker made of them: `fresh` ones appeared at `at`. */
export function withChanges(sockets: Socket[], fresh: Socket[], at: number): HostPatch {
  const all = [...sockets, ...fresh];
  const events: SocketEvent[] = fresh.map((entry) => ({at, change: 'opened', socket: entry}));
  return {
    sockets: all,
    socketChanges: {
      listing: {
        sockets: all,
        keys: all.map((entry) => socketKey(entry)),
        seen: all.map((entry) => (fresh.includes(entry) ? at : baselineTime)),
      },
      closed: [],
      events,
      newlyExposed: events.at(-1),
      highlightMs: 4000,
      at,
      nextExpiry: Number.POSITIVE_INFINITY,
    },
  };
}

export const webSockets = {
  postgres: socket({localPort: 5432, process: 'postgres', pid: 900, inode: 90}),
  redis: socket({
    localAddress: '127.0.0.1',
    localPort: 6379,
    process: 'redis-server',
    pid: 901,
    exposure: 'loopback',
    inode: 91,
  }),
  metrics: socket({localPort: 9100, process: 'node_exporter', pid: 902, inode: 92}),
};

function established(count: number, localPort: number, first: number): Socket[] {
  return Array.from({length: count}, (_, index) =>
    socket({
      state: 'ESTAB',
      localAddress: '198.18.0.2',
      localPort,
      peerAddress: '198.18.0.1',
      peerPort: 40000 + first + index,
      sendQ: 0,
      exposure: 'address',
      inode: 1000 + first + index,
    }),
  );
}

/**
 * Adds `web-1` (up, 12.3 ms, postgres on all interfaces, one listener new since launch), `db-2`
 * (down: connection refused, its last reading kept from 42 s ago) and, if asked, `cache-3` (up,
 * nothing listening) and a host whose name carries escape sequences.
 */
export function addFleet(
  store: PortholeStore,
  options: {now?: number; more?: boolean; evilName?: string} = {},
): void {
  const now = options.now ?? Date.now();
  applyHostPatch(store, localHostId, {
    status: {...store.getState().hosts[localHostId]!.status, state: 'up', polledAt: now},
  });
  const hosts = [
    emptyHost('web-1', 'web-1', false, 'ssh-shell', now),
    emptyHost('db-2', 'db-2', false, 'ssh-shell', now),
  ];
  if (options.more) hosts.push(emptyHost('cache-3', 'cache-3', false, 'ssh-shell', now));
  // A host is shown as it was given: a target (from a hosts file, say) with escape sequences.
  if (options.evilName !== undefined)
    hosts.push(emptyHost('evil', options.evilName, false, 'ssh-shell', now));
  addHosts(store, hosts);
  const up = (id: string, rttMs: number, polledAt: number) => ({
    ...store.getState().hosts[id]!.status,
    state: 'up' as const,
    rttMs,
    polledAt,
    owners: 'root' as const,
  });
  applyHostPatch(store, 'web-1', {
    name: 'web-1',
    status: up('web-1', 12.3, now),
    ...withChanges(
      [
        webSockets.postgres,
        webSockets.redis,
        ...established(12, 5432, 0),
        ...established(3, 6379, 100).map((entry) => ({...entry, state: 'TIME-WAIT' as const})),
      ],
      [webSockets.metrics],
      now - 1000,
    ),
  });
  applyHostPatch(store, 'db-2', {
    name: 'db-2',
    status: {
      ...up('db-2', 30, now - 42_000),
      state: 'down',
      error: 'connection refused',
      since: now - 30_000,
    },
    sockets: [socket({localPort: 5432, process: 'postgres', pid: 500, inode: 50})],
  });
  if (options.more) {
    applyHostPatch(store, 'cache-3', {name: 'cache-3', status: up('cache-3', 0.8, now)});
  }
  if (options.evilName !== undefined) {
    applyHostPatch(store, 'evil', {name: 'evil', status: up('evil', 1, now)});
  }
}
