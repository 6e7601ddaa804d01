/**
 * A response read as it arrives, as a stream session: an event stream when the final head says
 * text/event-stream (event-stream.ts reads it), a live body otherwise (live-body.ts). The request
 * goes through the engine like any other; the session watches its events for the head and takes
 * the decoded body chunk by chunk.
 *
 * An event stream that ends, or whose connection fails, is asked for again as EventSource does:
 * after the retry delay, with Last-Event-ID. Unlike a browser it never asks sooner than a second
 * after the attempt before (whatever `retry:` says), doubles the wait while attempts bring no
 * event, and gives up after ten such attempts in a row. A live body is not asked for again unless
 * the user says so.
 */
import {formatSeconds} from '../request/errors.js';
import type {ReadHead} from '../request/events.js';
import {header} from '../request/response.js';
import {sendRequest} from '../request/send-request.js';
import type {HeaderList, RequestEvent, RequestOptions, RequestResult} from '../request/types.js';
import {createEventStreamReader, eventEntry, isEventStreamType} from './event-stream.js';
import type {EventStreamReader} from './event-stream.js';
import {createLiveBodyReader, type LiveBodyReader} from './live-body.js';
import type {StreamLog} from './log.js';
import {failedResult, oneLine, SessionCore, type ClosedStatus} from './session-core.js';
import type {StreamKind, StreamOptions, StreamSession, StreamSnapshot} from './types.js';

/** The standard's reconnection time until a `retry:` field says otherwise. */
export const defaultRetryMs = 3000;
/** No attempt starts sooner than this after the one before, even after `retry: 0`. */
export const minReconnectMs = 1000;
/** The longest wait that backing off reaches (a longer `retry:` is kept). */
export const maxBackoffMs = 30_000;
/** Attempts in a row that bring no event before the session gives up. */
export const maxEventlessAttempts = 10;
/**
 * What the exchange's result keeps of the body when the caller names no limit. The log is the
 * record of a stream; the result only shows how it began, and a stream may run for hours.
 */
export const streamResultBodyBytes = 64 * 1024;
/** How long the answer may take when the caller names no timeout: the engine's own default. */
export const headTimeoutMs = 30_000;
/** setTimeout's longest delay: the engine's limit on the whole exchange, which a stream must not meet. */
const noTimeLimitMs = 2 ** 31 - 1;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** One request of the session: the first, or a reconnect. */
type Attempt = {
  controller: AbortController;
  /** The session stopped it (closed, asked again, refused what it answered). */
  stopped: boolean;
  /** No head came within headTimeoutMs. */
  timedOut: boolean;
  headTimer: NodeJS.Timeout | undefined;
  head: ReadHead | undefined;
  events: number;
  bytes: number;
  sse: EventStreamReader | undefined;
  body: LiveBodyReader | undefined;
};

export function openHttpStream(options: StreamOptions): StreamSession {
  return new HttpStream(options);
}

class HttpStream implements StreamSession {
  readonly opened: Promise<RequestResult>;
  private readonly core: SessionCore;
  private readonly request: RequestOptions;
  private readonly send: (options: RequestOptions) => Promise<RequestResult>;
  private resolveOpened!: (result: RequestResult) => void;
  private openedSettled = false;
  private current: Attempt | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryMs = defaultRetryMs;
  /** Attempts in a row that ended without an event. */
  private eventless = 0;
  /** An answer has been an event stream: what ends now is asked for again. */
  private eventStream = false;
  private readonly onAbort = () => this.close();
  /** Set while the reader is behind: the engine's next chunk waits for it (its backpressure). */
  private paused: {promise: Promise<void>; resolve: () => void} | undefined;

  constructor(options: StreamOptions) {
    const {limits, flushMs, send, ...request} = options;
    this.request = request;
    this.send = send ?? sendRequest;
    this.core = new SessionCore('body', options.url, limits, flushMs);
    this.opened = new Promise((resolve) => {
      this.resolveOpened = resolve;
    });
    options.signal?.addEventListener('abort', this.onAbort, {once: true});
    this.start(false);
    if (options.signal?.aborted === true) this.close();
  }

  pause(): void {
    if (this.paused !== undefined) return;
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    this.paused = {promise, resolve};
  }

