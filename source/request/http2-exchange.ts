/**
 * HTTP/2 behind the adapter seam: one request is one stream of a session that runs over a
 * connection already up (TLS where ALPN picked h2, or plain TCP for h2c prior knowledge). The
 * request's fields come from the HTTP/1.x head built for it, turned into HTTP/2's as curl 7.88
 * turns them; the transcript lines are the ones curl -v shows for HTTP/2.
 */
import http2, {type ClientHttp2Session, type ClientHttp2Stream} from 'node:http2';
import type {OutgoingHttpHeaders} from 'node:http';
import type {Socket} from 'node:net';
import {formatBytes} from '../format.js';
import type {Adapter, AdapterRequest, AdapterSink} from './adapter.js';
import {maxResponseHeaderBytes, receivedSoFar, RequestFailure} from './errors.js';
import type {ReadHead} from './events.js';
import type {HeaderList, RequestErrorCode} from './types.js';

const {constants} = http2;

/** HPACK counts 32 octets per field besides its name and value, so this many fit in the limit. */
const maxHeaderFields = maxResponseHeaderBytes / 32;

/** As curl -T and curl -d with Expect: the body waits this long for 100 Continue. */
const continueTimeoutMs = 1000;

/** Connection-specific fields, which HTTP/2 forbids (RFC 9113 §8.2.2); curl drops them too. */
const connectionFields = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** RFC 9113 §7 error codes, by the names nghttp2 (and curl) give them. */
const errorNames = [
  'NGHTTP2_NO_ERROR',
  'NGHTTP2_PROTOCOL_ERROR',
  'NGHTTP2_INTERNAL_ERROR',
  'NGHTTP2_FLOW_CONTROL_ERROR',
  'NGHTTP2_SETTINGS_TIMEOUT',
  'NGHTTP2_STREAM_CLOSED',
  'NGHTTP2_FRAME_SIZE_ERROR',
  'NGHTTP2_REFUSED_STREAM',
  'NGHTTP2_CANCEL',
  'NGHTTP2_COMPRESSION_ERROR',
  'NGHTTP2_CONNECT_ERROR',
  'NGHTTP2_ENHANCE_YOUR_CALM',
  'NGHTTP2_INADEQUATE_SECURITY',
  'NGHTTP2_HTTP_1_1_REQUIRED',
];

/** `NGHTTP2_INTERNAL_ERROR` for 2; an unknown code as a number. */
export function http2ErrorName(code: number): string {
  return errorNames[code] ?? `error code ${code}`;
}

/** What a session knows beyond Node's object, kept with the session (never shared between two). */
type SessionState = {
  /** Streams in flight: while there are any the session holds the process open. */
  active: number;
  /** The peer's SETTINGS arrived: it speaks HTTP/2. */
  settings: boolean;
  goaway?: {code: number; lastStreamId: number};
  /** The streams in flight that want to hear of a GOAWAY (one session listener for them all). */
  goawayListeners: Set<(code: number) => void>;
};

const sessionStates = new WeakMap<ClientHttp2Session, SessionState>();

function stateOf(session: ClientHttp2Session): SessionState {
  const known = sessionStates.get(session);
  if (known !== undefined) return known;
  const state: SessionState = {active: 0, settings: false, goawayListeners: new Set()};
  sessionStates.set(session, state);
  session.once('remoteSettings', () => {
    state.settings = true;
  });
  session.on('goaway', (code: number, lastStreamId: number) => {
    state.goaway ??= {code, lastStreamId};
    for (const listener of state.goawayListeners) listener(code);
  });
  // Each stream reports its own failure in words; the session's error only ends it.
  session.on('error', () => undefined);
  return state;
}

/**
 * An HTTP/2 client session over a connected socket. It holds the process open only while a
 * stream is in flight, so a session idle in the pool does not keep the program running.
 */
export function openSession(
  socket: Socket,
  authority: string,
  scheme: 'http' | 'https',
): ClientHttp2Session {
  const session = http2.connect(`${scheme}://${authority}`, {
    createConnection: () => socket,
    // As the HTTP/1 reader: a larger header block is refused, not buffered.
    settings: {enablePush: false, maxHeaderListSize: maxResponseHeaderBytes},
    maxHeaderListPairs: maxHeaderFields,
    maxReservedRemoteStreams: 0,
  });
  stateOf(session);
  session.unref();
  return session;
}

