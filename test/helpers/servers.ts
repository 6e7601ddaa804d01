/**
 * Real servers on 127.0.0.1, port 0, for tests: HTTP, HTTPS and raw TCP (for answers no HTTP
 * server would give). close() ends every connection still open, so a test never waits on one.
 */
import http, {type RequestListener} from 'node:http';
import https from 'node:https';
import net, {type Socket} from 'node:net';
import type {TestCertificate} from './tls.js';

export type Loopback<S> = {
  server: S;
  port: number;
  /** `http://127.0.0.1:PORT` (or https). */
  origin: string;
  close(): Promise<void>;
};

/** Listens on a free loopback port; close() ends every connection still open first. */
export async function listen<S extends net.Server>(
  server: S,
  scheme: string,
): Promise<Loopback<S>> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    // A client that gives up (a reset, a refused header block) is part of what tests provoke.
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  server.on('secureConnection', track);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    server,
    port: address.port,
    origin: `${scheme}://127.0.0.1:${address.port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function httpServer(handler: RequestListener): Promise<Loopback<http.Server>> {
  return listen(http.createServer(handler), 'http');
}

export function httpsServer(
  certificate: TestCertificate,
  handler: RequestListener,
): Promise<Loopback<https.Server>> {
  return listen(
    https.createServer({key: certificate.key, cert: certificate.cert}, handler),
    'https',
  );
}

/** A TCP server that hands each connection to onConnection and writes nothing by itself. */
export function rawServer(onConnection: (socket: Socket) => void): Promise<Loopback<net.Server>> {
  return listen(net.createServer(onConnection), 'http');
}

/** A port on 127.0.0.1 that was free a moment ago and has no listener now. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Reads the request head a raw server receives, up to the blank line. */
export function readRequestHead(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.off('data', onData);
        resolve(received.slice(0, end + 4));
      }
    };
    socket.on('data', onData);
  });
}
