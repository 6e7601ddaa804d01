/** Event streams and live bodies as sessions, against a real server on loopback. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {RequestOptions, RequestResult} from '../../source/request/types.js';
import {openHttpStream} from '../../source/stream/http-stream.js';
import type {StreamEntry, StreamSession, StreamStatus} from '../../source/stream/types.js';
import {closedPort} from '../helpers/servers.js';
import {controlText, startSseServer, type SseFixture} from '../helpers/sse-server.js';
import {waitFor} from '../helpers/wait.js';

let fixture: SseFixture;
const sessions: StreamSession[] = [];

beforeEach(async () => {
  fixture = await startSseServer();
});

afterEach(async () => {
  for (const session of sessions.splice(0)) session.close();
  await fixture.close();
});

function open(pathAndQuery: string, extra: Partial<Parameters<typeof openHttpStream>[0]> = {}) {
  const session = openHttpStream({url: fixture.url + pathAndQuery, flushMs: 10, ...extra});
  sessions.push(session);
  return session;
}

const ofKind = (session: StreamSession, kind: StreamEntry['kind']) =>
  session.snapshot().entries.filter((entry) => entry.kind === kind);

const state = (session: StreamSession) => session.snapshot().status.state;

const requestsTo = (pathname: string) => fixture.requests.filter((each) => each.path === pathname);

describe('an event stream', () => {
  it('shows events while the response is still open, with their ids, types and JSON', async () => {
    const session = open('/events?n=4&everyMs=150');
    await waitFor(() => ofKind(session, 'event').length >= 2, 'two events');
    // The server has more to send: what came is shown before the response ends.
    expect(ofKind(session, 'event').length).toBeLessThan(4);
    expect(state(session)).toBe('open');
    expect(session.kind).toBe('sse');

    await waitFor(() => ofKind(session, 'event').length === 4, 'all four events');
    const events = ofKind(session, 'event');
    expect(events.map((entry) => [entry.text, entry.bytes, entry.json, entry.event])).toEqual(
      [1, 2, 3, 4].map((n) => [`{"n":${n}}`, 7, true, {id: String(n), type: 'tick'}]),
    );
    const at = events.map((entry) => entry.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(300);

    const snapshot = session.snapshot();
    expect(snapshot.lastEventId).toBe('4');
    // Keep-alive comments are counted, never logged.
    expect(snapshot.counts.comments).toBe(3);
    expect(snapshot.entries.some((entry) => entry.text.includes('keep-alive'))).toBe(false);
    expect(snapshot.counts.received).toBe(4);
    // The server keeps the response open after the last event.
    expect(snapshot.status.state).toBe('open');

    session.close();
    expect(await session.done).toEqual({state: 'closed', why: 'closed by you'});
    const result = await session.opened;
    expect(result.response?.status).toBe(200);
    expect(result.response?.contentType).toBe('text/event-stream');
  });

  it('says sending is impossible: an event stream is one-way', async () => {
    const session = open('/events?n=1');
    await waitFor(() => session.kind === 'sse', 'the head');
    expect(session.sendText('hi')).toBe('an event stream is one-way: nothing can be sent');
    expect(session.sendBinary(new Uint8Array([1]))).toBe(
      'an event stream is one-way: nothing can be sent',
    );
    expect(session.ping()).toBe('an event stream is one-way: nothing can be sent');
    expect(session.snapshot().counts.sent).toBe(0);
  });

  it('asks again with Last-Event-ID when the server ends it, and goes on without duplicates', async () => {
    const statuses: StreamStatus[] = [];
    const session = open('/drop?n=3&retry=0');
    session.subscribe(() => statuses.push(session.snapshot().status));
    await waitFor(() => ofKind(session, 'event').length >= 9, 'three responses of events', 15_000);
    const drops = requestsTo('/drop');
    expect(drops.slice(0, 3).map((each) => each.lastEventId)).toEqual([undefined, '3', '6']);
    expect(
      ofKind(session, 'event')
        .slice(0, 9)
        .map((entry) => entry.event?.id),
    ).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const snapshot = session.snapshot();
    expect(snapshot.counts.reconnects).toBeGreaterThanOrEqual(2);
    expect(snapshot.lastEventId).toBe(ofKind(session, 'event').at(-1)?.event?.id);
    expect(statuses).toContainEqual({state: 'reconnecting', attempt: 1, inMs: 1000});
    expect(ofKind(session, 'note').map((entry) => entry.text)).toContain(
      'the server ended the event stream after 3 events; reconnecting in 1.0 s with Last-Event-ID 3',
    );
  });

  it('waits the standard 3 s before asking again when the server names no delay', async () => {
    const session = open('/drop?n=1');
    await waitFor(() => state(session) === 'reconnecting', 'the wait to reconnect');
    expect(session.snapshot().status).toEqual({state: 'reconnecting', attempt: 1, inMs: 3000});
    session.close();
    expect((await session.done).why).toBe('closed by you');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requestsTo('/drop')).toHaveLength(1);
  });

  it('asks again no more than once a second after retry: 0, and not at all once closed', async () => {
    const session = open('/retry0');
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const attempts = requestsTo('/retry0').length;
    // A browser would ask again at once, every time; here one attempt a second at most.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(Math.floor((performance.now() - started) / 1000) + 1);
    expect(attempts).toBeLessThanOrEqual(4);
    expect(
      requestsTo('/retry0')
        .slice(1)
        .every((each) => each.lastEventId !== undefined),
    ).toBe(true);
    session.close();
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(requestsTo('/retry0')).toHaveLength(attempts);
    expect(session.snapshot().status).toEqual({state: 'closed', why: 'closed by you'});
  });

  it('ends when the answer on reconnecting is not an event stream', async () => {
    const session = open('/then-plain?n=2&retry=0');
    const closed = await session.done;
    expect(closed.why).toBe(
      'asked again, the server answered 200 OK (text/plain), not an event stream: the event stream is over',
    );
    expect(ofKind(session, 'event')).toHaveLength(2);
    expect(requestsTo('/then-plain').map((each) => each.lastEventId)).toEqual([undefined, '2']);
    expect(session.kind).toBe('sse');
  });

  it('reconnects at once when asked, sending the last id', async () => {
    const session = open('/events?n=3&everyMs=20');
    await waitFor(() => ofKind(session, 'event').length === 3, 'three events');
    session.reconnect();
    await waitFor(() => requestsTo('/events').length === 2, 'a second request');
    expect(requestsTo('/events')[1]?.lastEventId).toBe('3');
    await waitFor(() => state(session) === 'open', 'open again');
    expect(session.snapshot().counts.reconnects).toBe(1);
    // Nothing after id 3 to send: no event twice.
    expect(ofKind(session, 'event')).toHaveLength(3);
  });

  it('keeps control sequences in the data raw (the view sanitizes them)', async () => {
    const session = open('/control');
    await waitFor(() => ofKind(session, 'event').length === 1, 'the event');
    expect(ofKind(session, 'event')[0]?.text).toBe(controlText);
    expect(ofKind(session, 'event')[0]?.json).toBeUndefined();
  });

  it('writes what passed and what comes next to a file, as JSON lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porthole-stream-'));
    const file = path.join(dir, 'events.jsonl');
    try {
      const session = open('/events?n=3&everyMs=100');
      await waitFor(() => ofKind(session, 'event').length >= 1, 'the first event');
      expect(await session.saveTo(file)).toBeUndefined();
      expect(session.snapshot().savingTo).toBe(file);
      await waitFor(() => ofKind(session, 'event').length === 3, 'all three events');
      session.close();
      await waitFor(
        () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('closed by you'),
        'the file to end with the close',
      );
      const lines = fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as StreamEntry);
      expect(lines.filter((each) => each.kind === 'event').map((each) => each.event?.id)).toEqual([
        '1',
        '2',
        '3',
      ]);
      expect(lines.at(-1)).toMatchObject({kind: 'note', dir: 'info', text: 'closed by you'});
      expect(lines.map((each) => each.seq)).toEqual(lines.map((_, index) => index + 1));
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
    }
  });

  it('stops when the caller aborts its signal', async () => {
    const controller = new AbortController();
    const session = open('/events?n=100&everyMs=50', {signal: controller.signal});
    await waitFor(() => ofKind(session, 'event').length >= 1, 'an event');
    controller.abort();
    expect((await session.done).why).toBe('closed by you');
    const count = session.snapshot().counts.received;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(session.snapshot().counts.received).toBe(count);
  });
});

describe('a live body', () => {
  it('shows each chunk as it arrives, timed from the head, and ends with the body', async () => {
    const session = open('/trickle?chunks=5&everyMs=120');
    await waitFor(() => ofKind(session, 'chunk').length >= 1, 'the first chunk');
    expect(state(session)).toBe('open');
    expect(ofKind(session, 'chunk').length).toBeLessThan(5);
    expect(session.kind).toBe('body');

    const closed = await session.done;
    expect(closed.why).toBe('the server ended the response after 40 bytes');
    const chunks = ofKind(session, 'chunk');
    expect(chunks.map((entry) => entry.text).join('')).toBe(
      'chunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\n',
    );
    // Writes 120 ms apart are read apart, even on a busy machine, most of the time.
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const at = chunks.map((entry) => entry.at);
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThan(at[i - 1]!);
    expect(chunks.reduce((sum, entry) => sum + entry.bytes, 0)).toBe(40);
    expect(session.snapshot().counts.bytesReceived).toBe(40);
    expect(session.sendText('x')).toBe('a response body is one-way: nothing can be sent');
  });

  it('keeps an endless body to the window, counts what left it, and stops when closed', async () => {
    const session = open('/trickle?chunks=0&everyMs=5', {limits: {maxEntries: 5}});
    await waitFor(() => session.snapshot().dropped >= 10, 'ten entries dropped');
    const snapshot = session.snapshot();
    expect(snapshot.entries.length).toBeLessThanOrEqual(5);
    expect(snapshot.counts.received).toBe(snapshot.entries.length + snapshot.dropped);
    expect(snapshot.entries.at(-1)!.seq).toBe(snapshot.counts.received);
    expect(snapshot.status.state).toBe('open');

    session.close();
    expect(await session.done).toEqual({state: 'closed', why: 'closed by you'});
    const result = await session.opened;
    expect(result.error?.code).toBe('aborted');
    expect(result.response?.status).toBe(200);
    const received = session.snapshot().counts.received;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(session.snapshot().counts.received).toBe(received);
  });

  it('keeps a UTF-8 character whole when the server cuts it between writes', async () => {
    const session = open('/split');
    await session.done;
    const chunks = ofKind(session, 'chunk');
    expect(chunks.map((entry) => entry.text).join('')).toBe('café 🙂\n');
    expect(chunks.some((entry) => entry.text.includes('\uFFFD'))).toBe(false);
    expect(chunks.reduce((sum, entry) => sum + entry.bytes, 0)).toBe(11);
  });

  it('ends a short answer normally, its body in the result', async () => {
    const session = open('/plain');
    const closed = await session.done;
    expect(closed).toEqual({state: 'closed', why: 'the server ended the response after 6 bytes'});
    expect(ofKind(session, 'chunk').map((entry) => entry.text)).toEqual(['hello\n']);
    const result = await session.opened;
    expect(result.error).toBeUndefined();
    expect(Buffer.from(result.response!.body).toString()).toBe('hello\n');
  });

  it('sends the request again when asked, without Last-Event-ID', async () => {
    const session = open('/trickle?chunks=0&everyMs=30');
    await waitFor(() => ofKind(session, 'chunk').length >= 2, 'two chunks');
    session.reconnect();
    await waitFor(() => requestsTo('/trickle').length === 2, 'the request sent again');
    expect(requestsTo('/trickle').map((each) => each.lastEventId)).toEqual([undefined, undefined]);
    await waitFor(
      () =>
        ofKind(session, 'chunk').some((entry, index) => index > 0 && entry.text === 'chunk 1\n'),
      'the body from its start again',
    );
    expect(ofKind(session, 'note').map((entry) => entry.text)).toContain(
      'sending the request again',
    );
  });

  it('closes with one line when the connection is refused', async () => {
    const port = await closedPort();
    const session = openHttpStream({url: `http://127.0.0.1:${port}/events`});
    sessions.push(session);
    const closed = await session.done;
    expect(closed.why).toMatch(/refused/);
    expect(closed.why).not.toMatch(/\n/);
    expect((await session.opened).error?.code).toBe('refused');
    expect(ofKind(session, 'note').map((entry) => entry.text)).toEqual([closed.why]);
  });
});

describe('reconnecting, timed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An engine that answers `text/event-stream` and ends at once, without an event. */
  function emptyEventStreams() {
    const sent: RequestOptions[] = [];
    const send = (options: RequestOptions): Promise<RequestResult> => {
      sent.push(options);
      options.onEvent?.({
        type: 'response-head',
        informational: false,
        at: 0,
        exchange: 0,
        head: {
          httpVersion: '1.1',
          status: 200,
          statusText: 'OK',
          headers: [['Content-Type', 'text/event-stream']],
          lines: [],
          warnings: [],
        },
      });
      return Promise.resolve({
        response: undefined,
        error: undefined,
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
      });
    };
    return {sent, send};
  }

  it('backs off after failed connections and waits the base delay again once an event comes', async () => {
    vi.useFakeTimers();
    const engine = emptyEventStreams();
    // Attempts 2 and 3 are refused; the others answer with one event each.
    const send = async (options: RequestOptions): Promise<RequestResult> => {
      const result = await engine.send(options);
      const attempt = engine.sent.length;
      if (attempt === 2 || attempt === 3) {
        return {...result, error: {code: 'refused', message: 'connection refused by 127.0.0.1:1'}};
      }
      await options.onBodyChunk?.(Buffer.from(`id: ${attempt}\ndata: hello\n\n`));
      return result;
    };
    const session = openHttpStream({url: 'http://127.0.0.1:1/sse', send});
    sessions.push(session);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(0);
      const status = session.snapshot().status;
      if (status.state !== 'reconnecting') break;
      waits.push(status.inMs);
      await vi.advanceTimersByTimeAsync(status.inMs);
    }
    expect(waits).toEqual([3000, 6000, 12_000, 3000]);
    expect(engine.sent.map((each) => JSON.stringify(each.headers ?? null))).toEqual([
      'null',
      '[["Last-Event-ID","1"]]',
      '[["Last-Event-ID","1"]]',
      '[["Last-Event-ID","1"]]',
      '[["Last-Event-ID","4"]]',
    ]);
    expect(
      ofKind(session, 'note')
        .map((entry) => entry.text)
        .slice(0, 4),
    ).toEqual([
      'the server ended the event stream after 1 event; reconnecting in 3.0 s with Last-Event-ID 1',
      'connection refused by 127.0.0.1:1; reconnecting in 6.0 s with Last-Event-ID 1',
      'connection refused by 127.0.0.1:1; reconnecting in 12 s with Last-Event-ID 1',
      'the server ended the event stream after 1 event; reconnecting in 3.0 s with Last-Event-ID 4',
    ]);
  });

  it('backs off while attempts bring no event and gives up after ten in a row', async () => {
    vi.useFakeTimers();
    const engine = emptyEventStreams();
    const session = openHttpStream({url: 'http://127.0.0.1:1/sse', send: engine.send});
    sessions.push(session);
    const waits: number[] = [];
    for (let i = 0; i < 12 && state(session) !== 'closed'; i++) {
      await vi.advanceTimersByTimeAsync(0);
      const status = session.snapshot().status;
      if (status.state !== 'reconnecting') break;
      waits.push(status.inMs);
      await vi.advanceTimersByTimeAsync(status.inMs);
    }
    // The standard's 3 s, doubled after each attempt without an event, up to 30 s.
    expect(waits).toEqual([6000, 12_000, 24_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(engine.sent).toHaveLength(10);
    const closed = await session.done;
    expect(closed.why).toBe(
      'gave up after 10 attempts in a row without an event (the last: the server ended the event stream after 0 events)',
    );
    expect(session.snapshot().counts.reconnects).toBe(9);
  });
});
