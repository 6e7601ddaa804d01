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
