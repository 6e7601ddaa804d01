/**
 * Reading an event stream (text/event-stream, the HTML standard's server-sent events): decoded
 * body chunks in, dispatched events, comments and retry delays out. The bytes are UTF-8 whatever
 * the charset says, a character cut between two chunks is kept whole, and an event that grows
 * past the buffer limit stops the reading with one line rather than filling memory.
 */
import {createParser, type EventSourceMessage, type ParseError} from 'eventsource-parser';
import type {StreamEntry} from './types.js';

export type EventStreamHandlers = {
  /** A dispatched event, with the `retry:` value that came since the one before, if any. */
  event(message: EventSourceMessage, retry: number | undefined): void;
  /** A comment line (`: keep-alive`). */
  comment(): void;
  /** A `retry:` field: the reconnection delay in ms. */
  retry(ms: number): void;
  /** The stream cannot be read on (an event over the limit). */
  fail(problem: string): void;
};

export type EventStreamReader = {
  feed(chunk: Uint8Array): void;
  /** The body ended: an event not yet dispatched is dropped, as the standard says. */
  end(): void;
};

export function createEventStreamReader(
  handlers: EventStreamHandlers,
  maxEventChars: number,
): EventStreamReader {
  const decoder = new TextDecoder('utf-8');
  let retry: number | undefined;
  let failed = false;
  const parser = createParser({
    onEvent(message) {
      const since = retry;
      retry = undefined;
      handlers.event(message, since);
    },
    onComment() {
      handlers.comment();
    },
    onRetry(ms) {
      retry = ms;
      handlers.retry(ms);
    },
    onError(error: ParseError) {
      // Unknown fields and a bad retry value are ignored, as the standard says; only the limit stops it.
      if (error.type !== 'max-buffer-size-exceeded') return;
      failed = true;
      handlers.fail(`an event grew past ${maxEventChars} characters: the stream was not read on`);
    },
    maxBufferSize: maxEventChars,
  });
  return {
    feed(chunk) {
      if (failed) return;
      const text = decoder.decode(chunk, {stream: true});
      if (text !== '') parser.feed(text);
    },
    end() {
      decoder.decode();
      parser.reset();
    },
  };
}

/** A dispatched event as a log entry: its data as the text, its fields as received. */
export function eventEntry(
  message: EventSourceMessage,
  retry: number | undefined,
): Omit<StreamEntry, 'seq' | 'at'> {
  const fields: NonNullable<StreamEntry['event']> = {};
  if (message.id !== undefined) fields.id = message.id;
  if (message.event !== undefined) fields.type = message.event;
  if (retry !== undefined) fields.retry = retry;
  return {
    dir: 'received',
    kind: 'event',
    bytes: Buffer.byteLength(message.data, 'utf8'),
    text: message.data,
    ...(parsesAsJson(message.data) ? {json: true} : {}),
    event: fields,
  };
}

/** Whether the text is a JSON document (an object, an array, a string, a number…). */
export function parsesAsJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `text/event-stream; charset=utf-8` → true. */
export function isEventStreamType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}
