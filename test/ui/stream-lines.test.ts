/** A stream's log as lines, the held view's anchor, and the message line's reading. */
import {describe, expect, it} from 'vitest';
import {
  anchorAt,
  bodyLines,
  entryLines,
  lineOf,
  streamStatusText,
  visibleLines,
} from '../../source/ui/request/stream-lines.js';
import {readMessageInput} from '../../source/ui/request/message-input.js';
import type {StreamEntry, StreamSnapshot} from '../../source/stream/types.js';

const entry = (seq: number, rest: Partial<StreamEntry>): StreamEntry => ({
  seq,
  at: 1234,
  dir: 'received',
  kind: 'text',
  bytes: 0,
  text: '',
  ...rest,
});

const snapshot = (rest: Partial<StreamSnapshot>): StreamSnapshot => ({
  kind: 'websocket',
  url: 'ws://127.0.0.1/',
  status: {state: 'open', since: 0},
  entries: [],
  dropped: 0,
  counts: {
    received: 0,
    sent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    comments: 0,
    reconnects: 0,
    rate: 0,
  },
  version: 1,
  ...rest,
});

describe('stream lines', () => {
  it('writes an entry as time, direction, kind, size and text; short JSON on its line, longer JSON pretty under it', () => {
    expect(entryLines(entry(1, {dir: 'sent', bytes: 5, text: 'hello'}))[0]?.text).toBe(
      '  +1.234s → text          5 B  hello',
    );
    const short = entryLines(entry(2, {bytes: 9, text: '{ "n": 1 }'})).map((line) => line.text);
    expect(short).toEqual(['  +1.234s ← text          9 B  {"n":1}']);
    const text = JSON.stringify({name: 'a name long enough', items: [1, 2], nested: {deep: true}});
    const long = entryLines(entry(2, {bytes: text.length, text})).map((line) => line.text);
    expect(long[0]).toBe(`  +1.234s ← text         ${text.length} B  {`);
    expect(long).toContain('                                 "name": "a name long enough",');
    expect(long.at(-1)).toBe('                               }');
    // A JSON number or string is text as it came.
    expect(entryLines(entry(3, {text: '42'}))).toHaveLength(1);
  });

  it('says a close in words and keeps control characters inert', () => {
    const close = entryLines(
      entry(1, {kind: 'close', bytes: 5, text: '', close: {code: 4001, reason: 'bye'}}),
    );
    expect(close[0]?.text).toContain('← close         5 B  4001 application-defined · bye');
    const hostile = entryLines(entry(2, {text: '\u001b[2Jgone\u0007'}));
    expect(hostile[0]?.text).toContain('^[[2Jgone^G');
    expect(hostile[0]?.text).not.toContain('\u001b');
  });

  it('shows an event with its type and id, and a long one cut to a count of lines', () => {
    const event = entryLines(
      entry(1, {kind: 'event', text: '{"a":[1,2]}', bytes: 11, event: {id: '7', type: 'tick'}}),
    );
    expect(event[0]?.text).toBe('  +1.234s ← tick         11 B  id 7  {"a":[1,2]}');
    // The event's type comes from the server too.
    const named = entryLines(entry(3, {kind: 'event', text: 'x', event: {type: '\u001b[31mred'}}));
    expect(named[0]?.text).toContain('← ^[[31mred ');
    const long = entryLines(entry(2, {text: Array.from({length: 100}, (_, i) => i).join('\n')}));
    expect(long).toHaveLength(41);
    expect(long.at(-1)?.text.trim()).toBe('… 60 more lines');
  });

  it('joins a live body across chunks into lines, each numbered by the chunk it starts in', () => {
    const lines = bodyLines([
      entry(1, {kind: 'chunk', text: 'one\ntw'}),
      entry(2, {kind: 'chunk', text: 'o\r\nthree\n'}),
      entry(3, {kind: 'chunk', text: 'fo\tur'}),
    ]);
    expect(lines).toEqual([
      {seq: 1, text: 'one'},
      {seq: 1, text: 'two'},
      {seq: 2, text: 'three'},
      {seq: 3, text: 'fo      ur'},
    ]);
  });

  it('holds a paused view on its entry while older ones leave the window', () => {
    const lines = [1, 2, 3, 4].flatMap((seq) => [
      {seq, text: `${seq}a`},
      {seq, text: `${seq}b`},
    ]);
    const anchor = anchorAt(lines, 3);
    expect(anchor).toEqual({seq: 2, line: 1});
    // Entry 1 left the window: the same line is found two lines higher up.
    expect(lineOf(lines.slice(2), anchor)).toBe(1);
    const held = visibleLines(lines.slice(2), {paused: true, top: anchor, seen: 4}, 2);
    expect(held.shown.map((line) => line.text)).toEqual(['2b', '3a']);
    const following = visibleLines(lines, {paused: false}, 3);
    expect(following.shown.map((line) => line.text)).toEqual(['3b', '4a', '4b']);
  });

  it('says the state and counts in the status line', () => {
    const closed = snapshot({
      status: {state: 'closed', code: 1006, why: 'lost'},
      dropped: 12,
      counts: {...snapshot({}).counts, received: 3, bytesReceived: 2048},
    });
    expect(streamStatusText(closed)).toBe(
      'closed: lost (1006 abnormal closure: the connection was lost without a close frame) · ↓ 3 msgs 2.0 KiB · ↑ 0 msgs 0 B · 12 dropped (older than the window)',
    );
    const sse = snapshot({
      kind: 'sse',
      status: {state: 'reconnecting', attempt: 2, inMs: 3000},
      counts: {...snapshot({}).counts, comments: 4},
      lastEventId: '9',
    });
    expect(streamStatusText(sse)).toBe(
      'reconnecting in 3.0 s (attempt 2) · ↓ 0 events 0 B · 0 B/s · 4 comments · last id 9',
    );
  });
});

describe('the message line', () => {
  it('reads text, hex for binary, /ping and /close with a code and reason', () => {
    expect(readMessageInput('hello')).toEqual({send: 'text', text: 'hello'});
    expect(readMessageInput('hex:0a 1b:FF')).toEqual({
      send: 'binary',
      bytes: Uint8Array.from([0x0a, 0x1b, 0xff]),
    });
    expect(readMessageInput('/ping')).toEqual({send: 'ping'});
    expect(readMessageInput('/close')).toEqual({send: 'close', code: 1000, reason: ''});
    expect(readMessageInput('/close 4000 all done')).toEqual({
      send: 'close',
      code: 4000,
      reason: 'all done',
    });
  });

  it('says in one line what it cannot send', () => {
    expect(readMessageInput('hex:0g')).toEqual({
      problem: "not hex: 'g' (hex:0a1bff, two digits a byte)",
    });
    expect(readMessageInput('hex:abc')).toEqual({
      problem: 'odd number of hex digits (3): two digits a byte',
    });
    expect(readMessageInput('/close 1006')).toMatchObject({
      problem: expect.stringContaining('close code 1006 cannot be sent') as string,
    });
    expect(readMessageInput(`/close 1000 ${'x'.repeat(124)}`)).toEqual({
      problem: 'a close reason is at most 123 bytes',
    });
  });
});
