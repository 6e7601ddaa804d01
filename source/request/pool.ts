/**
 * Connections kept open between requests, per origin: idle HTTP/1.1 connections wait to be taken
 * again; an HTTP/2 connection carries many requests at once. The engine takes from and gives back
 * to a pool; without one, every exchange opens and closes its own connection.
 */
import type {Socket} from 'node:net';
import type {ClientHttp2Session} from 'node:http2';
import type {ConnectionInfo, TlsInfo} from './types.js';

export type PooledConnection = {
  /** `https://host:port` plus what changes where it goes (--resolve, --connect-to, -4/-6, TLS options). */
  key: string;
  socket: Socket;
  /** Set for an HTTP/2 connection. */
  session?: ClientHttp2Session;
  info: ConnectionInfo;
  tls: TlsInfo | undefined;
  /** Requests in flight on it (at most one for HTTP/1.1). */
  active: number;
};

export type ConnectionPool = {
  /** An idle HTTP/1.1 connection or a live HTTP/2 one for this key, marked taken. */
  take(key: string): PooledConnection | undefined;
  /** A new connection, taken by the exchange that opened it. */
  add(connection: PooledConnection): void;
  /** Back from an exchange; closed instead when it cannot carry another request. */
  release(connection: PooledConnection, reusable: boolean): void;
  /** The connections open now, for views that mark them. */
  open(): ConnectionInfo[];
  /** Called when a connection opens or closes. */
  subscribe(listener: () => void): () => void;
  /** Closes every connection. */
  close(): void;
};

/** How long an idle connection is kept before it is closed (curl keeps them for the command's life). */
const idleMs = 60_000;
/** Idle HTTP/1.1 connections kept per key. */
const idlePerKey = 6;

type Entry = PooledConnection & {idleTimer?: NodeJS.Timeout};

export function createConnectionPool(): ConnectionPool {
  const entries = new Set<Entry>();
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A failing view must not break the pool.
      }
    }
  };
  const alive = (entry: Entry) =>
    !entry.socket.destroyed &&
    (entry.session === undefined || (!entry.session.closed && !entry.session.destroyed));
  const remove = (entry: Entry) => {
    if (!entries.delete(entry)) return;
    clearTimeout(entry.idleTimer);
    entry.session?.destroy();
    entry.socket.destroy();
    changed();
  };
  const idle = (entry: Entry) => {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => remove(entry), idleMs);
    entry.idleTimer.unref();
    // An idle connection does not keep the process alive.
    entry.socket.unref();
  };
  const watch = (entry: Entry) => {
    const gone = () => remove(entry);
    entry.socket.once('close', gone);
    entry.session?.once('close', gone);
    entry.session?.once('goaway', gone);
    // Errors on an idle connection (a server closing it) end it; nobody else listens then.
    entry.socket.on('error', () => undefined);
    entry.session?.on('error', () => undefined);
  };

  return {
    take(key) {
      for (const entry of entries) {
        if (entry.key !== key) continue;
        if (!alive(entry)) {
          remove(entry);
          continue;
        }
        if (entry.session === undefined && entry.active > 0) continue;
        clearTimeout(entry.idleTimer);
        entry.socket.ref();
        entry.active += 1;
        entry.info = {...entry.info, reused: true, requests: entry.info.requests + 1};
        return entry;
      }
      return undefined;
    },
    add(connection) {
      const entry = connection as Entry;
      entry.active = Math.max(1, entry.active);
      entries.add(entry);
      watch(entry);
      changed();
    },
    release(connection, reusable) {
      const entry = connection as Entry;
      entry.active = Math.max(0, entry.active - 1);
      // An HTTP/2 connection that cannot take more streams closes once its last one is over.
      if (!alive(entry) || (!reusable && (entry.session === undefined || entry.active === 0))) {
        remove(entry);
        return;
      }
      if (entry.active > 0 || !reusable) return;
      const idleOfKey = [...entries].filter(
        (each) => each.key === entry.key && each.active === 0 && each !== entry,
      );
      if (idleOfKey.length >= idlePerKey) {
        remove(entry);
        return;
      }
      idle(entry);
    },
    open() {
      return [...entries].filter(alive).map((entry) => entry.info);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const entry of [...entries]) remove(entry);
    },
  };
}
