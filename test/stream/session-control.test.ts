/**
 * What a caller does to a running stream: a reader slower than the stream holds it back (pause()
 * stops reading, resume() goes on, nothing lost), and one that was over opens again (reconnect()).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openHttpStream} from '../../source/stream/http-stream.js';
import type {StreamSession} from '../../source/stream/types.js';
import {openWebSocket} from '../../source/stream/websocket.js';
import {startSseServer, type SseFixture} from '../helpers/sse-server.js';
import {waitFor} from '../helpers/wait.js';
import {startWsServer, type WsFixture} from '../helpers/ws-server.js';

let ws: WsFixture;
let sse: SseFixture;

beforeAll(async () => {
  [ws, sse] = await Promise.all([startWsServer(), startSseServer()]);
});

afterAll(async () => {
  await Promise.all([ws.close(), sse.close()]);
});

/** Bytes received: a paused body's chunks come joined into fewer reads after resume(). */
const received = (session: StreamSession) => session.snapshot().counts.bytesReceived;
const bytesOf = (texts: string[]) => texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heldThenResumed(session: StreamSession, total: number): Promise<void> {
  try {
    await waitFor(() => received(session) >= 1, 'the first message');
    session.pause();
    // What was already read may still come; after that nothing while paused.
    await sleep(100);
    const atPause = received(session);
    await sleep(400);
    expect(received(session)).toBe(atPause);
    expect(atPause).toBeLessThan(total);
    session.resume();
    await waitFor(() => received(session) >= total, 'every message after resume()');
  } finally {
    session.close();
  }
}

describe('a stream read slower than it comes', () => {
  it('a WebSocket stops reading while paused and delivers every message after', async () => {
    const session = openWebSocket({url: `${ws.url}/push?n=40&everyMs=10`, timeoutMs: 10_000});
    await heldThenResumed(session, bytesOf(Array.from({length: 40}, (_, i) => `{"n":${i + 1}}`)));
    const numbers = session
      .snapshot()
      .entries.filter((entry) => entry.kind === 'text')
      .map((entry) => (JSON.parse(entry.text) as {n: number}).n);
    expect(numbers).toEqual(Array.from({length: 40}, (_, i) => i + 1));
  });

  it('a live body stops reading while paused and delivers every chunk after', async () => {
    const session = openHttpStream({url: `${sse.url}/trickle?chunks=30&everyMs=10`});
    const chunks = Array.from({length: 30}, (_, i) => `chunk ${i + 1}\n`);
    await heldThenResumed(session, bytesOf(chunks));
    const text = session
      .snapshot()
      .entries.filter((entry) => entry.kind === 'chunk')
      .map((entry) => entry.text)
      .join('');
    expect(text).toBe(chunks.join(''));
  });
});

describe('a stream opened again after it was over', () => {
  it('a closed WebSocket reconnects on a new connection, its log kept', async () => {
    const session = openWebSocket({url: `${ws.url}/echo`, timeoutMs: 10_000});
    try {
      await waitFor(() => session.snapshot().status.state === 'open', 'the first open');
      expect(session.sendText('one')).toBeUndefined();
      await waitFor(() => received(session) >= 3, 'the first echo');
      session.close();
      const first = await session.done;
      expect(first.code).toBe(1000);
      const handshakes = ws.handshakes.length;
      session.reconnect();
      await waitFor(() => session.snapshot().status.state === 'open', 'open again');
      expect(ws.handshakes.length).toBe(handshakes + 1);
      expect(session.sendText('two')).toBeUndefined();
      await waitFor(
        () => session.snapshot().entries.some((e) => e.dir === 'received' && e.text === 'two'),
        'the second echo',
      );
      const texts = session.snapshot().entries.filter((e) => e.kind === 'text');
      expect(texts.map((e) => `${e.dir} ${e.text}`)).toEqual([
        'sent one',
        'received one',
        'sent two',
        'received two',
      ]);
    } finally {
      session.close();
    }
    expect((await session.done).code).toBe(1000);
  });

  it('a closed event stream asks again with Last-Event-ID', async () => {
    const session = openHttpStream({url: `${sse.url}/events?n=4&everyMs=20`});
    try {
      await waitFor(() => session.snapshot().lastEventId === '2', 'event 2');
      session.close();
      await session.done;
      const id = session.snapshot().lastEventId!;
      session.reconnect();
      await waitFor(() => session.snapshot().status.state === 'open', 'open again');
      expect(sse.requests.at(-1)?.lastEventId).toBe(id);
      await waitFor(() => session.snapshot().lastEventId === '4', 'event 4');
    } finally {
      session.close();
    }
  });
});
