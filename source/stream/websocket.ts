/**
 * A WebSocket as a stream session. The handshake is an ordinary request through the engine (so
 * it gets the engine's DNS, TLS options, via streams, timings and transcript), sent with
 * `upgrade: 'websocket'`; after a verified 101 the connection the engine hands over is given to
 * the `ws` library, which reads and writes the frames. Every message, ping, pong and close frame
 * goes into the session's log as it came; showing it is the viewer's job (it sanitizes).
 */
import {createHash, randomBytes} from 'node:crypto';
import type {Duplex} from 'node:stream';
import WebSocket from 'ws';
import {formatBytes} from '../format.js';
import {header} from '../request/response.js';
import {sendRequest} from '../request/send-request.js';
import type {HeaderList, RequestOptions, RequestResult} from '../request/types.js';
import {closeCodeWords, sendableCloseCode} from './close-codes.js';
import {hexPreview, type StreamLog} from './log.js';
import {failedResult, oneLine, SessionCore, type ClosedStatus} from './session-core.js';
import type {StreamKind, StreamOptions, StreamSession, StreamSnapshot} from './types.js';

/** RFC 6455 §1.3: the key and this GUID, hashed, are what the server must answer. */
const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How long a close waits for the server's close frame before the connection is dropped. */
export const closeTimeoutMs = 5000;
/** A close frame's reason fits in a control frame's 125 bytes, after the 2-byte code. */
const maxReasonBytes = 123;

/** The handshake's own headers, in curl's order; a header the caller names replaces one of these. */
export function handshakeHeaders(key: string): HeaderList {
  return [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Key', key],
  ];
}

