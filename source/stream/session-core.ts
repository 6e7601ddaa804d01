/**
 * What every stream session does alike, whatever its kind: the log, the status, listeners told of
 * changes at most every `flushMs`, the snapshot as plain data, and the `done` promise. An adapter
 * (websocket.ts, http-stream.ts) owns one and says what happened; it never calls listeners itself.
 */
import type {RequestResult} from '../request/types.js';
import {StreamLog} from './log.js';
import type {StreamEntry, StreamKind, StreamLimits, StreamSnapshot, StreamStatus} from './types.js';

export type ClosedStatus = StreamStatus & {state: 'closed'};

export class SessionCore {
  readonly log: StreamLog;
  kind: StreamKind;
  url: string;
  status: StreamStatus = {state: 'connecting'};
  protocol: string | undefined;
  lastEventId: string | undefined;
  /** performance.now() at open (the 101, the response head); entries' `at` count from here. */
  openedAt: number | undefined;
  private finished!: Promise<ClosedStatus>;
  private resolveDone!: (status: ClosedStatus) => void;
  private readonly listeners = new Set<() => void>();
  private readonly flushMs: number;
  private timer: NodeJS.Timeout | undefined;
  private told = -1;
  private statusVersion = 0;

  constructor(kind: StreamKind, url: string, limits?: Partial<StreamLimits>, flushMs = 100) {
    this.kind = kind;
    this.url = url;
    this.log = new StreamLog(limits);
    this.flushMs = flushMs;
    this.expectEnd();
  }

  /** Resolves when the stream is over (a reopened stream's, when that one is). */
  get done(): Promise<ClosedStatus> {
    return this.finished;
  }

  private expectEnd(): void {
    this.finished = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /**
   * A stream that was over is opened again (the user asked): it is connecting, the log goes on,
   * and `done` is a new promise. Nothing happens to one that is not over.
   */
  reopen(): void {
    if (this.status.state !== 'closed') return;
    this.expectEnd();
    this.status = {state: 'connecting'};
    this.statusVersion++;
    this.changed();
  }

  /** Milliseconds since the stream opened (0 before it has). */
  since(now = performance.now()): number {
    return this.openedAt === undefined ? 0 : Math.max(0, now - this.openedAt);
  }

  markOpen(now = performance.now()): void {
    this.openedAt ??= now;
    this.setStatus({state: 'open', since: Date.now()});
  }

  /** Adds an entry timed from the open, and tells listeners soon. */
  push(entry: Omit<StreamEntry, 'seq' | 'at'> & {at?: number}): StreamEntry {
    const now = performance.now();
    const pushed = this.log.push({...entry, at: entry.at ?? Math.round(this.since(now))}, now);
    this.changed();
    return pushed;
  }

  /** A line the session says itself (dir 'info', kind 'note'). */
  note(text: string): StreamEntry {
    return this.push({dir: 'info', kind: 'note', bytes: 0, text});
  }

  setStatus(status: StreamStatus): void {
    if (this.status.state === 'closed') return;
    this.status = status;
    this.statusVersion++;
    if (status.state === 'closed') {
      this.resolveDone(status);
      this.flush();
      return;
    }
    this.changed();
  }

  get closed(): boolean {
    return this.status.state === 'closed';
  }

  /** Something changed: listeners hear of it within flushMs. */
  changed(): void {
    if (this.timer !== undefined || this.listeners.size === 0) return;
    this.timer = setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref?.();
  }

  /** Tells listeners now, if anything changed since they last heard. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const version = this.version;
    if (version === this.told) return;
    this.told = version;
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  get version(): number {
    // Both only grow, so their sum changes whenever either does.
    return this.log.version + this.statusVersion;
  }

  snapshot(): StreamSnapshot {
    this.log.rate();
    return {
      kind: this.kind,
      url: this.url,
      status: this.status,
      entries: this.log.entries(),
      dropped: this.log.dropped,
      counts: {...this.log.counts},
      ...(this.protocol === undefined ? {} : {protocol: this.protocol}),
      ...(this.lastEventId === undefined ? {} : {lastEventId: this.lastEventId}),
      ...(this.log.savingTo === undefined ? {} : {savingTo: this.log.savingTo}),
      ...(this.log.saveError === undefined ? {} : {saveError: this.log.saveError}),
      version: this.version,
    };
  }
}

/** The first line of a text (an error message, a reason) for a one-line note. */
export function oneLine(text: string): string {
  return text.split(/\r\n|\r|\n/, 1)[0] ?? '';
}

/** A result for an engine that threw (the real one never does). */
export function failedResult(error: unknown): RequestResult {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  return {
    response: undefined,
    error: {code: 'network', message: `internal error: ${message}`},
    timings: {
      dns: undefined,
      connect: undefined,
      tls: undefined,
      send: undefined,
      firstByte: undefined,
      download: undefined,
      total: 0,
    },
    transcript: [],
    redirects: [],
    protocol: undefined,
    dns: undefined,
    connection: undefined,
    tls: undefined,
    warnings: [],
    events: [],
  };
}