  resume(): void {
    this.paused?.resolve();
    this.paused = undefined;
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

  sendText(): string | undefined {
    return this.oneWay();
  }

  sendBinary(): string | undefined {
    return this.oneWay();
  }

  ping(): string | undefined {
    return this.oneWay();
  }

  close(): void {
    if (this.core.closed) return;
    this.resume();
    this.stopCurrent();
    this.finish('closed by you');
  }

  reconnect(): void {
    if (this.core.closed) {
      this.core.reopen();
      this.eventless = 0;
    }
    this.stopCurrent();
    const id = this.core.lastEventId;
    this.core.note(
      this.eventStream
        ? `reconnecting now${id ? ` with Last-Event-ID ${id}` : ''}`
        : 'sending the request again',
    );
    this.start(true);
  }

  async saveTo(file: string): Promise<string | undefined> {
    const problem = await this.core.log.saveTo(file);
    // Nothing more will come: the window is written, the file is let go.
    if (problem === undefined && this.core.closed) this.core.log.stopSaving();
    return problem;
  }

  private oneWay(): string {
    return this.core.kind === 'sse'
      ? 'an event stream is one-way: nothing can be sent'
      : 'a response body is one-way: nothing can be sent';
  }

  /** Sends the request (again, with Last-Event-ID, when `again`). */
  private start(again: boolean): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const attempt: Attempt = {
      controller: new AbortController(),
      stopped: false,
      timedOut: false,
      headTimer: undefined,
      head: undefined,
      events: 0,
      bytes: 0,
      sse: undefined,
      body: undefined,
    };
    this.current = attempt;
    if (again) this.core.log.reconnected();
    if (this.core.status.state !== 'connecting') this.core.setStatus({state: 'connecting'});
    const given = this.request;
    if (given.timeoutMs === undefined) {
      attempt.headTimer = setTimeout(() => {
        attempt.timedOut = true;
        attempt.controller.abort();
      }, headTimeoutMs);
      attempt.headTimer.unref?.();
    }
    const options: RequestOptions = {
      ...given,
      headers: again ? withLastEventId(given.headers, this.core.lastEventId) : given.headers,
      signal: attempt.controller.signal,
      timeoutMs: given.timeoutMs ?? noTimeLimitMs,
      maxBodyBytes: given.maxBodyBytes ?? streamResultBodyBytes,
      onEvent: (event) => {
        given.onEvent?.(event);
        this.onRequestEvent(attempt, event);
      },
      onBodyChunk: (chunk) => {
        const pending = given.onBodyChunk?.(chunk);
        this.onChunk(attempt, chunk);
        const held = this.paused?.promise;
        if (held === undefined) return pending;
        return pending === undefined ? held : Promise.all([pending, held]).then(() => undefined);
      },
    };
    this.send(options).then(
      (result) => this.finished(attempt, result),
      (error: unknown) => this.finished(attempt, failedResult(error)),
    );
  }

  private onRequestEvent(attempt: Attempt, event: RequestEvent): void {
    if (attempt !== this.current || this.core.closed) return;
    if (event.type !== 'response-head' || event.informational) return;
    const head = event.head;
    if (
      this.request.followRedirects === true &&
      redirectStatuses.has(head.status) &&
      header(head.headers, 'location') !== undefined
    ) {
      return;
    }
    clearTimeout(attempt.headTimer);
    attempt.head = head;
    const contentType = header(head.headers, 'content-type');
    const sse = head.status >= 200 && head.status < 300 && isEventStreamType(contentType);
    if (this.eventStream && !sse) {
      this.stopCurrent();
      const answer = `${head.status} ${head.statusText}`.trim();
      const what =
        head.status >= 200 && head.status < 300
          ? `${answer} (${contentType ?? 'no Content-Type'}), not an event stream`
          : answer;
      this.finish(`asked again, the server answered ${what}: the event stream is over`);
      return;
    }
    if (sse) {
      this.eventStream = true;
      this.core.kind = 'sse';
      attempt.sse = this.eventReader(attempt);
    } else {
      this.core.kind = 'body';
      attempt.body = createLiveBodyReader();
    }
    this.core.markOpen();
  }