/** What the server must send as Sec-WebSocket-Accept for this key. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + acceptGuid)
    .digest('base64');
}

/** ws:// and wss:// as the engine takes them (http://, https://); anything else as given. */
export function engineUrl(url: string): string {
  return url.trim().replace(/^ws(s?):\/\//i, (_whole, secure: string) => `http${secure}://`);
}

type HandOver = {socket: Duplex; head: Buffer};

/**
 * Gives a connection that has switched to WebSocket (client side) to the `ws` library. `ws` has
 * no public way to take a socket it did not dial; this uses its own path for that (`setSocket`,
 * as its server and its client's upgrade handler do), which test/stream/websocket.test.ts pins
 * against the installed version. The engine leaves the socket paused; it is resumed here.
 */
export function adoptSocket(handOver: HandOver, maxPayload: number): WebSocket {
  // A null address dials nothing. @types/ws does not know the closeTimeout option.
  const settings = {closeTimeout: closeTimeoutMs, autoPong: true};
  const ws = new (
    WebSocket as unknown as new (
      address: null,
      protocols: undefined,
      options: typeof settings,
    ) => WebSocket
  )(null, undefined, settings);
  const internals = ws as unknown as {
    _isServer: boolean;
    _bufferedAmount: number;
    setSocket(
      socket: Duplex,
      head: Buffer,
      options: {maxPayload: number; skipUTF8Validation: boolean; allowSynchronousEvents: boolean},
    ): void;
  };
  if (typeof internals.setSocket !== 'function') {
    throw new Error('the installed ws library has no setSocket: it cannot take a connection');
  }
  internals._isServer = false;
  internals._bufferedAmount = 0;
  // Listened to before the hand-over: setSocket reports the open at once.
  ws.on('error', () => undefined);
  internals.setSocket(handOver.socket, handOver.head, {
    maxPayload,
    skipUTF8Validation: false,
    allowSynchronousEvents: true,
  });
  handOver.socket.resume();
  return ws;
}

/** One connection of the session: the first, or one that reconnect() opened. */
type Attempt = {
  controller: AbortController;
  ws: WebSocket | undefined;
  /** The user asked to close (code and reason sent). */
  closing: {code: number; reason: string} | undefined;
  /** What went wrong on our side of the protocol (a message not UTF-8, one too big). */
  failure: {code: number; why: string} | undefined;
  /** The session has let go of it (reconnect, close before the handshake). */
  dropped: boolean;
  pings: number;
};

export function openWebSocket(options: StreamOptions): StreamSession {
  return new WebSocketSession(options);
}

class WebSocketSession implements StreamSession {
  readonly opened: Promise<RequestResult>;
  private readonly core: SessionCore;
  private readonly request: RequestOptions;
  private readonly send: (options: RequestOptions) => Promise<RequestResult>;
  private readonly onMessage: StreamOptions['onMessage'];
  private resolveOpened!: (result: RequestResult) => void;
  private openedSettled = false;
  private current: Attempt | undefined;
  private readonly onAbort = () => this.close();
  private paused = false;

  constructor(options: StreamOptions) {
    const {limits, flushMs, send, onMessage, ...request} = options;
    this.onMessage = onMessage;
    this.request = request;
    this.send = send ?? sendRequest;
    this.core = new SessionCore('websocket', options.url, limits, flushMs);
    this.opened = new Promise((resolve) => {
      this.resolveOpened = resolve;
    });
    options.signal?.addEventListener('abort', this.onAbort, {once: true});
    this.start();
    if (options.signal?.aborted === true) this.close();
  }

  pause(): void {
    this.paused = true;
    this.current?.ws?.pause();
  }

  resume(): void {
    this.paused = false;
    this.current?.ws?.resume();
  }

  get kind(): StreamKind {
    return this.core.kind;
  }

  get log(): StreamLog {
    return this.core.log;
  }

  get done(): Promise<ClosedStatus> {
    return this.core.done;
  }

  snapshot(): StreamSnapshot {
    return this.core.snapshot();
  }

  subscribe(listener: () => void): () => void {
    return this.core.subscribe(listener);
  }

  sendText(text: string): string | undefined {
    const ws = this.openSocket();
    if (typeof ws === 'string') return ws;
    const bytes = Buffer.byteLength(text);
    ws.send(text, (error) => {
      if (error) this.core.note(`the message was not sent: ${oneLine(error.message)}`);
    });
    this.core.push({dir: 'sent', kind: 'text', bytes, text, ...jsonFlag(text)});
    return undefined;
  }

  sendBinary(bytes: Uint8Array): string | undefined {
    const ws = this.openSocket();
    if (typeof ws === 'string') return ws;
    const copy = Buffer.from(bytes);
    ws.send(copy, {binary: true}, (error) => {
      if (error) this.core.note(`the message was not sent: ${oneLine(error.message)}`);
    });
    this.core.push({dir: 'sent', kind: 'binary', bytes: copy.length, text: hexPreview(copy)});
    return undefined;
  }

  ping(): string | undefined {
    const ws = this.openSocket();
    if (typeof ws === 'string') return ws;
    const attempt = this.current;
    const payload = Buffer.from(`porthole ${attempt === undefined ? 1 : ++attempt.pings}`);
    ws.ping(payload);
    this.core.push({dir: 'sent', kind: 'ping', bytes: payload.length, text: hexPreview(payload)});
    return undefined;
  }

  close(code = 1000, reason = ''): void {
    if (this.core.closed) return;
    const attempt = this.current;
    const ws = attempt?.ws;
    if (attempt === undefined || ws === undefined) {
      this.drop(attempt);
      this.finish('closed by you before the handshake was done');
      return;
    }
    if (attempt.closing !== undefined || ws.readyState !== WebSocket.OPEN) return;
    const problem = closeProblem(code, reason);
    if (problem !== undefined) {
      this.core.note(problem);
      return;
    }
    attempt.closing = {code, reason};
    ws.close(code, reason);
    this.core.push(closeEntry('sent', code, reason));
    this.core.setStatus({state: 'closing'});
  }

  reconnect(): void {
    if (this.core.closed) {
      this.core.reopen();
      this.core.note('opening the WebSocket again on a new connection');
      this.core.log.reconnected();
      this.start();
      return;
    }
    const attempt = this.current;
    if (attempt?.ws !== undefined && attempt.ws.readyState === WebSocket.OPEN) {
      this.core.push(closeEntry('sent', 1000, 'reconnecting'));
    }
    this.drop(attempt);
    this.core.note('reconnecting on a new connection');
    this.core.log.reconnected();
    this.start();
  }

  async saveTo(file: string): Promise<string | undefined> {
    const problem = await this.core.log.saveTo(file);
    // Nothing more will come: the window is written, the file is let go.
    if (problem === undefined && this.core.closed) this.core.log.stopSaving();
    return problem;
  }

  /** The open WebSocket, or why there is none in one line. */
  private openSocket(): WebSocket | string {
    const ws = this.current?.ws;
    if (this.core.closed) return 'the WebSocket is closed: nothing can be sent';
    if (ws === undefined) return 'the WebSocket is not open yet: the handshake is not done';
    if (ws.readyState !== WebSocket.OPEN) return 'the WebSocket is closing: nothing can be sent';
    return ws;
  }

  /** Lets an attempt go: its handshake is stopped, its connection closed. */
  private drop(attempt: Attempt | undefined): void {
    if (attempt === undefined) return;
    attempt.dropped = true;
    attempt.controller.abort();
    const ws = attempt.ws;
    if (ws === undefined) return;
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, 'reconnecting');
      // The old connection is not waited for: it has its close timeout.
    } else if (ws.readyState !== WebSocket.CLOSED) {
      ws.terminate();
    }
  }

  /** Sends the handshake on a new connection. */
  private start(): void {
    const attempt: Attempt = {
      controller: new AbortController(),
      ws: undefined,
      closing: undefined,
      failure: undefined,
      dropped: false,
      pings: 0,
    };
    this.current = attempt;
    if (this.core.status.state !== 'connecting') this.core.setStatus({state: 'connecting'});
    const given = this.request;
    const key = randomBytes(16).toString('base64');
    const headers = withHandshake(given.headers, key);
    const sentKey = header(headers, 'sec-websocket-key') ?? key;
    const options: RequestOptions = {
      ...given,
      url: engineUrl(given.url),
      headers,
      upgrade: 'websocket',
      signal: attempt.controller.signal,
    };
    this.send(options).then(
      (result) => this.answered(attempt, result, sentKey, offeredProtocols(headers)),
      (error: unknown) => this.answered(attempt, failedResult(error), sentKey, []),
    );
  }

  private answered(attempt: Attempt, result: RequestResult, key: string, offered: string[]): void {
    const handOver = result.upgraded;
    // A result is plain data; the connection is the session's now.
    delete result.upgraded;
    // A handshake let go for a reconnect is not the one `opened` tells of; one the user closed is.
    const replaced = attempt.dropped && !this.core.closed;
    if (!this.openedSettled && !replaced) {
      this.openedSettled = true;
      this.resolveOpened(result);
    }
    if (attempt !== this.current || attempt.dropped || this.core.closed) {
      handOver?.socket.destroy();
      return;
    }
    const problem = handshakeProblem(result, handOver, key, offered);
    if (problem !== undefined || handOver === undefined) {
      handOver?.socket.destroy();
      this.finish(problem ?? 'the server did not switch protocols');
      return;
    }
    const protocol = header(result.response?.headers ?? [], 'sec-websocket-protocol');
    this.core.protocol = protocol === undefined || protocol === '' ? undefined : protocol;
    let ws: WebSocket;
    try {
      ws = adoptSocket(handOver, this.core.log.limits.maxMessageBytes);
      if (this.paused) ws.pause();
    } catch (error) {
      handOver.socket.destroy();
      this.finish(oneLine(error instanceof Error ? error.message : String(error)));
      return;
    }
    attempt.ws = ws;
    this.listen(attempt, ws);
    this.core.markOpen();
  }

  private listen(attempt: Attempt, ws: WebSocket): void {
    const mine = () => attempt === this.current && !attempt.dropped && !this.core.closed;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!mine()) return;
      if (isBinary) {
        const entry = this.core.push({
          dir: 'received',
          kind: 'binary',
          bytes: data.length,
          text: hexPreview(data),
        });
        this.onMessage?.(entry, data);
        return;
      }
      const text = data.toString('utf8');
      const entry = this.core.push({
        dir: 'received',
        kind: 'text',
        bytes: data.length,
        text,
        ...jsonFlag(text),
      });
      this.onMessage?.(entry, data);
    });
    ws.on('ping', (data: Buffer) => {
      if (!mine()) return;
      this.core.push({dir: 'received', kind: 'ping', bytes: data.length, text: hexPreview(data)});
      // Answered by the library (autoPong) with the same payload.
      this.core.push({dir: 'sent', kind: 'pong', bytes: data.length, text: hexPreview(data)});
    });
    ws.on('pong', (data: Buffer) => {
      if (!mine()) return;
      this.core.push({dir: 'received', kind: 'pong', bytes: data.length, text: hexPreview(data)});
    });
    ws.on('error', (error: Error & {code?: string}) => {
      if (!mine() || attempt.failure !== undefined) return;
      const code = statusCodeOf(error);
      if (code === undefined) return;
      attempt.failure = {code, why: receiveProblem(error, this.core.log.limits.maxMessageBytes)};
      // The library answers with a close frame of that code.
      this.core.push(closeEntry('sent', code, ''));
    });
    ws.on('close', (code: number, reasonBytes: Buffer) => {
      if (!mine()) return;
      this.closed(attempt, code, reasonBytes.toString('utf8'));
    });
  }

  /** The connection is over: says how, in the log and the status. */
  private closed(attempt: Attempt, code: number, reason: string): void {
    const {failure, closing} = attempt;
    // 1006 is never sent in a frame: it says that no close frame came.
    const frame = code !== 1006;
    if (frame) {
      this.core.push(closeEntry('received', code, reason));
      // The library answers a close it did not start with the same code.
      if (closing === undefined && failure === undefined) {
        this.core.push(closeEntry('sent', code === 1005 ? 1000 : code, ''));
      }
    }
    if (failure !== undefined) {
      this.finish(`${closeCodeWords(failure.code)}: ${failure.why}`, failure.code, '');
      return;
    }
    if (!frame) {
      this.core.push({
        dir: 'info',
        kind: 'close',
        bytes: 0,
        text: closeCodeWords(1006),
        close: {code: 1006, reason: ''},
      });
      const why =
        closing === undefined
          ? closeCodeWords(1006)
          : `closed by you with ${withReason(closing.code, closing.reason)}; the server sent no close frame back within ${closeTimeoutMs / 1000} s`;
      this.finish(why, 1006, '');
      return;
    }
    const said = withReason(code, reason);
    this.finish(
      closing === undefined
        ? `the server closed the WebSocket: ${said}`
        : `closed by you with ${withReason(closing.code, closing.reason)}; the server answered ${said}`,
      code,
      reason,
    );
  }

  /** Over for good, with why (noted in the log, so a save file ends with it too). */
  private finish(why: string, code?: number, reason?: string): void {
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.core.note(why);
    this.core.setStatus({
      state: 'closed',
      ...(code === undefined ? {} : {code}),
      ...(reason === undefined ? {} : {reason}),
      why,
    });
    this.core.log.stopSaving();
  }
}

