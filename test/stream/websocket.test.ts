import net from 'node:net';
import {Duplex, PassThrough} from 'node:stream';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import WebSocket from 'ws';
import {sendRequest} from '../../source/request/send-request.js';
import type {Via} from '../../source/request/types.js';
import type {StreamEntry, StreamSession} from '../../source/stream/types.js';
import {
  acceptFor,
  adoptSocket,
  engineUrl,
  openWebSocket,
  withHandshake,
} from '../../source/stream/websocket.js';
import {testChain} from '../helpers/tls-chain.js';
import {controlMessage, startWsServer, type WsFixture} from '../helpers/ws-server.js';

const sessions: StreamSession[] = [];

function open(options: Parameters<typeof openWebSocket>[0]): StreamSession {
  const session = openWebSocket({timeoutMs: 5000, ...options});
  sessions.push(session);
  return session;
}

/** Waits until `check` holds of the session's entries (or its status), within a few seconds. */
async function until(
  session: StreamSession,
  check: (entries: readonly StreamEntry[]) => boolean,
  ms = 4000,
): Promise<readonly StreamEntry[]> {
  const started = Date.now();
  for (;;) {
    const entries = session.snapshot().entries;
    if (check(entries)) return entries;
    if (Date.now() - started > ms) {
      throw new Error(`not seen within ${ms} ms; entries: ${JSON.stringify(entries.slice(-5))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function opened(session: StreamSession): Promise<void> {
  await session.opened;
  const status = session.snapshot().status;
  if (status.state !== 'open') throw new Error(`not open: ${JSON.stringify(status)}`);
}

function received(entries: readonly StreamEntry[], kind: StreamEntry['kind']): StreamEntry[] {
  return entries.filter((entry) => entry.dir === 'received' && entry.kind === kind);
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.close();
});

describe('ws private API hand-over', () => {
  it('still works with the installed ws version', async () => {
    // Fails loudly when ws changes what the hand-over relies on: a null address, setSocket,
    // _isServer, _bufferedAmount and the close timeout.
    const {version} = (await import('ws/package.json', {with: {type: 'json'}})).default as {
      version: string;
    };
    expect(version).toBe('8.23.0');
    const server = await startWsServer();
    try {
      const key = 'dGhlIHNhbXBsZSBub25jZQ==';
      const result = await sendRequest({
        url: `${engineUrl(server.url)}/echo`,
        headers: withHandshake([], key),
        upgrade: 'websocket',
        timeoutMs: 3000,
      });
      expect(result.response?.status).toBe(101);
      expect(result.response?.headers).toContainEqual(['Sec-WebSocket-Accept', acceptFor(key)]);
      const upgraded = result.upgraded;
      if (upgraded === undefined) throw new Error('no connection handed over');
      const ws = adoptSocket(upgraded, 1024);
      const internals = ws as unknown as {_isServer: boolean; _closeTimeout: number};
      expect(internals._isServer).toBe(false);
      expect(internals._closeTimeout).toBe(5000);
      expect(ws.readyState).toBe(WebSocket.OPEN);
      const echoed = new Promise<string>((resolve) => {
        ws.once('message', (data: Buffer) => resolve(data.toString()));
      });
      ws.send('masked from the client side');
      expect(await echoed).toBe('masked from the client side');
      const closed = new Promise<[number, string]>((resolve) => {
        ws.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()]));
      });
      ws.close(4000, 'over');
      expect(await closed).toEqual([4000, 'over']);
      expect(server.closes.at(-1)).toEqual({path: '/echo', code: 4000, reason: 'over'});
    } finally {
      await server.close();
    }
  });
});

describe('openWebSocket', () => {
  let server: WsFixture;
  beforeAll(async () => {
    server = await startWsServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('echoes text and binary messages, marking JSON', async () => {
    const session = open({url: `${server.url}/echo`});
    expect(session.kind).toBe('websocket');
    expect(session.sendText('early')).toBe(
      'the WebSocket is not open yet: the handshake is not done',
    );
    const result = await session.opened;
    expect(result.response?.status).toBe(101);
    expect(result.upgraded).toBeUndefined();
    expect(result.transcript.find((line) => line.kind === 'in')?.text).toBe(
      'HTTP/1.1 101 Switching Protocols',
    );
    expect(session.snapshot().url).toBe(`${server.url}/echo`);
    expect(session.sendText('hello')).toBeUndefined();
    expect(session.sendText('{"a":1}')).toBeUndefined();
    expect(session.sendBinary(new Uint8Array([0, 1, 0xff]))).toBeUndefined();
    const entries = await until(
      session,
      (all) => all.filter((e) => e.dir === 'received').length >= 3,
    );
    const back = entries.filter((entry) => entry.dir === 'received');
    expect(back.map(({kind, text, bytes, json}) => ({kind, text, bytes, json}))).toEqual([
      {kind: 'text', text: 'hello', bytes: 5, json: undefined},
      {kind: 'text', text: '{"a":1}', bytes: 7, json: true},
      {kind: 'binary', text: '00 01 ff', bytes: 3, json: undefined},
    ]);
    const sent = entries.filter((entry) => entry.dir === 'sent');
    expect(sent.map((entry) => entry.kind)).toEqual(['text', 'text', 'binary']);
    const counts = session.snapshot().counts;
    expect(counts).toMatchObject({sent: 3, received: 3, bytesSent: 15, bytesReceived: 15});
    const handshake = server.handshakes.at(-1);
    expect(handshake?.headers.upgrade).toBe('websocket');
    expect(handshake?.headers['sec-websocket-version']).toBe('13');
  });

  it('shows what the server pushes, in order', async () => {
    const session = open({url: `${server.url}/push?n=5&everyMs=10`});
    await opened(session);
    const entries = await until(session, (all) => received(all, 'text').length === 5);
    expect(received(entries, 'text').map((entry) => entry.text)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `{"n":${n}}`),
    );
    expect(received(entries, 'text').every((entry) => entry.json === true)).toBe(true);
    const ats = entries.map((entry) => entry.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
  });

  it('negotiates a subprotocol the server accepts', async () => {
    const session = open({
      url: `${server.url}/protocol`,
      headers: [['Sec-WebSocket-Protocol', 'chat.v2, chat.v1']],
    });
    await opened(session);
    expect(session.snapshot().protocol).toBe('chat.v1');
    expect(server.handshakes.at(-1)?.headers['sec-websocket-protocol']).toBe('chat.v2, chat.v1');
    session.sendText('proto');
    await until(session, (all) => received(all, 'text').some((entry) => entry.text === 'proto'));
  });

  it('says so when the server refuses the subprotocol offered', async () => {
    const session = open({
      url: `${server.url}/protocol`,
      headers: {'Sec-WebSocket-Protocol': 'chat.v9'},
    });
    const result = await session.opened;
    expect(result.response?.status).toBe(400);
    const status = await session.done;
    expect(status.why).toBe('the server answered 400 Bad Request, not 101 Switching Protocols');
    expect(session.snapshot().protocol).toBeUndefined();
  });

  it('sends the caller headers, and a named handshake header replaces its own', async () => {
    const session = open({
      url: `${server.url}/headers`,
      headers: [
        ['X-Trace', 'abc 123'],
        ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ],
    });
    await opened(session);
    const [message] = received(
      await until(session, (all) => received(all, 'text').length > 0),
      'text',
    );
    const headers = JSON.parse(message?.text ?? '{}') as Record<string, string>;
    expect(headers['x-trace']).toBe('abc 123');
    expect(headers['sec-websocket-key']).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(headers.connection).toBe('Upgrade');
    expect(message?.json).toBe(true);
    const sent = (await session.opened).transcript
      .filter((line) => line.kind === 'out')
      .map((line) => line.text);
    expect(sent.filter((line) => /^sec-websocket-key:/i.test(line))).toEqual([
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ]);
    expect(sent.at(-2)).toBe('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  });

  it('takes an http:// URL with an Upgrade: websocket header', async () => {
    const session = open({
      url: `${server.url.replace('ws:', 'http:')}/echo`,
      headers: [['Upgrade', 'websocket']],
    });
    await opened(session);
    session.sendText('over http');
    await until(session, (all) => received(all, 'text').some((e) => e.text === 'over http'));
  });

  it('says 1006 in words when the connection drops without a close frame', async () => {
    const session = open({url: `${server.url}/abrupt`});
    const status = await session.done;
    expect(status).toMatchObject({state: 'closed', code: 1006});
    expect(status.why).toBe('1006 abnormal closure: the connection was lost without a close frame');
    const entries = session.snapshot().entries;
    expect(received(entries, 'text').map((entry) => entry.text)).toEqual(['bye']);
    expect(entries.find((entry) => entry.kind === 'close')).toMatchObject({
      dir: 'info',
      close: {code: 1006, reason: ''},
    });
    expect(session.sendText('after')).toBe('the WebSocket is closed: nothing can be sent');
  });

  it('shows the server close code and reason, and the answer sent back', async () => {
    const session = open({url: `${server.url}/close?code=4001&reason=go%20away`});
    const status = await session.done;
    expect(status).toMatchObject({state: 'closed', code: 4001, reason: 'go away'});
    expect(status.why).toBe('the server closed the WebSocket: 4001 application-defined (go away)');
    const closes = session.snapshot().entries.filter((entry) => entry.kind === 'close');
    expect(closes.map(({dir, close}) => ({dir, close}))).toEqual([
      {dir: 'received', close: {code: 4001, reason: 'go away'}},
      {dir: 'sent', close: {code: 4001, reason: ''}},
    ]);
  });

  it('refuses a message over the limit with 1009', async () => {
    const session = open({url: `${server.url}/big?bytes=5000`, limits: {maxMessageBytes: 4096}});
    const status = await session.done;
    expect(status.code).toBe(1009);
    expect(status.why).toBe(
      '1009 message too big: the server sent a message over 4.0 KiB, the most taken',
    );
    const entries = session.snapshot().entries;
    expect(received(entries, 'text')).toEqual([]);
    expect(entries.filter((entry) => entry.kind === 'close')[0]).toMatchObject({
      dir: 'sent',
      close: {code: 1009},
    });
    await until(session, () => server.closes.some((c) => c.path === '/big' && c.code === 1009));
  });

  it('takes a message at the limit', async () => {
    const session = open({url: `${server.url}/big?bytes=4096`, limits: {maxMessageBytes: 4096}});
    const entries = await until(session, (all) => received(all, 'text').length === 1);
    expect(received(entries, 'text')[0]?.bytes).toBe(4096);
  });

  it('closes with 1007 on a text message that is not UTF-8', async () => {
    const session = open({url: `${server.url}/badutf8`});
    const status = await session.done;
    expect(status.code).toBe(1007);
    expect(status.why).toBe(
      '1007 invalid payload data (not UTF-8 in a text message): the server sent a text message that is not UTF-8',
    );
    expect(received(session.snapshot().entries, 'text')).toEqual([]);
  });

  it('keeps raw text: control sequences are the viewer’s to sanitize', async () => {
    const session = open({url: `${server.url}/control`});
    const entries = await until(session, (all) => received(all, 'text').length === 1);
    expect(received(entries, 'text')[0]?.text).toBe(controlMessage);
  });

  it('shows a refusal as a normal response, body and all', async () => {
    const session = open({url: `${server.url}/refuse`});
    const result = await session.opened;
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(403);
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('forbidden here\n');
    const status = await session.done;
    expect(status.why).toBe('the server answered 403 Forbidden, not 101 Switching Protocols');
    expect(session.snapshot().entries.at(-1)?.text).toBe(status.why);
  });

  it('says an HTTP/1.0 server cannot upgrade', async () => {
    const session = open({url: `${server.url}/http10`});
    const result = await session.opened;
    expect(result.response?.httpVersion).toBe('1.0');
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('no upgrade here');
    expect((await session.done).why).toBe(
      'the server speaks HTTP/1.0 and cannot switch to a WebSocket (it answered 200 OK)',
    );
  });

  it('times out a silent server, naming the phase', async () => {
    const session = open({url: `${server.url}/silent`, timeoutMs: 300});
    const result = await session.opened;
    expect(result.error).toEqual({code: 'timeout', message: 'no response within 0.3 s'});
    expect(await session.done).toMatchObject({state: 'closed', why: 'no response within 0.3 s'});
  });

  it('says a refused connection in the engine’s words', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const {port} = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const session = open({url: `ws://127.0.0.1:${closedPort}/`});
    const result = await session.opened;
    expect(result.error?.code).toBe('refused');
    expect((await session.done).why).toBe(`connection refused by 127.0.0.1:${closedPort}`);
  });

  it('keeps a ping flood to its window, answering every ping', async () => {
    const session = open({url: `${server.url}/pingflood?n=2000`, limits: {maxEntries: 50}});
    const entries = await until(session, (all) =>
      received(all, 'text').some((entry) => entry.text === 'done'),
    );
    const snapshot = session.snapshot();
    expect(entries.length).toBeLessThanOrEqual(50);
    expect(snapshot.dropped + entries.length).toBe(entries.at(-1)?.seq);
    // 2000 pings and 'done' received; 2000 pongs sent.
    expect(snapshot.counts.received).toBe(2001);
    expect(snapshot.counts.sent).toBe(2000);
    expect(received(entries, 'ping').at(-1)?.text).toBe(
      [...Buffer.from('2000')].map((b) => b.toString(16)).join(' '),
    );
  });

  it('pings and shows the pong', async () => {
    const session = open({url: `${server.url}/echo`});
    await opened(session);
    expect(session.ping()).toBeUndefined();
    const entries = await until(session, (all) => received(all, 'pong').length === 1);
    const ping = entries.find((entry) => entry.kind === 'ping' && entry.dir === 'sent');
    expect(received(entries, 'pong')[0]?.text).toBe(ping?.text);
  });

  it('closes with 1000 and a reason the server receives', async () => {
    const session = open({url: `${server.url}/echo`});
    await opened(session);
    session.close(1006, 'no');
    expect(session.snapshot().entries.at(-1)?.text).toBe(
      'close code 1006 abnormal closure: the connection was lost without a close frame cannot be sent (use 1000, or 3000-4999)',
    );
    session.close(1000, 'done here');
    expect(session.snapshot().status.state).toBe('closing');
    expect(session.sendText('late')).toBe('the WebSocket is closing: nothing can be sent');
    const status = await session.done;
    expect(status).toMatchObject({state: 'closed', code: 1000, reason: 'done here'});
    expect(status.why).toBe(
      'closed by you with 1000 normal closure (done here); the server answered 1000 normal closure (done here)',
    );
    await until(session, () =>
      server.closes.some((c) => c.path === '/echo' && c.reason === 'done here'),
    );
    expect(server.closes.find((c) => c.reason === 'done here')?.code).toBe(1000);
  });

  it('reconnects on a new connection, keeping the log', async () => {
    const session = open({url: `${server.url}/echo`});
    await opened(session);
    session.sendText('first');
    await until(session, (all) => received(all, 'text').length === 1);
    const before = server.handshakes.length;
    session.reconnect();
    await until(session, () => session.snapshot().status.state === 'open');
    expect(server.handshakes.length).toBe(before + 1);
    expect(session.sendText('second')).toBeUndefined();
    const entries = await until(session, (all) => received(all, 'text').length === 2);
    expect(received(entries, 'text').map((entry) => entry.text)).toEqual(['first', 'second']);
    expect(
      entries.some((e) => e.kind === 'note' && e.text === 'reconnecting on a new connection'),
    ).toBe(true);
    expect(session.snapshot().counts.reconnects).toBe(1);
    await until(session, () => server.closes.some((c) => c.reason === 'reconnecting'));
  });

  it('opens over a via stream that is a plain Duplex, not a socket', async () => {
    const via: Via = {
      label: 'ssh web-1',
      open(host, port) {
        return new Promise((resolve, reject) => {
          const socket = net.connect({host, port});
          socket.once('error', reject);
          socket.once('connect', () => {
            const inbound = new PassThrough();
            const outbound = new PassThrough();
            socket.pipe(inbound);
            outbound.pipe(socket);
            const stream = Duplex.from({readable: inbound, writable: outbound});
            stream.once('close', () => socket.destroy());
            socket.once('close', () => stream.destroy());
            resolve(stream);
          });
        });
      },
    };
    const session = open({url: `${server.url}/echo`, via});
    const result = await session.opened;
    expect(result.connection?.via).toBe('ssh web-1');
    expect(session.snapshot().status.state).toBe('open');
    session.sendText('through the tunnel');
    await until(session, (all) =>
      received(all, 'text').some((entry) => entry.text === 'through the tunnel'),
    );
    session.close(4000, 'tunnel done');
    expect((await session.done).code).toBe(4000);
  });

  it('tells of the handshake that opened when a reconnect replaced the first', async () => {
    const session = open({url: `${server.url}/echo`});
    session.reconnect();
    const result = await session.opened;
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(101);
    expect(session.snapshot().status.state).toBe('open');
  });

  it('closes before the handshake is done', async () => {
    const session = open({url: `${server.url}/silent`});
    session.close();
    const status = await session.done;
    expect(status.why).toBe('closed by you before the handshake was done');
    expect((await session.opened).error?.code).toBe('aborted');
  });
});

