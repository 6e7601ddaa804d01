/** Reading an event stream from chunks, whatever way the bytes are cut. */
import {describe, expect, it} from 'vitest';
import type {EventSourceMessage} from 'eventsource-parser';
import {
  createEventStreamReader,
  eventEntry,
  isEventStreamType,
  parsesAsJson,
} from '../../source/stream/event-stream.js';
import {createLiveBodyReader} from '../../source/stream/live-body.js';
import {withLastEventId} from '../../source/stream/http-stream.js';

function reader(maxEventChars = 1024 * 1024) {
  const seen = {
    events: [] as Array<{message: EventSourceMessage; retry: number | undefined}>,
    comments: 0,
    retries: [] as number[],
    problems: [] as string[],
  };
  const read = createEventStreamReader(
    {
      event: (message, retry) => seen.events.push({message, retry}),
      comment: () => seen.comments++,
      retry: (ms) => seen.retries.push(ms),
      fail: (problem) => seen.problems.push(problem),
    },
    maxEventChars,
  );
  return {read, seen};
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('createEventStreamReader', () => {
  it('dispatches events with their id, type and data, and counts comments', () => {
    const {read, seen} = reader();
    read.feed(bytes('id: 1\nevent: tick\ndata: {"n":1}\n\n: keep-alive\n\ndata: plain\n\n'));
    expect(seen.events.map((each) => each.message)).toEqual([
      {id: '1', event: 'tick', data: '{"n":1}'},
      {id: undefined, event: undefined, data: 'plain'},
    ]);
    expect(seen.comments).toBe(1);
  });

  it('keeps an event whole when it is cut between chunks, a multi-byte character included', () => {
    const {read, seen} = reader();
    const whole = bytes('id: 7\r\ndata: café 🙂\r\ndata: line two\r\n\r\n');
    // Cut inside é and inside the emoji, and between CR and LF.
    const cuts = [3, 14, 15, 19, 21, 33, whole.length];
    let from = 0;
    for (const to of cuts) {
      read.feed(whole.subarray(from, to));
      from = to;
    }
    expect(seen.events.map((each) => each.message)).toEqual([
      {id: '7', event: undefined, data: 'café 🙂\nline two'},
    ]);
  });

  it('tells the retry delay and attaches it to the next event only', () => {
    const {read, seen} = reader();
    read.feed(bytes('retry: 0\n\ndata: a\n\ndata: b\n\nretry: 2500\ndata: c\n\n'));
    expect(seen.retries).toEqual([0, 2500]);
    expect(seen.events.map((each) => [each.message.data, each.retry])).toEqual([
      ['a', 0],
      ['b', undefined],
      ['c', 2500],
    ]);
  });

  it('drops an event not yet dispatched when the body ends', () => {
    const {read, seen} = reader();
    read.feed(bytes('data: one\n\ndata: half'));
    read.end();
    expect(seen.events.map((each) => each.message.data)).toEqual(['one']);
  });

  it('stops with one line when an event grows past the limit', () => {
    const {read, seen} = reader(100);
    read.feed(bytes('data: ' + 'x'.repeat(60)));
    read.feed(bytes('x'.repeat(60)));
    read.feed(bytes('\n\ndata: after\n\n'));
    expect(seen.problems).toEqual([
      'an event grew past 100 characters: the stream was not read on',
    ]);
    expect(seen.events).toEqual([]);
  });
});

describe('eventEntry', () => {
  it('is the data as text, its UTF-8 length, json when it parses, the fields as received', () => {
    expect(eventEntry({id: '3', event: 'tick', data: '{"n":3}'}, 1000)).toEqual({
      dir: 'received',
      kind: 'event',
      bytes: 7,
      text: '{"n":3}',
      json: true,
      event: {id: '3', type: 'tick', retry: 1000},
    });
    expect(eventEntry({id: undefined, event: undefined, data: 'é not json'}, undefined)).toEqual({
      dir: 'received',
      kind: 'event',
      bytes: 11,
      text: 'é not json',
      event: {},
    });
  });

  it('keeps control characters raw: showing them safely is the view’s job', () => {
    const data = '\u001b]0;pwned\u0007\u001b[2J';
    expect(eventEntry({id: undefined, event: undefined, data}, undefined).text).toBe(data);
  });
});

describe('parsesAsJson and isEventStreamType', () => {
  it('tells JSON from text', () => {
    expect(parsesAsJson('{"a":[1,2]}')).toBe(true);
    expect(parsesAsJson(' 42 ')).toBe(true);
    expect(parsesAsJson('')).toBe(false);
    expect(parsesAsJson('{a:1}')).toBe(false);
    expect(parsesAsJson('hello')).toBe(false);
  });

  it('reads the media type whatever its case and parameters', () => {
    expect(isEventStreamType('text/event-stream')).toBe(true);
    expect(isEventStreamType('Text/Event-Stream; charset=utf-8')).toBe(true);
    expect(isEventStreamType('text/plain')).toBe(false);
    expect(isEventStreamType(undefined)).toBe(false);
  });
});

describe('createLiveBodyReader', () => {
  it('decodes a character cut between chunks in the chunk that completes it', () => {
    const body = createLiveBodyReader();
    const texts = [
      [0x63, 0x61, 0x66, 0xc3],
      [0xa9, 0x20, 0xf0, 0x9f],
      [0x99, 0x82],
    ].map((each) => body.chunk(Uint8Array.from(each)));
    expect(texts.map((each) => [each.text, each.bytes])).toEqual([
      ['caf', 4],
      ['é ', 4],
      ['🙂', 2],
    ]);
    expect(body.end()).toBe('');
  });
});

describe('withLastEventId', () => {
  it('replaces a given Last-Event-ID in either headers form', () => {
    expect(
      withLastEventId(
        [
          ['Accept', 'text/event-stream'],
          ['last-event-id', 'old'],
        ],
        '9',
      ),
    ).toEqual([
      ['Accept', 'text/event-stream'],
      ['Last-Event-ID', '9'],
    ]);
    expect(withLastEventId({'LAST-EVENT-ID': 'old', 'X-A': 'b'}, '9')).toEqual([
      ['X-A', 'b'],
      ['Last-Event-ID', '9'],
    ]);
  });

  it('leaves the headers as given before any id, and sends none once the server cleared it', () => {
    const given = {'Last-Event-ID': 'from the user'};
    expect(withLastEventId(given, undefined)).toBe(given);
    expect(withLastEventId(given, '')).toEqual([]);
  });
});