/**
 * The caller's headers after the handshake's own; a handshake header the caller names is theirs
 * instead (in the caller's place).
 */
export function withHandshake(headers: RequestOptions['headers'], key: string): HeaderList {
  const given: HeaderList = Array.isArray(headers)
    ? [...headers]
    : Object.entries(headers ?? {}).map(([name, value]) => [name, value]);
  const named = new Set(given.map(([name]) => name.trim().toLowerCase()));
  const own = handshakeHeaders(key).filter(([name]) => !named.has(name.toLowerCase()));
  return [...own, ...given];
}

function offeredProtocols(headers: HeaderList): string[] {
  return headers
    .filter(([name]) => name.trim().toLowerCase() === 'sec-websocket-protocol')
    .flatMap(([, value]) => value.split(','))
    .map((each) => each.trim())
    .filter((each) => each !== '');
}

/** Why the answer does not open a WebSocket, in one line; undefined when it does. */
export function handshakeProblem(
  result: RequestResult,
  handOver: HandOver | undefined,
  key: string,
  offered: string[],
): string | undefined {
  if (result.error !== undefined) return oneLine(result.error.message);
  const response = result.response;
  if (response === undefined) return 'no response came';
  const answer = `${response.status} ${response.statusText}`.trim();
  if (response.httpVersion === '1.0') {
    return `the server speaks HTTP/1.0 and cannot switch to a WebSocket (it answered ${answer})`;
  }
  if (response.status !== 101) {
    return `the server answered ${answer}, not 101 Switching Protocols`;
  }
  if (handOver === undefined)
    return 'the server answered 101, but the connection was not handed over';
  const headers = response.headers;
  const upgrade = header(headers, 'upgrade');
  if (upgrade?.trim().toLowerCase() !== 'websocket') {
    return `the server switched to ${upgrade === undefined ? 'an unnamed protocol (no Upgrade header)' : JSON.stringify(upgrade)}, not websocket`;
  }
  const accept = header(headers, 'sec-websocket-accept');
  if (accept === undefined) return 'the server answered 101 without a Sec-WebSocket-Accept header';
  if (accept.trim() !== acceptFor(key)) {
    return `the server's Sec-WebSocket-Accept ${JSON.stringify(accept)} does not match the key sent (expected ${acceptFor(key)})`;
  }
  const protocol = header(headers, 'sec-websocket-protocol');
  if (protocol !== undefined && protocol !== '' && !offered.includes(protocol.trim())) {
    return offered.length === 0
      ? `the server chose the subprotocol ${JSON.stringify(protocol)}, but none was offered`
      : `the server chose the subprotocol ${JSON.stringify(protocol)}, not one offered (${offered.join(', ')})`;
  }
  const extensions = header(headers, 'sec-websocket-extensions');
  if (extensions !== undefined && extensions.trim() !== '') {
    return `the server agreed to extensions porthole does not speak: ${extensions}`;
  }
  return undefined;
}

