/**
 * The HTTP/1.x adapter: writes the request head (and body) built by http1-request.ts and reads
 * the response with the lenient reader of http1-response.ts. It is made before the clock starts
 * and attached to the socket as soon as the socket exists, so that the send phase is the write
 * alone.
 */
import type {Socket} from 'node:net';
import type {Adapter, AdapterRequest, AdapterSink} from './adapter.js';
import {describeError, maxResponseHeaderBytes, RequestFailure} from './errors.js';
import {ResponseFailure, ResponseReader, textOfBytes} from './http1-response.js';

/** curl's --expect100-timeout default. */
const continueTimeoutMs = 1000;
/** A body up to this size goes out in the same write as the head. */
const oneWriteBytes = 64 * 1024;

export type Http1Exchange = Adapter & {
  /** Listens to the socket; nothing it does counts until send(). */
  attach(socket: Socket): void;
  /**
   * After a 101 to a request that asked to upgrade: the bytes read past its head. The socket is
   * then paused and no longer listened to, for the new protocol to take.
   */
  switched(): Buffer | undefined;
};

export function http1Exchange(exchange: AdapterRequest, sink: AdapterSink): Http1Exchange {
  const {hop, request, holdBody, where} = exchange;
  const {marks} = sink;
  let connection: Socket | undefined;
  let bodySent = !holdBody;
  let headWritten: number | undefined;
  let early: number | undefined;
  let ready = false;
  let finished = false;
  let over = false;
  let closeAsked = request.lines.some((line) => /^connection:\s*close\s*$/i.test(line));
  let continueTimer: NodeJS.Timeout | undefined;
  let handedOver: Buffer | undefined;

  const fail = (failure: RequestFailure) => {
    if (over) return;
    clearTimeout(continueTimer);
    sink.fail(failure);
  };
  const sendBody = () => {
    if (bodySent) return;
    bodySent = true;
    clearTimeout(continueTimer);
    connection?.write(request.body ?? Buffer.alloc(0), () => {
      marks.sent = performance.now();
    });
  };
  const reader = new ResponseReader(
    {method: hop.method, maxHeaderBytes: maxResponseHeaderBytes, where},
    {
      head(received, informational) {
        sink.emit({type: 'response-head', head: received, informational});
        if (informational) {
          if (received.status === 100) sendBody();
          return;
        }
        if (!bodySent) {
          // As curl: a final answer instead of 100 Continue means the body is not sent.
          bodySent = true;
          clearTimeout(continueTimer);
          marks.sent ??= headWritten;
          closeAsked = true;
          sink.emit({type: 'body-not-sent'});
        }
        if (
          received.httpVersion === '1.0' ||
          received.headers.some(
            ([name, value]) => name.toLowerCase() === 'connection' && /\bclose\b/i.test(value),
          )
        ) {
          closeAsked = true;
        }
        marks.firstByte ??= early;
        sink.head(received);
      },
      body(chunk) {
        if (!sink.body(chunk)) connection?.pause();
      },
      trailer(line) {
        sink.emit({type: 'trailer', line});
      },
      warning(text) {
        sink.emit({type: 'warning', text});
      },
      end() {
        marks.end ??= performance.now();
        sink.end();
      },
    },
  );

  const finish = () => {
    if (!ready || finished || over) return;
    finished = true;
    try {
      reader.finish();
    } catch (error) {
      fail(asFailure(error));
    }
  };
  const onData = (chunk: Buffer) => {
    // The first byte after the request was all written; one that came before (a 100 Continue)
    // counts only if nothing comes after.
    if (marks.sent === undefined) early ??= performance.now();
    else marks.firstByte ??= performance.now();
    if (over) return;
    try {
      reader.feed(chunk);
      if (exchange.upgrade === true && reader.switched && connection !== undefined) {
        // What comes next is the new protocol's: it stays in the socket for whoever takes it.
        connection.pause();
        handedOver = Buffer.concat(reader.after);
        detach(connection);
      }
    } catch (error) {
      if (
        error instanceof ResponseFailure &&
        error.failure.code === 'protocol' &&
        error.received.length > 0
      ) {
        sink.emit({type: 'garbage', text: textOfBytes(error.received).replace(/\n$/, '')});
      }
      fail(asFailure(error));
    }
  };
  const onError = (error: Error) => {
    if (!ready || finished || over) return;
    finished = true;
    if (reader.headRead && !reader.done && reader.expected !== undefined) {
      sink.emit({type: 'warning', text: reader.shortWarning()});
    }
    const described = describeError(error, {
      host: hop.url.hostname,
      where,
      phase: reader.headRead ? 'body' : 'waiting',
      received: reader.received,
      expected: reader.expected,
    });
    fail(new RequestFailure(described.code, described.message));
  };
  const detach = (socket: Socket) => {
    socket.off('data', onData);
    socket.off('end', finish);
    socket.off('close', finish);
    socket.off('error', onError);
  };
  const written = () => {
    marks.sent = performance.now();
  };
  // A small body goes out in the same write as the head; a held-back one waits for 100 Continue.
  const {head: headBytes, body} = request;
  const together = !holdBody && body !== undefined && body.length <= oneWriteBytes;
  const firstWrite = together ? Buffer.concat([headBytes, body]) : headBytes;
  const secondWrite = together || holdBody ? undefined : body;

  return {
    get received() {
      return reader.received;
    },
    get expected() {
      return reader.expected;
    },
    attach(socket) {
      connection = socket;
      socket.on('data', onData);
      socket.once('end', finish);
      socket.once('close', finish);
      socket.on('error', onError);
    },
    send() {
      const socket = connection;
      if (socket === undefined) return;
      ready = true;
      if (holdBody) {
        socket.write(firstWrite, () => {
          headWritten = performance.now();
        });
      } else if (secondWrite === undefined) {
        socket.write(firstWrite, written);
      } else {
        socket.write(firstWrite);
        socket.write(secondWrite, written);
      }
      // Told after the write, so that telling it costs the send phase nothing.
      sink.emit({
        type: 'request-head',
        protocol: `http/${hop.own.httpVersion}`,
        lines: request.lines,
      });
      if (body !== undefined && !holdBody) sink.emit({type: 'request-body', bytes: body.length});
      if (holdBody) {
        continueTimer = setTimeout(() => {
          if (bodySent) return;
          sink.emit({type: 'continue-timeout'});
          sendBody();
        }, continueTimeoutMs);
      }
    },
    resume() {
      connection?.resume();
    },
    afterBody() {
      const excess = reader.excessWarning();
      return excess === undefined ? [] : [excess];
    },
    reusable() {
      return !closeAsked && !finished && reader.reusable && connection?.destroyed === false;
    },
    abandon() {
      over = true;
      clearTimeout(continueTimer);
      if (connection !== undefined) detach(connection);
    },
    switched() {
      return handedOver;
    },
  };
}

function asFailure(error: unknown): RequestFailure {
  if (error instanceof RequestFailure) return error;
  return new RequestFailure('protocol', error instanceof Error ? error.message : String(error));
}
