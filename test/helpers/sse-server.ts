/**
 * A real event-stream and live-body server on 127.0.0.1, port 0, for the stream tests. It records
 * each request's path and Last-Event-ID, so a test can see how a client reconnected.
 *
 * - `/events?n=N&everyMs=M`: `text/event-stream`, events `id: i`, `event: tick`, `data: {"n":i}`
 *   for i after Last-Event-ID (or from 1) up to N, one every M ms, a `: keep-alive` comment between
 *   two events; then the response stays open.
 * - `/drop?n=N`: events 1..N (after Last-Event-ID k: k+1..k+N), then the response ends.
 * - `/retry0`: `retry: 0` and one event (its id the request's number), then the response ends.
 * - `/control`: one event whose data holds terminal control sequences; the response stays open.
 * - `/then-plain?n=N`: the first request gets events 1..N and the end; later ones a text/plain 200.
 * - `/trickle?chunks=N&everyMs=M`: a chunked `text/plain` body, `chunk i\n` every M ms, N chunks
 *   then the end (N=0: it never ends).
 * - `/split`: a chunked `text/plain` body whose multi-byte characters are cut across two writes.
 * - `/plain`: `hello\n`, a normal short `text/plain` answer.
 *
 * Every SSE path also takes `retry=MS` (a `retry:` field first). close() ends every open response.
 */
import http, {type IncomingMessage, type ServerResponse} from 'node:http';
import type {Socket} from 'node:net';

export type SseRequest = {
  /** The path without its query, `/drop`. */
  path: string;
  /** The path as sent, query included. */
  url: string;
  lastEventId: string | undefined;
};

export type SseFixture = {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  requests: SseRequest[];
  close(): Promise<void>;
};

/** The control text `/control` sends in its event's data. */
export const controlText = '\u001b]0;pwned\u0007\u001b[2J';

/** `/split` writes these pieces, one write each: é (c3 a9) and 🙂 (f0 9f 99 82) are cut in two. */
export const splitPieces: readonly Buffer[] = [
  Buffer.from([0x63, 0x61, 0x66, 0xc3]),
  Buffer.from([0xa9, 0x20, 0xf0, 0x9f]),
  Buffer.from([0x99, 0x82, 0x0a]),
];

export async function startSseServer(): Promise<SseFixture> {
  const requests: SseRequest[] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const counts = new Map<string, number>();

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const number = (url: URL, name: string, fallback: number) => {
    const value = Number(url.searchParams.get(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };

  const startEvents = (res: ServerResponse, url: URL) => {
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
    res.flushHeaders();
    const retry = url.searchParams.get('retry');
    if (retry !== null) res.write(`retry: ${retry}\n\n`);
  };

  const event = (id: number) => `id: ${id}\nevent: tick\ndata: {"n":${id}}\n\n`;

  /** Writes events first..last every `everyMs`, a comment between two; then `after`. */
  const writeEvents = (
    res: ServerResponse,
    first: number,
    last: number,
    everyMs: number,
    after: () => void,
  ) => {
    const step = (id: number) => {
      if (res.writableEnded || res.destroyed) return;
      if (id > last) return after();
      res.write(event(id));
      if (id < last) {
        later(everyMs / 2, () => {
          if (!res.writableEnded && !res.destroyed) res.write(': keep-alive\n\n');
        });
      }
      later(id < last ? everyMs : 0, () => step(id + 1));
    };
    step(first);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers['last-event-id'];
    const lastEventId = Array.isArray(header) ? header[0] : header;
    requests.push({path: url.pathname, url: req.url ?? '/', lastEventId});
    const seen = (counts.get(url.pathname) ?? 0) + 1;
    counts.set(url.pathname, seen);
    const after = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : 0;
    open.add(res);
    res.once('close', () => open.delete(res));

    switch (url.pathname) {
      case '/events': {
        startEvents(res, url);
        const n = number(url, 'n', 10);
        writeEvents(res, after + 1, n, number(url, 'everyMs', 50), () => {});
        return;
      }
      case '/drop': {
        startEvents(res, url);
        const n = number(url, 'n', 3);
        writeEvents(res, after + 1, after + n, number(url, 'everyMs', 20), () => res.end());
        return;
      }
      case '/retry0': {
        res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache'});
        res.end(`retry: 0\n\nid: ${seen}\ndata: attempt ${seen}\n\n`);
        return;
      }
      case '/control': {
        startEvents(res, url);
        res.write(`id: 1\ndata: ${controlText}\n\n`);
        return;
      }
      case '/then-plain': {
        if (seen > 1) {
          res.writeHead(200, {'content-type': 'text/plain'});
          res.end('not an event stream\n');
          return;
        }
        startEvents(res, url);
        writeEvents(res, 1, number(url, 'n', 2), 20, () => res.end());
        return;
      }
      case '/trickle': {
        res.writeHead(200, {'content-type': 'text/plain'});
        res.flushHeaders();
        const chunks = number(url, 'chunks', 5);
        const everyMs = number(url, 'everyMs', 50);
        const step = (i: number) => {
          if (res.writableEnded || res.destroyed) return;
          res.write(`chunk ${i}\n`);
          if (chunks > 0 && i >= chunks) return void res.end();
          later(everyMs, () => step(i + 1));
        };
        step(1);
        return;
      }
      case '/split': {
        res.writeHead(200, {'content-type': 'text/plain; charset=utf-8'});
        res.flushHeaders();
        const step = (i: number) => {
          if (res.writableEnded || res.destroyed) return;
          const piece = splitPieces[i];
          if (piece === undefined) return void res.end();
          res.write(piece);
          later(60, () => step(i + 1));
        };
        step(0);
        return;
      }
      case '/plain': {
        res.writeHead(200, {'content-type': 'text/plain', 'content-length': '6'});
        res.end('hello\n');
        return;
      }
      default: {
        res.writeHead(404, {'content-type': 'text/plain'});
        res.end('not found\n');
      }
    }
  };

  const server = http.createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const port = address.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of open) res.end();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
