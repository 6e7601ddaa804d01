/**
 * Real HTTP/2 servers on 127.0.0.1, port 0: h2c (prior knowledge) and h2 over TLS, each answering
 * by path from a table the test fills. Every request is recorded as it arrived (fields in order,
 * body), and close() ends every connection still open, so a test never waits on one.
 */
import http2, {
  type Http2Server,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
  type ServerStreamResponseOptions,
} from 'node:http2';
import type {Server as NetServer, Socket} from 'node:net';
import {listen} from './servers.js';
import type {TestCertificate} from './tls.js';

/** respond() options that leave out the date field, so heads compare exactly (Node has the option; its types do not). */
export const noDate = {sendDate: false} as ServerStreamResponseOptions;

export type H2Handler = (stream: ServerHttp2Stream, raw: string[]) => void;

export type ReceivedRequest = {
  /** `[':method', 'GET', ':path', '/', …]` as they came. */
  raw: string[];
  body: Buffer;
};

export type H2Loopback<S> = {
  server: S;
  port: number;
  origin: string;
  /** Requests in the order they began; the body is filled in as it arrives. */
  received: ReceivedRequest[];
  route(path: string, handler: H2Handler): void;
  /** Destroys the TCP connection under the stream's session, without a GOAWAY. */
  dropConnection(stream: ServerHttp2Stream): void;
  close(): Promise<void>;
};

async function h2Listen<S extends Http2Server | Http2SecureServer>(
  server: S,
  scheme: string,
): Promise<H2Loopback<S>> {
  const sockets = new Set<Socket>();
  const routes = new Map<string, H2Handler>();
  const received: ReceivedRequest[] = [];
  // The raw TCP sockets, for dropConnection (listen() tracks them for close()).
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => session.on('error', () => undefined));
  server.on(
    'stream',
    (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, raw: string[]) => {
      // A client that resets a stream is part of what tests provoke.
      stream.on('error', () => undefined);
      const request: ReceivedRequest = {raw, body: Buffer.alloc(0)};
      received.push(request);
      stream.on('data', (chunk: Buffer) => {
        request.body = Buffer.concat([request.body, chunk]);
      });
      const path = String(headers[':path'] ?? '').replace(/\?.*$/, '');
      const handler = routes.get(path);
      if (handler !== undefined) {
        handler(stream, raw);
        return;
      }
      stream.respond({':status': 404}, {endStream: true});
    },
  );
  // Node's http2 servers are net servers whose types say otherwise about listen().
  const loopback = await listen(server as unknown as NetServer, scheme);
  return {
    ...loopback,
    server,
    received,
    route(path, handler) {
      routes.set(path, handler);
    },
    dropConnection(stream) {
      // Node forbids destroying a session's socket through the session; this is the raw one.
      const port = stream.session?.socket.remotePort;
      for (const socket of sockets) if (socket.remotePort === port) socket.destroy();
    },
  };
}

/** HTTP/2 over plain TCP, for prior knowledge (curl --http2-prior-knowledge). */
export function h2cServer(): Promise<H2Loopback<Http2Server>> {
  return h2Listen(http2.createServer(), 'http');
}

/** HTTP/2 over TLS; `alpn` names the protocols it agrees to ('h2' by default). */
export function h2Server(
  certificate: TestCertificate,
  options: {allowHTTP1?: boolean} = {},
): Promise<H2Loopback<Http2SecureServer>> {
  return h2Listen(
    http2.createSecureServer({
      key: certificate.key,
      cert: certificate.cert,
      allowHTTP1: options.allowHTTP1 === true,
    }),
    'https',
  );
}

/** Reads the whole request body a handler was given, then calls back. */
export function afterBody(stream: ServerHttp2Stream, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => then(Buffer.concat(chunks)));
}