/** Streams in flight on the session (0: idle). */
export function activeStreams(session: ClientHttp2Session): number {
  return stateOf(session).active;
}

function hold(session: ClientHttp2Session): void {
  const state = stateOf(session);
  state.active++;
  if (state.active === 1) session.ref();
}

function release(session: ClientHttp2Session): void {
  const state = stateOf(session);
  state.active = Math.max(0, state.active - 1);
  if (state.active === 0 && !session.destroyed) session.unref();
}

type Planned = {
  /** As curl -v shows an HTTP/2 request: `GET / HTTP/2`, `Host: …`, lower-cased names. */
  lines: string[];
  /** As they go in HEADERS: the pseudo-headers in curl's order, then the others. */
  fields: HeaderList;
};

/** The HTTP/2 request curl 7.88 makes of the HTTP/1.x head it built. */
export function http2Request(request: AdapterRequest): Planned {
  const [requestLine = '', ...headerLines] = request.request.lines;
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' '));
  const lines = [`${method} ${target} HTTP/2`];
  const regular: HeaderList = [];
  let authority = request.authority;
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (name === 'host') {
      // curl shows the Host line as it would have sent it, and sends it as :authority.
      lines.push(line);
      if (value !== '') authority = value;
      continue;
    }
    // The body goes in DATA frames, never chunk-framed: curl neither shows nor sends it.
    if (name === 'transfer-encoding') continue;
    lines.push(`${name}${line.slice(colon)}`);
    if (connectionFields.has(name) || (name === 'te' && value.toLowerCase() !== 'trailers')) {
      continue;
    }
    regular.push([name, value]);
  }
  return {
    lines,
    fields: [
      [':method', method],
      [':path', target],
      [':scheme', request.scheme],
      [':authority', authority],
      ...regular,
    ],
  };
}

function outgoingHeaders(fields: HeaderList): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of fields) {
    const had = headers[name];
    headers[name] =
      had === undefined ? value : [...(Array.isArray(had) ? had : [String(had)]), value];
  }
  return headers;
}

/** A response head from Node's raw list (`[':status', '200', 'content-type', …]`), in order. */
function readHead(raw: readonly string[]): ReadHead {
  let status = 0;
  const headers: HeaderList = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] ?? '';
    const value = raw[index + 1] ?? '';
    if (name === ':status') status = Number(value);
    else if (!name.startsWith(':')) headers.push([name, value]);
  }
  return {
    httpVersion: '2',
    status,
    // HTTP/2 has no reason phrase: curl shows `HTTP/2 200 `, the space where it would be.
    statusText: '',
    headers,
    lines: [`HTTP/2 ${status} `, ...headers.map(([name, value]) => `${name}: ${value}`)],
    warnings: [],
  };
}

/** The size SETTINGS_MAX_HEADER_LIST_SIZE measures. */
function headerListSize(raw: readonly string[]): number {
  let size = 0;
  for (const field of raw) size += field.length;
  return size + (raw.length / 2) * 32;
}