/** Why a close with this code and reason cannot be sent, or undefined. */
export function closeProblem(code: number, reason: string): string | undefined {
  if (!Number.isInteger(code) || !sendableCloseCode(code)) {
    return `close code ${closeCodeWords(code)} cannot be sent (use 1000, or 3000-4999)`;
  }
  const bytes = Buffer.byteLength(reason);
  if (bytes > maxReasonBytes) {
    return `the close reason is ${bytes} bytes; at most ${maxReasonBytes} fit in a close frame`;
  }
  return undefined;
}

function closeEntry(dir: 'sent' | 'received', code: number, reason: string) {
  return {
    dir,
    kind: 'close' as const,
    bytes: code === 1005 ? 0 : 2 + Buffer.byteLength(reason),
    text: withReason(code, reason),
    close: {code, reason},
  };
}

/** `4001 application-defined (nope)`. */
function withReason(code: number, reason: string): string {
  return reason === '' ? closeCodeWords(code) : `${closeCodeWords(code)} (${reason})`;
}

/** The close code the library gives a protocol error it found (1002, 1007, 1009), if any. */
function statusCodeOf(error: Error): number | undefined {
  const symbol = Object.getOwnPropertySymbols(error).find(
    (each) => each.description === 'status-code',
  );
  const value =
    symbol === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[symbol];
  return typeof value === 'number' ? value : undefined;
}

function receiveProblem(error: Error & {code?: string}, maxMessageBytes: number): string {
  switch (error.code) {
    case 'WS_ERR_INVALID_UTF8':
      return 'the server sent a text message that is not UTF-8';
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return `the server sent a message over ${formatBytes(maxMessageBytes)}, the most taken`;
    default:
      return `the server broke the WebSocket protocol: ${oneLine(error.message)}`;
  }
}

/** A text that is a JSON value (an object, an array, a string, a number…) is marked so. */
function jsonFlag(text: string): {json?: true} {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined || !/[[{"\-0-9tfn]/.test(first)) return {};
  try {
    JSON.parse(text);
    return {json: true};
  } catch {
    return {};
  }
}
