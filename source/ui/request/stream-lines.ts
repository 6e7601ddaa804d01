/**
 * What a stream's tab shows, as sanitized lines: one entry of a WebSocket or an event stream per
 * line (`+1.234s ← text  8 B  hello`), JSON pretty-printed under it; a live body as its text; the
 * status line above the log. Each line knows the entry it came from, so a paused view stays on
 * the same entry while the window moves on. Pure.
 */
import {formatBytes, formatRate} from '../../format.js';
import {formatSeconds} from '../../request/errors.js';
import {sanitizeLine, sanitizeLines} from '../../sanitize.js';
import {closeCodeWords} from '../../stream/close-codes.js';
import type {StreamEntry, StreamSnapshot} from '../../stream/types.js';
import type {StreamFollow} from '../../store/request-state.js';

/**
 * A line of the log: its text (safe to show) and the entry it belongs to (0: before the first,
 * such as the transcript above a live body); `dim` columns at its start are drawn dim.
 */
export type StreamLine = {seq: number; text: string; dim?: number};

/** JSON longer than this is shown as it came, on one line: pretty-printing it costs too much. */
const prettyJsonChars = 64 * 1024;
/** JSON this short (written compactly) stays on its entry's line: `{"n":1}` needs no three lines. */
const compactJsonChars = 60;
/** Lines an entry may take; the rest is counted. */
const maxEntryLines = 40;
/** Characters of one line kept: more than any terminal shows. */
const maxLineChars = 4096;
/** The live body's text shown: its newest part, at most this much. */
const liveBodyChars = 512 * 1024;

const arrows: Record<StreamEntry['dir'], string> = {sent: '→', received: '←', info: '·'};

