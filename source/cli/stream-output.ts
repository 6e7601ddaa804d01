/**
 * What `porthole request` writes for a stream, as websocat and curl -N print one: each WebSocket
 * message received on its own line, each event's data as its lines. A pipe gets the payloads as
 * they came (a binary message's bytes raw); a terminal gets them made safe to show (a binary
 * message as hex). With --json-result, one JSON object a line instead. Pure.
 */
import type {StreamEntry} from '../stream/types.js';
import {sanitizeLines} from '../sanitize.js';
import {jsonLine} from './request-json.js';

export type StreamFormat = {
  /** stdout is a terminal: text is made safe to show, binary is written as hex. */
  terminal: boolean;
  /** --json-result: one JSON object per message or event. */
  json: boolean;
};

/** A WebSocket message or frame in --json-result (binary payloads as hex, as --binary reads them). */
export type JsonMessage = Pick<StreamEntry, 'at' | 'dir' | 'kind' | 'bytes' | 'text'> &
  Pick<StreamEntry, 'json' | 'close'>;

/** An event in --json-result: its id and type as received (type `message` when none was sent). */
export type JsonEvent = {at: number; id: string | null; event: string; data: string; json?: true};

/**
 * What stdout gets for one entry of a WebSocket session (undefined: nothing). `payload` is a
 * binary message's whole payload; without it the entry's hex preview stands in.
 */
export function messageOutput(
  entry: StreamEntry,
  format: StreamFormat,
  payload?: Uint8Array,
): string | Uint8Array | undefined {
  if (entry.kind === 'note' || (entry.dir === 'info' && !(format.json && entry.kind === 'close'))) {
    return undefined;
  }
  const binary = entry.kind === 'binary' || entry.kind === 'ping' || entry.kind === 'pong';
  if (format.json) {
    const message: JsonMessage = {
      at: entry.at,
      dir: entry.dir,
      kind: entry.kind,
      bytes: entry.bytes,
      text: binary && payload !== undefined ? hexText(payload) : entry.text,
      ...(entry.json === true ? {json: true} : {}),
      ...(entry.close === undefined ? {} : {close: entry.close}),
    };
    return jsonLine(message);
  }
  if (entry.dir !== 'received') return undefined;
  if (entry.kind === 'text') return textOutput(entry.text, format.terminal);
  if (entry.kind !== 'binary') return undefined;
  if (payload === undefined) return entry.text.replace(/ /g, '') + '\n';
  return format.terminal ? hexText(payload) + '\n' : payload;
}

/** What stdout gets for one entry of an event stream: an event's data lines, or its JSON. */
export function eventOutput(entry: StreamEntry, format: StreamFormat): string | undefined {
  if (entry.kind !== 'event') return undefined;
  if (format.json) {
    const event: JsonEvent = {
      at: entry.at,
      id: entry.event?.id ?? null,
      event: entry.event?.type ?? 'message',
      data: entry.text,
      ...(entry.json === true ? {json: true as const} : {}),
    };
    return jsonLine(event);
  }
  return textOutput(entry.text, format.terminal);
}

/** A text payload and its newline: as it came for a pipe, its lines made safe for a terminal. */
function textOutput(text: string, terminal: boolean): string {
  return (terminal ? sanitizeLines(text).join('\n') : text) + '\n';
}

/** Bytes as hex digits, two a byte and nothing between: what --binary reads back. */
export function hexText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** One --binary line: hex digits, any spaces between them; a one-line problem when it is not. */
export function parseHexLine(line: string): Uint8Array | string {
  const digits = line.replace(/\s+/g, '');
  if (/[^0-9a-f]/i.test(digits)) return 'not hex: only 0-9 and a-f, two digits a byte';
  if (digits.length % 2 === 1) return 'an odd number of hex digits: two digits a byte';
  return Buffer.from(digits, 'hex');
}
