/**
 * Streams: a response that does not end when its head has come. Three kinds, one adapter each
 * (websocket.ts, event-stream.ts, live-body.ts), behind one session shape that the Request pane,
 * `porthole request` and the library use alike. A session keeps a bounded window of what passed
 * (log.ts) and counts the rest; values are raw, as they came off the wire: whoever shows them
 * sanitizes them.
 */
import type {RequestOptions, RequestResult} from '../request/types.js';
import type {StreamLog} from './log.js';

export type StreamKind = 'websocket' | 'sse' | 'body';

export type StreamDirection = 'sent' | 'received' | 'info';

export type StreamEntryKind =
  /** WebSocket: a text or binary message; SSE: never; body: never. */
  | 'text'
  | 'binary'
  | 'ping'
  | 'pong'
  | 'close'
  /** SSE: one dispatched event. */
  | 'event'
  /** A live body: the bytes one read delivered. */
  | 'chunk'
  /** What the session itself says: opened, reconnecting, gave up, an error (dir 'info'). */
  | 'note';

export type StreamEntry = {
  /** 1-based, counting entries dropped from the window, so a gap shows where the window starts. */
  seq: number;
  /** Milliseconds since the stream opened (the 101, the response head). */
  at: number;
  dir: StreamDirection;
  kind: StreamEntryKind;
  /** Payload size in bytes (a text message's UTF-8 length, an event's data length). */
  bytes: number;
  /**
   * The text of a text message, an event's data, a chunk's text (decoded as UTF-8), a note; for
   * binary / ping / pong, the payload's first bytes as hex (`0a 1b ff …`). Raw: sanitize to show.
   */
  text: string;
  /** A text message or event data that parsed as JSON. */
  json?: boolean;
  /** SSE fields as received. */
  event?: {id?: string; type?: string; retry?: number};
  /** A close frame (sent or received), or a connection lost without one (code 1006). */
  close?: {code: number; reason: string};
};

export type StreamStatus =
  | {state: 'connecting'}
  | {state: 'open'; since: number}
  | {state: 'closing'}
  /** SSE only: waiting `inMs` before asking again (Last-Event-ID is sent). */
  | {state: 'reconnecting'; attempt: number; inMs: number}
  /** Over: a close with its code (WebSocket), the server ended it, an error, the user closed it. */
  | {state: 'closed'; code?: number; reason?: string; why: string};

export type StreamCounts = {
  /** Messages / events / chunks in each direction since the stream opened, the window's included. */
  received: number;
  sent: number;
  bytesReceived: number;
  bytesSent: number;
  /** SSE comments and keep-alives (`: ping`): counted, not logged. */
  comments: number;
  /** Times an SSE stream asked again. */
  reconnects: number;
  /** Received bytes per second over the last few seconds. */
  rate: number;
};

/** What a session shows at one moment: plain data, safe to put in a store. */
export type StreamSnapshot = {
  kind: StreamKind;
  url: string;
  status: StreamStatus;
  /** The window, oldest first. */
  entries: readonly StreamEntry[];
  /** Entries that left the window (they were counted, and written to the save file if one is open). */
  dropped: number;
  counts: StreamCounts;
  /** Negotiated subprotocol (WebSocket), the event stream's last id (SSE). */
  protocol?: string;
  lastEventId?: string;
  /** The file everything is written to as it arrives (`w`), and why it stopped if it did. */
  savingTo?: string;
  saveError?: string;
  /** Bumped on every change, so a view can tell a new snapshot from an old one cheaply. */
  version: number;
};

export type StreamLimits = {
  /** Entries kept in the window. Default 1000. */
  maxEntries: number;
  /** Bytes of entry text kept in the window. Default 4 MiB. */
  maxBytes: number;
  /** A received WebSocket message over this is refused (close 1009). Default 16 MiB. */
  maxMessageBytes: number;
};

export const defaultStreamLimits: StreamLimits = {
  maxEntries: 1000,
  maxBytes: 4 * 1024 * 1024,
  maxMessageBytes: 16 * 1024 * 1024,
};

export type StreamSession = {
  readonly kind: StreamKind;
  readonly log: StreamLog;
  /**
   * The exchange that opened the stream. WebSocket: resolves at the 101 (or with the refusal, a
   * normal response, when the server did not switch protocols). SSE and body: when the exchange
   * is over (the server ended it, the user closed it, it failed), with what was read.
   */
  readonly opened: Promise<RequestResult>;
  /** Resolves when the stream is over, for good (no reconnect left). */
  readonly done: Promise<StreamStatus & {state: 'closed'}>;
  snapshot(): StreamSnapshot;
  /** Called after changes, at most every `flushMs` (default 100 ms); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** WebSocket: a text message. Returns a one-line problem instead of sending, or undefined. */
  sendText(text: string): string | undefined;
  /** WebSocket: a binary message. */
  sendBinary(bytes: Uint8Array): string | undefined;
  /** WebSocket: a ping (with a short payload so the pong can be matched). */
  ping(): string | undefined;
  /** WebSocket: a close frame (default 1000, ''), then wait for the server's. SSE/body: stop reading. */
  close(code?: number, reason?: string): void;
  /**
   * Stop reading from the connection until resume() (backpressure: the reader is slower than
   * the stream). What is already on its way still arrives; the server is held by TCP's window.
   */
  pause(): void;
  resume(): void;
  /** Start over on a new connection (SSE sends Last-Event-ID). The log is kept. */
  reconnect(): void;
  /** Write every entry from now on (and the window so far) to this file, as it arrives. */
  saveTo(file: string): Promise<string | undefined>;
};

/** Options for opening a stream: the request as the engine takes it, plus the stream's own. */
export type StreamOptions = RequestOptions & {
  limits?: Partial<StreamLimits>;
  /** How often subscribers hear of changes. Default 100 ms. */
  flushMs?: number;
  /**
   * The engine to send with (the pane passes its own, the tests a fake); default sendRequest.
   * A WebSocket handshake is sent through it with `upgrade: 'websocket'`.
   */
  send?: (options: RequestOptions) => Promise<RequestResult>;
  /**
   * WebSocket: each message received, whole, as its entry is logged (a binary entry keeps only
   * the first bytes as hex), for a caller that writes payloads out as they came.
   */
  onMessage?: (entry: StreamEntry, payload: Uint8Array) => void;
};