/** `+1.234s`, milliseconds since the stream opened. */
export function sinceOpen(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}s`;
}

/** The entry's kind, or an event's type as the server named it (made safe, cut to 20). */
function kindWord(entry: StreamEntry): string {
  if (entry.kind === 'event') return sanitizeLine((entry.event?.type ?? 'message').slice(0, 20));
  return entry.kind;
}

/** What follows the size: the payload in a line, or the close code in words. */
function detail(entry: StreamEntry): string {
  if (entry.kind === 'close' && entry.close) {
    const reason = entry.close.reason === '' ? '' : ` · ${entry.close.reason}`;
    return closeCodeWords(entry.close.code) + reason;
  }
  if (entry.kind === 'event' && entry.event?.id !== undefined) {
    return `id ${entry.event.id}  ${entry.text}`;
  }
  return entry.text;
}

/**
 * JSON lines, when the text is an object or an array that parses: one compact line when it is
 * short, else pretty-printed; undefined for anything else.
 */
function prettyJson(text: string): string[] | undefined {
  if (text.length > prettyJsonChars || !/^\s*[[{]/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object') return undefined;
    const compact = JSON.stringify(value);
    if (compact.length <= compactJsonChars) return [compact];
    return JSON.stringify(value, null, 2).split('\n');
  } catch {
    return undefined;
  }
}

function cut(text: string): string {
  return text.length > maxLineChars ? text.slice(0, maxLineChars) : text;
}

/** The lines of one WebSocket or event-stream entry. */
export function entryLines(entry: StreamEntry): StreamLine[] {
  const size = entry.kind === 'note' ? '' : formatBytes(entry.bytes);
  const head = `${sinceOpen(entry.at).padStart(9)} ${arrows[entry.dir]} ${kindWord(entry).padEnd(7)} ${size.padStart(9)}  `;
  const indent = ' '.repeat(head.length);
  const pretty =
    entry.kind === 'text' || entry.kind === 'event' ? prettyJson(entry.text) : undefined;
  const id =
    entry.kind === 'event' && entry.event?.id !== undefined ? `id ${entry.event.id}  ` : '';
  const body = pretty
    ? pretty.map((line, index) => (index === 0 ? id + line : line))
    : sanitizeLines(cut(detail(entry)));
  const shown = body.slice(0, maxEntryLines);
  const lines = shown.map((line, index) => ({
    seq: entry.seq,
    text: (index === 0 ? head : indent) + sanitizeLine(cut(line)),
  }));
  if (body.length > shown.length) {
    lines.push({seq: entry.seq, text: `${indent}… ${body.length - shown.length} more lines`});
  }
  return lines;
}

/** A live body's text as lines (each starting in the chunk it is numbered after), notes between. */
export function bodyLines(entries: readonly StreamEntry[]): StreamLine[] {
  let from = entries.length;
  for (let kept = 0; from > 0 && kept < liveBodyChars;) kept += entries[--from]!.text.length;
  const lines: StreamLine[] = [];
  let open: StreamLine | undefined;
  const close = () => {
    if (open)
      lines.push({seq: open.seq, text: sanitizeLines(open.text.replace(/\r$/, ''))[0] ?? ''});
    open = undefined;
  };
  for (const entry of entries.slice(from)) {
    if (entry.kind !== 'chunk') {
      close();
      lines.push(...entryLines(entry));
      continue;
    }
    const parts = entry.text.split('\n');
    for (const [index, part] of parts.entries()) {
      if (index === 0 && open) {
        // A line that was empty so far starts where its first character came.
        if (open.text === '') open.seq = entry.seq;
        if (open.text.length < maxLineChars) open.text = cut(open.text + part);
        continue;
      }
      close();
      open = {seq: entry.seq, text: cut(part)};
    }
  }
  // A body that ended with a newline leaves an empty line open: not shown.
  if (open && open.text !== '') close();
  return lines;
}

/** The lines of a whole snapshot, entry by entry (memo: an entry's lines are made once). */
export function streamLines(
  snapshot: StreamSnapshot,
  memo?: WeakMap<StreamEntry, StreamLine[]>,
): StreamLine[] {
  if (snapshot.kind === 'body') return bodyLines(snapshot.entries);
  const lines: StreamLine[] = [];
  for (const entry of snapshot.entries) {
    let made = memo?.get(entry);
    if (!made) {
      made = entryLines(entry);
      memo?.set(entry, made);
    }
    for (const line of made) lines.push(line);
  }
  return lines;
}

/** The newest entry's seq (0 before any). */
export function newestSeq(snapshot: StreamSnapshot): number {
  return snapshot.entries.at(-1)?.seq ?? snapshot.dropped;
}

/** The first line shown and the lines shown, following the tail or held where the view was paused. */
export function visibleLines(
  lines: readonly StreamLine[],
  follow: StreamFollow,
  rows: number,
): {top: number; shown: readonly StreamLine[]} {
  const lastTop = Math.max(0, lines.length - rows);
  const top = follow.paused ? Math.min(lastTop, lineOf(lines, follow.top)) : lastTop;
  return {top, shown: lines.slice(top, top + rows)};
}

/** The index of an anchored line (the first line, when its entry has left the window). */
export function lineOf(lines: readonly StreamLine[], anchor: {seq: number; line: number}): number {
  let low = 0;
  let high = lines.length;
  // Lines are in seq order: the first line of the entry is found by bisection.
  while (low < high) {
    const middle = (low + high) >> 1;
    if (lines[middle]!.seq < anchor.seq) low = middle + 1;
    else high = middle;
  }
  if (lines[low]?.seq !== anchor.seq) return low;
  return Math.min(low + anchor.line, lines.length - 1);
}

/** The anchor for the line at `index`: its entry, and how far into the entry's lines it is. */
export function anchorAt(lines: readonly StreamLine[], index: number): {seq: number; line: number} {
  const line = lines[Math.max(0, Math.min(index, lines.length - 1))];
  if (!line) return {seq: 0, line: 0};
  const first = lineOf(lines, {seq: line.seq, line: 0});
  return {seq: line.seq, line: Math.max(0, index - first)};
}

/** `open · ↓ 12 msgs 1.2 KiB · ↑ 3 msgs 40 B · 2.0 KiB/s`, and what else is worth saying. */
export function streamStatusText(snapshot: StreamSnapshot): string {
  const {status, counts} = snapshot;
  const noun = snapshot.kind === 'sse' ? 'events' : snapshot.kind === 'body' ? 'chunks' : 'msgs';
  /** `1 msg`, `2 msgs`: the noun as the count wants it. */
  const unit = (count: number) => (count === 1 ? noun.replace(/s$/, '') : noun);
  const parts: string[] = [];
  switch (status.state) {
    case 'connecting':
      parts.push('connecting');
      break;
    case 'open':
      parts.push('open');
      break;
    case 'closing':
      parts.push('closing');
      break;
    case 'reconnecting':
      parts.push(`reconnecting in ${formatSeconds(status.inMs)} (attempt ${status.attempt})`);
      break;
    case 'closed': {
      const words =
        status.code !== undefined && !status.why.includes(String(status.code))
          ? ` (${closeCodeWords(status.code)})`
          : '';
      parts.push(`closed: ${status.why}${words}`);
      break;
    }
  }
  parts.push(`↓ ${counts.received} ${unit(counts.received)} ${formatBytes(counts.bytesReceived)}`);
  if (snapshot.kind === 'websocket') {
    parts.push(`↑ ${counts.sent} ${unit(counts.sent)} ${formatBytes(counts.bytesSent)}`);
  }
  if (status.state !== 'closed') parts.push(formatRate(counts.rate));
  if (snapshot.protocol !== undefined) parts.push(`protocol ${snapshot.protocol}`);
  if (snapshot.kind === 'sse') {
    if (counts.comments > 0) {
      parts.push(`${counts.comments} comment${counts.comments === 1 ? '' : 's'}`);
    }
    if (counts.reconnects > 0) {
      parts.push(`${counts.reconnects} reconnect${counts.reconnects === 1 ? '' : 's'}`);
    }
    if (snapshot.lastEventId !== undefined && snapshot.lastEventId !== '') {
      parts.push(`last id ${snapshot.lastEventId}`);
    }
  }
  if (snapshot.dropped > 0) parts.push(`${snapshot.dropped} dropped (older than the window)`);
  if (snapshot.savingTo !== undefined) parts.push(`saving to ${snapshot.savingTo}`);
  if (snapshot.saveError !== undefined) parts.push(`✗ ${snapshot.saveError}`);
  return sanitizeLine(parts.join(' · '));
}
