/** Which kind of stream a request opens. */
import {afterEach, describe, expect, it} from 'vitest';
import {isWebSocketRequest, openStream} from '../../source/stream/open.js';
import type {StreamSession} from '../../source/stream/types.js';
import {startSseServer, type SseFixture} from '../helpers/sse-server.js';
import {waitFor} from '../helpers/wait.js';

describe('isWebSocketRequest', () => {
  it('takes ws:// and wss:// URLs, whatever their case', () => {
    expect(isWebSocketRequest({url: 'ws://127.0.0.1:8080/chat'})).toBe(true);
    expect(isWebSocketRequest({url: 'WSS://example.test/'})).toBe(true);
    expect(isWebSocketRequest({url: 'http://127.0.0.1/ws'})).toBe(false);
    expect(isWebSocketRequest({url: 'https://wss.example.test/'})).toBe(false);
  });

  it('takes an http URL with an Upgrade: websocket header, in either headers form', () => {
    const url = 'http://127.0.0.1:8080/chat';
    expect(isWebSocketRequest({url, headers: [['upgrade', 'WebSocket']]})).toBe(true);
    expect(isWebSocketRequest({url, headers: {UPGRADE: 'websocket'}})).toBe(true);
    expect(isWebSocketRequest({url, headers: [['Upgrade', 'h2c, websocket']]})).toBe(true);
    expect(isWebSocketRequest({url, headers: [['Upgrade', 'h2c']]})).toBe(false);
    expect(isWebSocketRequest({url, headers: {'X-Upgrade': 'websocket'}})).toBe(false);
    expect(isWebSocketRequest({url, headers: [['Connection', 'websocket']]})).toBe(false);
    expect(isWebSocketRequest({url})).toBe(false);
  });
});

describe('openStream', () => {
  let fixture: SseFixture | undefined;
  let session: StreamSession | undefined;

  afterEach(async () => {
    session?.close();
    await fixture?.close();
  });

  it('opens an event stream for an http URL that answers text/event-stream', async () => {
    fixture = await startSseServer();
    session = openStream({url: `${fixture.url}/events?n=2&everyMs=20`});
    await waitFor(() => session!.snapshot().entries.length === 2, 'two events');
    expect(session.kind).toBe('sse');
  });

  it('opens a live body for anything else', async () => {
    fixture = await startSseServer();
    session = openStream({url: `${fixture.url}/plain`});
    expect((await session.done).why).toBe('the server ended the response after 6 bytes');
    expect(session.kind).toBe('body');
  });
});
