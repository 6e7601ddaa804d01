/**
 * The seam between the engine and a protocol: once a connection is up (and ALPN has spoken), the
 * engine hands the request to the adapter for the protocol in use, one file each
 * (http1-exchange.ts, http2-exchange.ts). An adapter writes the request, reads the response,
 * reports what happened as events and marks the times of its steps; it writes no display text.
 */
import type {Marks} from './connection.js';
import type {RequestFailure} from './errors.js';
import type {ReadHead, RequestEvent} from './events.js';
import type {RequestHead} from './http1-request.js';
import type {Hop} from './hops.js';

/** An event as an adapter reports it; the engine stamps the time and the exchange. */
export type AdapterEvent = RequestEvent extends infer Event
  ? Event extends RequestEvent
    ? Omit<Event, 'at' | 'exchange'>
    : never
  : never;

export type AdapterSink = {
  emit(event: AdapterEvent): void;
  /** The final response head (1xx heads are emitted as events and not passed here). */
  head(head: ReadHead): void;
  /** Body bytes as the framing delivers them, before content decoding. False: pause until resume(). */
  body(chunk: Buffer): boolean;
  /** The body is complete. */
  end(): void;
  /** The exchange cannot go on. */
  fail(failure: RequestFailure): void;
  /** The adapter sets `sent`, `firstByte` and `end` as they happen. */
  marks: Marks;
};

export type AdapterRequest = {
  hop: Hop;
  /** The HTTP/1.x head and body as built before the clock started (HTTP/2 reads its fields from it). */
  request: RequestHead;
  /** Hold the body back until 100 Continue (or a second). */
  holdBody: boolean;
  /** `host:port`, for messages. */
  where: string;
  /** The URL's scheme and authority, for HTTP/2's pseudo-headers. */
  scheme: 'http' | 'https';
  authority: string;
  /** The request asks to switch protocols: after a 101 the connection is handed over, not read. */
  upgrade?: boolean;
};

export type Adapter = {
  /** Writes the request. */
  send(): void;
  /** Goes on reading after body() returned false. */
  resume(): void;
  /** Body bytes received so far on the wire, and the length announced, if any. */
  readonly received: number;
  readonly expected: number | undefined;
  /** Warnings known only once the body is over (more bytes than Content-Length). */
  afterBody(): string[];
  /** Whether the connection can carry another request once this one is over. */
  reusable(): boolean;
  /** Stops the exchange early (a failure, a timeout, a redirect not read); the connection may close. */
  abandon(): void;
};
