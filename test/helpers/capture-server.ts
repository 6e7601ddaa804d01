/**
 * A raw server that keeps the exact bytes of each request it receives, for comparing what two
 * clients put on the wire. It answers any Host, on 127.0.0.1 (port 0) or on a Unix socket path:
 * the head, then the body by Content-Length or chunked framing (trailers included), then
 * `HTTP/1.1 200 OK` with a small body, and closes. A request with `Expect: 100-continue` gets
 * `100 Continue` first, and the capture says so. A request that stops short (no framing, an early
 * close) is kept as far as it came once the client closes or `idleMs` passes without a byte.
 */
import net, {type Socket} from 'node:net';

export type CapturedRequest = {
  /** Every byte received on the connection, head and body, as received. */
  bytes: Buffer;
  /** The head, up to and including the blank line, read as latin1 (one character per byte). */
  head: string;
  /** The body bytes as framed on the wire (chunk sizes included when chunked). */
  body: Buffer;
  /** The request asked for `Expect: 100-continue` and was answered `100 Continue`. */
  continued: boolean;
  /** False when the client closed or went quiet before the framing said the request was whole. */
  complete: boolean;
};

export type CaptureServer = {
  /** The TCP port on 127.0.0.1, or 0 for a Unix socket server. */
  port: number;
  /** The Unix socket path, when listening on one. */
  socketPath: string | undefined;
  /** Every request captured so far, in the order they ended. */
  requests: CapturedRequest[];
  /**
   * The next request to end after the ones already taken, or undefined when none ends within
   * `timeoutMs` (a client that sent nothing).
   */
  take(timeoutMs?: number): Promise<CapturedRequest | undefined>;
  close(): Promise<void>;
};

export type CaptureOptions = {
  /** Listen on this Unix socket path instead of 127.0.0.1. */
  socketPath?: string;
  /** A request with no byte for this long is kept as it is. Default 1500 ms. */
  idleMs?: number;
};

const responseBody = 'captured\n';

/** Where the body ends in `data` (which starts at the body), or -1 while more is needed. */
function chunkedEnd(data: Buffer): number {
  let at = 0;
  // Each chunk: size line, data, CRLF; the zero chunk is followed by trailers and a blank line.
  for (let guard = 0; guard < 100_000; guard++) {
    const lineEnd = data.indexOf('\r\n', at, 'latin1');
    if (lineEnd === -1) return -1;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd).split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return data.length;
    if (size === 0) {
      // With no trailers the blank line is the size line's own CRLF and the next one.
      const end = data.indexOf('\r\n\r\n', lineEnd, 'latin1');
      return end === -1 ? -1 : end + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > data.length) return -1;
  }
  return data.length;
}

function headerValue(head: string, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

export async function captureServer(options: CaptureOptions = {}): Promise<CaptureServer> {
  const idleMs = options.idleMs ?? 1500;
  const requests: CapturedRequest[] = [];
  const waiters: Array<(request: CapturedRequest) => void> = [];
  let taken = 0;
  const sockets = new Set<Socket>();

  const record = (request: CapturedRequest) => {
    requests.push(request);
    const waiter = waiters.shift();
    if (waiter) {
      taken++;
      waiter(request);
    }
  };

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    let headEnd = -1;
    let continued = false;
    let done = false;
    let idle: NodeJS.Timeout | undefined;

    const finish = (complete: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      const headLength = headEnd === -1 ? received.length : headEnd;
      const head = received.toString('latin1', 0, headLength);
      record({
        bytes: received,
        head,
        body: received.subarray(headLength),
        continued,
        complete,
      });
      if (!socket.destroyed) {
        const isHead = head.startsWith('HEAD ');
        socket.end(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n' +
            `Content-Length: ${responseBody.length}\r\nConnection: close\r\n\r\n` +
            (isHead ? '' : responseBody),
        );
      }
    };

    const check = () => {
      if (headEnd === -1) {
        const end = received.indexOf('\r\n\r\n', 0, 'latin1');
        if (end === -1) return;
        headEnd = end + 4;
        const head = received.toString('latin1', 0, headEnd);
        if (headerValue(head, 'expect')?.toLowerCase() === '100-continue') {
          continued = true;
          socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        }
      }
      const head = received.toString('latin1', 0, headEnd);
      const body = received.subarray(headEnd);
      if (/chunked\s*$/i.test(headerValue(head, 'transfer-encoding') ?? '')) {
        const end = chunkedEnd(body);
        if (end !== -1) {
          received = received.subarray(0, headEnd + end);
          finish(true);
        }
        return;
      }
      const length = Number(headerValue(head, 'content-length') ?? '0');
      if (Number.isSafeInteger(length) && body.length >= length) {
        received = received.subarray(0, headEnd + length);
        finish(true);
      }
    };

    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(false), idleMs);
    };
    arm();
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      received = Buffer.concat([received, chunk]);
      arm();
      check();
    });
    socket.once('end', () => finish(false));
    socket.once('close', () => {
      sockets.delete(socket);
      finish(false);
    });
  };

  const server = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.socketPath === undefined) server.listen(0, '127.0.0.1', () => resolve());
    else server.listen(options.socketPath, () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;

  return {
    port,
    socketPath: options.socketPath,
    requests,
    take(timeoutMs = 5000) {
      if (taken < requests.length) return Promise.resolve(requests[taken++]);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index !== -1) waiters.splice(index, 1);
          resolve(undefined);
        }, timeoutMs);
        const waiter = (request: CapturedRequest) => {
          clearTimeout(timer);
          resolve(request);
        };
        waiters.push(waiter);
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
