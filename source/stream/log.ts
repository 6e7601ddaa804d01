/**
 * A stream's bounded window: the newest entries up to a count and a byte budget, the rest counted
 * (and written to a save file when one is open). Pushing is O(1) amortized; a snapshot copies the
 * window, so a view holds plain data that later pushes do not change.
 */
import fs from 'node:fs';
import type {StreamCounts, StreamEntry, StreamLimits} from './types.js';
import {defaultStreamLimits} from './types.js';

/** Received bytes per second are measured over this span. */
const rateSpanMs = 3000;
/** ... in slices this long: one counter per slice, whatever the message rate. */
const sliceMs = 100;
const slices = rateSpanMs / sliceMs;

export class StreamLog {
  readonly limits: StreamLimits;
  private readonly window: StreamEntry[] = [];
  /** Index of the oldest live entry in `window` (entries before it were dropped, compacted lazily). */
  private head = 0;
  private keptBytes = 0;
  private nextSeq = 1;
  dropped = 0;
  readonly counts: StreamCounts = {
    received: 0,
    sent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    comments: 0,
    reconnects: 0,
    rate: 0,
  };
  /**
   * Received bytes per 100 ms slice over the last 3 s, a ring indexed by slice number: O(1) a
   * message and O(30) a rate at any rate (a list of every message's bytes, trimmed with shift(),
   * cost a flood of 50,000 messages a second all its time).
   */
  private readonly sliceBytes = new Float64Array(slices);
  private readonly sliceAt = new Float64Array(slices).fill(-1);
  private save: fs.WriteStream | undefined;
  savingTo: string | undefined;
  saveError: string | undefined;
  version = 0;

  constructor(limits: Partial<StreamLimits> = {}) {
    this.limits = {...defaultStreamLimits, ...limits};
  }

  /** Adds an entry (its seq given here), counting it, and drops the oldest beyond the limits. */
  push(entry: Omit<StreamEntry, 'seq'>, now = performance.now()): StreamEntry {
    const full: StreamEntry = {...entry, seq: this.nextSeq++};
    if (entry.dir === 'received') {
      this.counts.received++;
      this.counts.bytesReceived += entry.bytes;
      const slice = Math.floor(now / sliceMs);
      const index = slice % slices;
      if (this.sliceAt[index] !== slice) {
        this.sliceAt[index] = slice;
        this.sliceBytes[index] = 0;
      }
      this.sliceBytes[index]! += entry.bytes;
    } else if (entry.dir === 'sent') {
      this.counts.sent++;
      this.counts.bytesSent += entry.bytes;
    }
    this.window.push(full);
    this.keptBytes += full.text.length;
    while (
      this.window.length - this.head > 1 &&
      (this.window.length - this.head > this.limits.maxEntries ||
        this.keptBytes > this.limits.maxBytes)
    ) {
      this.keptBytes -= this.window[this.head]!.text.length;
      this.head++;
      this.dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window.splice(0, this.head);
      this.head = 0;
    }
    this.save?.write(JSON.stringify(full) + '\n');
    this.version++;
    return full;
  }

  /** A comment or keep-alive: counted, not kept. */
  comment(): void {
    this.counts.comments++;
    this.version++;
  }

  reconnected(): void {
    this.counts.reconnects++;
    this.version++;
  }

  /** The window, oldest first, as a new array. */
  entries(): StreamEntry[] {
    return this.window.slice(this.head);
  }

  /** The entries still in the window that came after entry `seq`, oldest first, as a new array. */
  after(seq: number): StreamEntry[] {
    const newer = Math.min(this.size, Math.max(0, this.nextSeq - 1 - seq));
    return this.window.slice(this.window.length - newer);
  }

  get size(): number {
    return this.window.length - this.head;
  }

  /** Received bytes per second over the last few seconds. */
  rate(now = performance.now()): number {
    const current = Math.floor(now / sliceMs);
    let bytes = 0;
    for (let index = 0; index < slices; index++) {
      const at = this.sliceAt[index]!;
      if (at > current - slices && at <= current) bytes += this.sliceBytes[index]!;
    }
    this.counts.rate = Math.round((bytes * 1000) / rateSpanMs);
    return this.counts.rate;
  }

  /**
   * Writes the window so far and every entry from now on to `file` (JSON Lines, mode 0600).
   * Resolves with a one-line problem, or undefined once the file is open.
   */
  saveTo(file: string): Promise<string | undefined> {
    this.stopSaving();
    return new Promise((resolve) => {
      const out = fs.createWriteStream(file, {flags: 'a', mode: 0o600});
      out.once('open', () => {
        this.save = out;
        this.savingTo = file;
        this.saveError = undefined;
        for (const entry of this.entries()) out.write(JSON.stringify(entry) + '\n');
        this.version++;
        resolve(undefined);
      });
      out.on('error', (error: NodeJS.ErrnoException) => {
        const problem = `cannot write ${file}: ${error.code ?? error.message}`;
        if (this.save === out) this.save = undefined;
        this.savingTo = undefined;
        this.saveError = problem;
        this.version++;
        resolve(problem);
      });
    });
  }

  stopSaving(): void {
    this.save?.end();
    this.save = undefined;
    this.savingTo = undefined;
  }
}

/** The first bytes of a payload as hex, for binary messages, pings and pongs. */
export function hexPreview(bytes: Uint8Array, max = 32): string {
  const shown = Array.from(bytes.subarray(0, max), (byte) => byte.toString(16).padStart(2, '0'));
  return shown.join(' ') + (bytes.length > max ? ' …' : '');
}