describe('openWebSocket over TLS', () => {
  const chain = testChain();
  let server: WsFixture;
  beforeAll(async () => {
    server = await startWsServer({
      tls: {key: chain.leaves.valid.key, cert: chain.leaves.valid.chain},
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('opens wss:// with the given authority and echoes', async () => {
    const session = open({url: `${server.url}/echo`, ca: chain.root});
    const result = await session.opened;
    expect(result.tls?.verified).toBe(true);
    expect(result.protocol).toBe('http/1.1');
    expect(session.snapshot().status.state).toBe('open');
    session.sendText('secure');
    await until(session, (all) => received(all, 'text').some((entry) => entry.text === 'secure'));
  });

  it('refuses an unverified certificate in the engine’s words', async () => {
    const session = open({url: `${server.url}/echo`});
    const result = await session.opened;
    expect(result.error?.code).toBe('tls');
    expect((await session.done).why).toBe(result.error?.message);
  });
});

describe('openWebSocket against a server that answers wrongly', () => {
  it('closes on a Sec-WebSocket-Accept that does not match', async () => {
    const raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBvbmU=\r\n\r\n',
        );
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const {port} = raw.address() as net.AddressInfo;
    const closedByServer = new Promise<void>((resolve) => {
      raw.once('connection', (socket) => socket.once('close', () => resolve()));
    });
    try {
      const session = open({url: `ws://127.0.0.1:${port}/`});
      const status = await session.done;
      expect(status.why).toMatch(
        /^the server's Sec-WebSocket-Accept "bm90IHRoZSByaWdodCBvbmU=" does not match the key sent \(expected .+\)$/,
      );
      expect((await session.opened).response?.status).toBe(101);
      await closedByServer;
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});
