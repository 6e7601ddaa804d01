/**
 * A real WebSocket server on 127.0.0.1, port 0, for the stream tests (the `ws` library's server,
 * handed upgrades from a plain HTTP server, so some paths can answer without upgrading). It
 * records each handshake's path and headers, and each close frame it received.
 *
 * - `/echo`: echoes every text and binary message as it came.
 * - `/push?n=N&everyMs=M`: sends N text messages `{"n":i}` (i from 1), one every M ms, then stays open.
 * - `/abrupt`: sends the text `bye`, then destroys the TCP socket (no close frame: 1006).
 * - `/close?code=C&reason=R`: sends a close frame with C and R right after the open.
 * - `/big?bytes=B`: sends one text message of B bytes of `x`.
 * - `/protocol`: accepts only the subprotocol `chat.v1` (selects it, then echoes); else HTTP 400.
 * - `/refuse`: `HTTP/1.1 403 Forbidden` with a short text body, no upgrade.
 * - `/http10`: `HTTP/1.0 200 OK` and the body `no upgrade here`, then closes.
 * - `/silent`: reads the request and never answers.
 * - `/badutf8`: a raw text frame whose payload is not UTF-8 (ff fe fd).
 * - `/pingflood?n=N`: N pings (payloads `1`..`N`) quickly, then the text `done`.
 * - `/control`: one text message with terminal control sequences (`controlMessage`).
 * - `/headers`: one text message, the JSON of the handshake's request headers.
 *
 * `startWsServer({tls})` serves the same over TLS (its url then `wss://`). close() closes every
 * connection.
 */
import http, {type IncomingHttpHeaders, type IncomingMessage} from 'node:http';
import https from 'node:https';
import type {Socket} from 'node:net';
import type {Duplex} from 'node:stream';
import {WebSocketServer, type WebSocket} from 'ws';

export type WsHandshake = {path: string; headers: IncomingHttpHeaders};

/** A close frame the server received: its code and reason. */
export type WsCloseSeen = {path: string; code: number; reason: string};

export type WsFixture = {
  /** `ws://127.0.0.1:PORT` (`wss://` with tls), no trailing slash. */
  url: string;
  port: number;
  handshakes: WsHandshake[];
  /** Close frames received from clients, in order (1005 when one carried no code). */
  closes: WsCloseSeen[];
  close(): Promise<void>;
};

export type WsServerOptions = {tls?: {key: string; cert: string}};

/** The text `/control` sends. */
export const controlMessage = '\u001b]0;pwned\u0007\u001b[2Jhello\u001b[31mred';

const statusLines: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
};

/** A plain HTTP answer on a socket that asked to upgrade. */
function answer(socket: Duplex, status: number, body: string, version = '1.1'): void {
  socket.end(
    `HTTP/${version} ${status} ${statusLines[status] ?? 'OK'}\r\n` +
      'Content-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export async function startWsServer(options: WsServerOptions = {}): Promise<WsFixture> {
  const handshakes: WsHandshake[] = [];
  const closes: WsCloseSeen[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const clients = new Set<WebSocket>();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false),
  });

  const number = (url: URL, name: string, fallback: number) => {
    const value = Number(url.searchParams.get(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const echo = (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => ws.send(data, {binary: isBinary}));
  };

  const opened = (ws: WebSocket, url: URL, req: IncomingMessage) => {
    clients.add(ws);
    ws.on('error', () => {});
    ws.once('close', (code, reason) => {
      clients.delete(ws);
      closes.push({path: url.pathname, code, reason: reason.toString()});
    });
    switch (url.pathname) {
      case '/echo':
      case '/protocol':
        return echo(ws);
      case '/push': {
        const n = number(url, 'n', 3);
        const everyMs = number(url, 'everyMs', 20);
        const step = (i: number) => {
          if (i > n || ws.readyState !== ws.OPEN) return;
          ws.send(JSON.stringify({n: i}));
          later(everyMs, () => step(i + 1));
        };
        later(everyMs, () => step(1));
        return;
      }
      case '/abrupt':
        ws.send('bye', () => ws.terminate());
        return;
      case '/close':
        ws.close(number(url, 'code', 1000), url.searchParams.get('reason') ?? '');
        return;
      case '/big':
        ws.send('x'.repeat(number(url, 'bytes', 1024)));
        return;
      case '/badutf8': {
        // An unmasked FIN text frame of 3 bytes, written past the library.
        const socket = (ws as unknown as {_socket: Duplex})._socket;
        socket.write(Buffer.from([0x81, 0x03, 0xff, 0xfe, 0xfd]));
        return;
      }
      case '/pingflood': {
        const n = number(url, 'n', 100);
        for (let i = 1; i <= n; i++) ws.ping(String(i));
        ws.send('done');
        return;
      }
      case '/control':
        ws.send(controlMessage);
        return;
      case '/headers':
        ws.send(JSON.stringify(req.headers));
        return;
    }
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    handshakes.push({path: url.pathname, headers: req.headers});
    socket.on('error', () => {});
    switch (url.pathname) {
      case '/refuse':
        return answer(socket, 403, 'forbidden here\n');
      case '/http10':
        return answer(socket, 200, 'no upgrade here', '1.0');
      case '/silent':
        return;
      case '/protocol': {
        const offered = String(req.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((each) => each.trim());
        if (!offered.includes('chat.v1')) return answer(socket, 400, 'subprotocol chat.v1 only\n');
        break;
      }
      case '/echo':
      case '/push':
      case '/abrupt':
      case '/close':
      case '/big':
      case '/badutf8':
      case '/pingflood':
      case '/control':
      case '/headers':
        break;
      default:
        return answer(socket, 404, 'not found\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => opened(ws, url, req));
  };

  /** The same paths asked without an Upgrade header. */
  const plain = (req: IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    handshakes.push({path: url.pathname, headers: req.headers});
    if (url.pathname === '/silent') return;
    const [status, body] =
      url.pathname === '/refuse'
        ? [403, 'forbidden here\n']
        : url.pathname === '/http10'
          ? [200, 'no upgrade here']
          : [426, 'this is a WebSocket endpoint\n'];
    res.writeHead(status, {
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const server = options.tls
    ? https.createServer({key: options.tls.key, cert: options.tls.cert}, plain)
    : http.createServer(plain);
  server.on('upgrade', upgrade);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  if (options.tls) {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => sockets.delete(socket));
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const port = address.port;

  return {
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    port,
    handshakes,
    closes,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const ws of clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