  private eventReader(attempt: Attempt): EventStreamReader {
    const mine = () => attempt === this.current && !this.core.closed;
    return createEventStreamReader(
      {
        event: (message, retry) => {
          if (!mine()) return;
          attempt.events++;
          this.eventless = 0;
          if (message.id !== undefined) this.core.lastEventId = message.id;
          this.core.push(eventEntry(message, retry));
        },
        comment: () => {
          if (!mine()) return;
          this.core.log.comment();
          this.core.changed();
        },
        retry: (ms) => {
          if (mine()) this.retryMs = ms;
        },
        fail: (problem) => {
          if (!mine()) return;
          this.stopCurrent();
          this.finish(problem);
        },
      },
      this.core.log.limits.maxMessageBytes,
    );
  }

  private onChunk(attempt: Attempt, chunk: Uint8Array): void {
    if (attempt !== this.current || this.core.closed) return;
    attempt.bytes += chunk.length;
    if (attempt.sse !== undefined) {
      attempt.sse.feed(chunk);
      return;
    }
    attempt.body ??= createLiveBodyReader();
    this.core.push(attempt.body.chunk(chunk));
  }

  private finished(attempt: Attempt, result: RequestResult): void {
    clearTimeout(attempt.headTimer);
    if (!this.openedSettled) {
      this.openedSettled = true;
      this.resolveOpened(result);
    }
    if (attempt !== this.current) return;
    this.current = undefined;
    attempt.sse?.end();
    attempt.body?.end();
    if (this.core.closed || attempt.stopped) return;
    const problem = attempt.timedOut
      ? `no response within ${formatSeconds(headTimeoutMs)}`
      : result.error === undefined
        ? undefined
        : oneLine(result.error.message);
    // The caller's time limit covers the stream too: when it is over, so is the stream.
    const timeUp = result.error?.code === 'timeout' && this.request.timeoutMs !== undefined;
    if (this.eventStream && (attempt.sse !== undefined || attempt.head === undefined) && !timeUp) {
      this.scheduleReconnect(attempt, problem);
      return;
    }
    this.finish(
      problem ??
        `the server ended the response after ${attempt.bytes} byte${attempt.bytes === 1 ? '' : 's'}`,
    );
  }

  private scheduleReconnect(attempt: Attempt, problem: string | undefined): void {
    if (attempt.events === 0) this.eventless++;
    const what =
      problem ??
      `the server ended the event stream after ${attempt.events} event${attempt.events === 1 ? '' : 's'}`;
    if (this.eventless >= maxEventlessAttempts) {
      this.finish(
        `gave up after ${this.eventless} attempts in a row without an event (the last: ${what})`,
      );
      return;
    }
    const base = Math.max(this.retryMs, minReconnectMs);
    const inMs = Math.min(Math.max(base, maxBackoffMs), base * 2 ** this.eventless);
    const id = this.core.lastEventId;
    this.core.note(
      `${what}; reconnecting in ${formatSeconds(inMs)}${id ? ` with Last-Event-ID ${id}` : ''}`,
    );
    this.core.setStatus({state: 'reconnecting', attempt: this.eventless + 1, inMs});
    // Not unref'd: a command waiting on the stream waits through the pause too.
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.start(true);
    }, inMs);
  }

  /** Stops the request in flight, if any; its result is then only what `opened` gets. */
  private stopCurrent(): void {
    const attempt = this.current;
    if (attempt === undefined) return;
    attempt.stopped = true;
    clearTimeout(attempt.headTimer);
    attempt.controller.abort();
  }

  /** Over for good, with why (noted in the log, so a save file ends with it too). */
  private finish(why: string): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.core.note(why);
    this.core.setStatus({state: 'closed', why});
    this.core.log.stopSaving();
  }
}

/**
 * The headers with Last-Event-ID set to `id` (any given one replaced); with no id yet, as given;
 * with an empty id (the server cleared it), without one.
 */
export function withLastEventId(
  headers: RequestOptions['headers'],
  id: string | undefined,
): RequestOptions['headers'] {
  if (id === undefined) return headers;
  const list: HeaderList = Array.isArray(headers)
    ? headers.filter(([name]) => name.toLowerCase() !== 'last-event-id')
    : Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'last-event-id');
  if (id !== '') list.push(['Last-Event-ID', id]);
  return list;
}