function contentLength(head: ReadHead): number | undefined {
  const value = head.headers.find(([name]) => name === 'content-length')?.[1];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

type ErrorWithCode = Error & {code?: unknown};

/** One stream of the session: the request written, the response read into the sink. */
export function http2Exchange(
  session: ClientHttp2Session,
  request: AdapterRequest,
  sink: AdapterSink,
): Adapter {
  const state = stateOf(session);
  const {marks} = sink;
  const {lines, fields} = http2Request(request);
  const body =
    request.request.body === undefined ? undefined : (request.hop.body ?? Buffer.alloc(0));
  const holdBody = request.holdBody && body !== undefined && body.length > 0;
  const noBody = request.hop.method === 'HEAD';
  let stream: ClientHttp2Stream | undefined;
  let received = 0;
  let expected: number | undefined;
  let headSeen = false;
  let bodySent = false;
  let headersHanded: number | undefined;
  let over = false;
  let held = false;
  let goaway: number | undefined;
  let streamError: ErrorWithCode | undefined;
  let continueTimer: NodeJS.Timeout | undefined;

  const amount = () =>
    expected === undefined
      ? formatBytes(received)
      : `${formatBytes(received)} of ${formatBytes(expected)}`;
  const when = () => (headSeen ? `after ${amount()}` : 'before answering');

  const closeStream = () => {
    if (stream !== undefined && !stream.closed && !stream.destroyed) {
      stream.close(constants.NGHTTP2_CANCEL);
    }
  };
  const fail = (code: RequestErrorCode, message: string) => {
    if (over) return;
    over = true;
    clearTimeout(continueTimer);
    if (headSeen && expected !== undefined && received < expected) {
      sink.emit({
        type: 'warning',
        text: `the body is ${expected - received} bytes shorter than its content-length of ${expected}`,
      });
    }
    sink.fail(new RequestFailure(code, message));
    closeStream();
  };
  const onGoaway = (code: number) => {
    // Node tells a GOAWAY twice when the session then closes.
    if (over || stream === undefined || goaway !== undefined) return;
    goaway = code;
    sink.emit({
      type: 'h2-reset',
      stream: stream.id,
      code,
      name: http2ErrorName(code),
      goaway: true,
    });
  };
  const sendBody = () => {
    if (bodySent || stream === undefined) return;
    bodySent = true;
    clearTimeout(continueTimer);
    sink.emit({type: 'request-body', bytes: body?.length ?? 0});
    stream.end(body, () => {
      marks.sent ??= performance.now();
    });
  };

  const ended = (id: number | undefined) => {
    const name = (code: number) => http2ErrorName(code);
    const rstCode = stream?.rstCode ?? constants.NGHTTP2_NO_ERROR;
    const errorCode = typeof streamError?.code === 'string' ? streamError.code : '';
    if (!state.settings && errorCode === 'ERR_HTTP2_ERROR') {
      const prefix = request.scheme === 'http' ? 'h2c: ' : '';
      fail(
        'protocol',
        `${prefix}${request.where} does not speak HTTP/2 (it answered the HTTP/2 connection preface with bytes that are not HTTP/2 frames, as an HTTP/1.1-only server does)`,
      );
      return;
    }
    const away = goaway ?? state.goaway?.code;
    if (away !== undefined && (rstCode !== constants.NGHTTP2_NO_ERROR || !headSeen)) {
      fail('reset', `the server closed the HTTP/2 connection (GOAWAY ${name(away)}) ${when()}`);
      return;
    }
    if (rstCode === constants.NGHTTP2_NO_ERROR && streamError === undefined) {
      if (headSeen) {
        over = true;
        marks.end ??= performance.now();
        sink.end();
      } else {
        fail('protocol', `stream ${id ?? '?'} of ${request.where} ended without a response`);
      }
      return;
    }
    if (errorCode === 'ERR_HTTP2_ERROR') {
      // nghttp2 gave up on the connection (a frame it could not read), not on this stream alone.
      fail(
        'protocol',
        `HTTP/2 connection to ${request.where} failed: ${streamError?.message ?? ''}`,
      );
      return;
    }
    const gone = session.destroyed || session.closed;
    if (gone && (rstCode === constants.NGHTTP2_CANCEL || errorCode === 'ERR_HTTP2_STREAM_CANCEL')) {
      // Not a reset of ours (abandon ends the exchange first): the connection went away.
      fail(
        'reset',
        headSeen
          ? `connection to ${request.where} closed before the body was complete (${receivedSoFar(received, expected)})`
          : `connection closed by ${request.where} before a response arrived${state.settings ? '' : ' (it sent no HTTP/2 SETTINGS: it may not speak HTTP/2)'}`,
      );
      return;
    }
    if (rstCode !== constants.NGHTTP2_NO_ERROR) {
      sink.emit({type: 'h2-reset', stream: id, code: rstCode, name: name(rstCode), goaway: false});
    }
    if (rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM && !headSeen) {
      // What Node answers a header block over maxHeaderListSize or maxHeaderListPairs with.
      fail(
        'headers-too-large',
        `response headers exceed ${maxResponseHeaderBytes / 1024} KiB or ${maxHeaderFields} fields (stream ${id ?? '?'} reset, ${name(rstCode)})`,
      );
    } else if (rstCode === constants.NGHTTP2_PROTOCOL_ERROR) {
      // Also what nghttp2 does to a body that does not match its content-length.
      fail('protocol', `stream ${id ?? '?'} was reset (${name(rstCode)}) ${when()}`);
    } else if (rstCode !== constants.NGHTTP2_NO_ERROR) {
      fail('reset', `the server reset stream ${id ?? '?'} (${name(rstCode)}) ${when()}`);
    } else {
      fail('protocol', `HTTP/2 stream to ${request.where} failed: ${streamError?.message ?? ''}`);
    }
  };

  const listen = (opened: ClientHttp2Stream) => {
    opened.on('headers', (_headers: unknown, _flags: number, raw: string[]) => {
      if (over) return;
      if (marks.sent !== undefined) marks.firstByte ??= performance.now();
      sink.emit({type: 'response-head', head: readHead(raw), informational: true});
    });
    opened.on('continue', sendBody);
    opened.on('response', (_headers: unknown, _flags: number, raw: string[]) => {
      if (over) return;
      marks.firstByte ??= performance.now();
      if (headerListSize(raw) > maxResponseHeaderBytes) {
        fail('headers-too-large', `response headers exceed ${maxResponseHeaderBytes / 1024} KiB`);
        return;
      }
      const head = readHead(raw);
      if (holdBody && !bodySent) {
        // As curl: a final answer instead of 100 Continue means the body is not sent.
        bodySent = true;
        clearTimeout(continueTimer);
        marks.sent ??= headersHanded;
        sink.emit({type: 'body-not-sent'});
        // The stream is done once the response is: our side ends without the body.
        opened.once('end', () => opened.close(constants.NGHTTP2_NO_ERROR));
      }
      const bodiless = noBody || head.status === 204 || head.status === 304;
      expected = bodiless ? undefined : contentLength(head);
      headSeen = true;
      sink.emit({type: 'response-head', head, informational: false});
      sink.head(head);
    });
    opened.on('data', (chunk: Buffer) => {
      if (over) return;
      received += chunk.length;
      if (!sink.body(chunk)) opened.pause();
    });
    opened.on('trailers', (_headers: unknown, _flags: number, raw: string[]) => {
      if (over) return;
      for (let index = 0; index + 1 < raw.length; index += 2) {
        sink.emit({type: 'trailer', line: `${raw[index] ?? ''}: ${raw[index + 1] ?? ''}`});
      }
    });
    opened.on('end', () => {
      marks.end ??= performance.now();
    });
    opened.on('error', (error: ErrorWithCode) => {
      streamError ??= error;
    });
    opened.on('close', () => {
      state.goawayListeners.delete(onGoaway);
      clearTimeout(continueTimer);
      if (held) {
        held = false;
        release(session);
      }
      if (!over) ended(opened.id);
    });
  };

  return {
    send() {
      if (over || stream !== undefined) return;
      const endStream = body === undefined || body.length === 0;
      try {
        stream = session.request(outgoingHeaders(fields), {endStream});
      } catch (error) {
        const code = (error as ErrorWithCode).code;
        if (code === 'ERR_HTTP2_INVALID_SESSION' || code === 'ERR_HTTP2_GOAWAY_SESSION') {
          fail(
            'reset',
            `the HTTP/2 connection to ${request.where} closed before the request was sent`,
          );
        } else {
          fail('invalid-request', `cannot send over HTTP/2: ${(error as Error).message}`);
        }
        return;
      }
      hold(session);
      held = true;
      state.goawayListeners.add(onGoaway);
      listen(stream);
      // HEADERS is handed to the session here; nghttp2 gives no callback for one frame.
      headersHanded = performance.now();
      if (endStream) marks.sent = headersHanded;
      sink.emit({type: 'request-head', protocol: 'h2', lines, stream: stream.id, fields});
      if (endStream) return;
      if (!holdBody) {
        sendBody();
        return;
      }
      continueTimer = setTimeout(() => {
        if (bodySent || over) return;
        sink.emit({type: 'continue-timeout'});
        sendBody();
      }, continueTimeoutMs);
    },
    resume() {
      if (!over) stream?.resume();
    },
    get received() {
      return received;
    },
    get expected() {
      return expected;
    },
    afterBody() {
      if (expected === undefined || received === expected) return [];
      return received > expected
        ? [`${received - expected} bytes after the body's content-length of ${expected} were read`]
        : [
            `the body is ${expected - received} bytes shorter than its content-length of ${expected}`,
          ];
    },
    reusable() {
      return !session.closed && !session.destroyed && state.goaway === undefined;
    },
    abandon() {
      if (over) return;
      over = true;
      clearTimeout(continueTimer);
      closeStream();
    },
  };
}
