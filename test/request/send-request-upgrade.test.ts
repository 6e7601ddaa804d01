import {createHash, randomBytes} from 'node:crypto';
import type {Http2ServerResponse} from 'node:http2';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createConnectionPool} from '../../source/request/pool.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {HeaderList, RequestResult, Via} from '../../source/request/types.js';
import {testChain} from '../helpers/tls-chain.js';
import {startWsServer, type WsFixture} from '../helpers/ws-server.js';

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function handshake(): {key: string; headers: HeaderList} {
  const key = randomBytes(16).toString('base64');
  return {
    key,
    headers: [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', key],
    ],
  };
}

function headerOf(result: RequestResult, name: string): string | undefined {
  return result.response?.headers.find(([each]) => each.toLowerCase() === name)?.[1];
}

function lines(result: RequestResult, kind: 'in' | 'out' | 'info'): string[] {
  return result.transcript.filter((line) => line.kind === kind).map((line) => line.text);
}

/** Reads from the handed-over socket (after its head bytes) until `enough` says so. */
function readUntil(
  socket: Duplex,
  head: Buffer,
  enough: (bytes: Buffer) => boolean,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let bytes = head;
    if (enough(bytes)) return resolve(bytes);
    const timer = setTimeout(() => reject(new Error(`only ${bytes.length} bytes came`)), 3000);
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (enough(bytes)) {
        clearTimeout(timer);
        resolve(bytes);
      }
    });
    socket.resume();
  });
}

describe('sendRequest with upgrade: websocket', () => {
  let server: WsFixture;
  beforeAll(async () => {
    server = await startWsServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('stops at the 101 and hands the connection over, unread', async () => {
    const {key, headers} = handshake();
    const result = await sendRequest({
      url: `${server.url.replace('ws:', 'http:')}/close?code=4001&reason=over`,
      headers,
      upgrade: 'websocket',
      timeoutMs: 3000,
    });
    try {
      expect(result.error).toBeUndefined();
      expect(result.response?.status).toBe(101);
      expect(result.response?.body.length).toBe(0);
      expect(headerOf(result, 'sec-websocket-accept')).toBe(
        createHash('sha1')
          .update(key + guid)
          .digest('base64'),
      );
      expect(lines(result, 'in')[0]).toBe('HTTP/1.1 101 Switching Protocols');
      const sent = lines(result, 'out');
      expect(sent[0]).toBe('GET /close?code=4001&reason=over HTTP/1.1');
      // The engine's own headers first, in curl's order, then the handshake's.
      expect(sent.slice(1, 8)).toEqual([
        `Host: 127.0.0.1:${server.port}`,
        expect.stringMatching(/^User-Agent: porthole\//),
        'Accept: */*',
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${key}`,
      ]);
      expect(lines(result, 'info').some((line) => line.startsWith('Closing connection'))).toBe(
        false,
      );
      expect(result.timings.firstByte).toBeGreaterThanOrEqual(0);
      expect(result.protocol).toBe('http/1.1');
      const upgraded = result.upgraded;
      expect(upgraded).toBeDefined();
      if (upgraded === undefined) return;
      expect(upgraded.socket.destroyed).toBe(false);
      // The server's close frame: 0x88, length 6, code 4001 (0f a1), `over`.
      const frame = await readUntil(upgraded.socket, upgraded.head, (bytes) => bytes.length >= 8);
      expect([...frame.subarray(0, 8)]).toEqual([0x88, 6, 0x0f, 0xa1, ...Buffer.from('over')]);
    } finally {
      result.upgraded?.socket.destroy();
    }
  });

  it('keeps the bytes that came in the same read as the 101 head', async () => {
    const raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' +
            'first bytes',
        );
        setTimeout(() => socket.write(' and later ones'), 50);
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as net.AddressInfo).port;
    const result = await sendRequest({
      url: `http://127.0.0.1:${port}/`,
      headers: handshake().headers,
      upgrade: 'websocket',
      timeoutMs: 3000,
    });
    try {
      expect(result.response?.status).toBe(101);
      const upgraded = result.upgraded;
      expect(upgraded?.head.toString()).toBe('first bytes');
      if (upgraded === undefined) return;
      const all = await readUntil(upgraded.socket, upgraded.head, (bytes) =>
        bytes.toString().endsWith('later ones'),
      );
      expect(all.toString()).toBe('first bytes and later ones');
    } finally {
      result.upgraded?.socket.destroy();
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('reads a refusal as a normal response, body and all', async () => {
    const result = await sendRequest({
      url: `${server.url.replace('ws:', 'http:')}/refuse`,
      headers: handshake().headers,
      upgrade: 'websocket',
      timeoutMs: 3000,
    });
    expect(result.error).toBeUndefined();
    expect(result.upgraded).toBeUndefined();
    expect(result.response?.status).toBe(403);
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('forbidden here\n');
    expect(lines(result, 'info')).toContain('Closing connection #' + result.connection?.id);
  });

  it('reads an HTTP/1.0 answer as a normal response', async () => {
    const result = await sendRequest({
      url: `${server.url.replace('ws:', 'http:')}/http10`,
      headers: handshake().headers,
      upgrade: 'websocket',
      timeoutMs: 3000,
    });
    expect(result.error).toBeUndefined();
    expect(result.upgraded).toBeUndefined();
    expect(result.response?.httpVersion).toBe('1.0');
    expect(result.response?.status).toBe(200);
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('no upgrade here');
  });

  it('asks in HTTP/1.1 even when HTTP/1.0 or HTTP/2 was asked for', async () => {
    for (const httpVersion of ['1.0', '2-prior-knowledge'] as const) {
      const result = await sendRequest({
        url: `${server.url.replace('ws:', 'http:')}/echo`,
        headers: handshake().headers,
        upgrade: 'websocket',
        httpVersion,
        timeoutMs: 3000,
      });
      result.upgraded?.socket.destroy();
      expect(lines(result, 'out')[0]).toBe('GET /echo HTTP/1.1');
      expect(result.response?.status).toBe(101);
    }
  });

  it('neither takes a pooled connection nor gives the switched one to the pool', async () => {
    const pool = createConnectionPool();
    try {
      const result = await sendRequest({
        url: `${server.url.replace('ws:', 'http:')}/echo`,
        headers: handshake().headers,
        upgrade: 'websocket',
        pool,
        timeoutMs: 3000,
      });
      expect(result.response?.status).toBe(101);
      expect(pool.open()).toEqual([]);
      expect(result.upgraded?.socket.destroyed).toBe(false);
      result.upgraded?.socket.destroy();
    } finally {
      pool.close();
    }
  });

  it('runs into the timeout, naming the phase, when the server never answers', async () => {
    const result = await sendRequest({
      url: `${server.url.replace('ws:', 'http:')}/silent`,
      headers: handshake().headers,
      upgrade: 'websocket',
      timeoutMs: 400,
    });
    expect(result.upgraded).toBeUndefined();
    expect(result.error).toEqual({code: 'timeout', message: 'no response within 0.4 s'});
  });

  it('switches over a via stream', async () => {
    const streams: Duplex[] = [];
    const via: Via = {
      label: 'ssh web-1',
      open(host, port) {
        return new Promise((resolve, reject) => {
          const socket = net.connect({host, port});
          socket.once('error', reject);
          socket.once('connect', () => {
            streams.push(socket);
            resolve(socket);
          });
        });
      },
    };
    const result = await sendRequest({
      url: `${server.url.replace('ws:', 'http:')}/close?code=1000`,
      headers: handshake().headers,
      upgrade: 'websocket',
      via,
      timeoutMs: 3000,
    });
    try {
      expect(result.response?.status).toBe(101);
      expect(result.connection?.via).toBe('ssh web-1');
      expect(result.upgraded?.socket).toBe(streams[0]);
    } finally {
      for (const stream of streams) stream.destroy();
    }
  });
});

describe('sendRequest with upgrade: websocket over TLS', () => {
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

  it('switches on https with the given authority, HTTP/1.1 only', async () => {
    const result = await sendRequest({
      url: `${server.url.replace('wss:', 'https:')}/close?code=1000&reason=tls`,
      headers: handshake().headers,
      upgrade: 'websocket',
      ca: chain.root,
      timeoutMs: 3000,
    });
    try {
      expect(result.error).toBeUndefined();
      expect(result.response?.status).toBe(101);
      expect(result.tls?.verified).toBe(true);
      expect(result.protocol).toBe('http/1.1');
      const upgraded = result.upgraded;
      if (upgraded === undefined) throw new Error('not handed over');
      const frame = await readUntil(upgraded.socket, upgraded.head, (bytes) => bytes.length >= 7);
      expect([...frame.subarray(0, 7)]).toEqual([0x88, 5, 0x03, 0xe8, ...Buffer.from('tls')]);
    } finally {
      result.upgraded?.socket.destroy();
    }
  });

  it('offers only http/1.1 by ALPN', async () => {
    const http2 = await import('node:http2');
    const h2 = http2.createSecureServer({
      key: chain.leaves.valid.key,
      cert: chain.leaves.valid.chain,
      allowHTTP1: true,
    });
    h2.on('upgrade', (_request, socket: Duplex) => {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno');
    });
    h2.on('request', (_request, response: Http2ServerResponse) => {
      response.end('plain');
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const port = (h2.address() as net.AddressInfo).port;
    try {
      const result = await sendRequest({
        url: `https://127.0.0.1:${port}/`,
        headers: handshake().headers,
        upgrade: 'websocket',
        ca: chain.root,
        timeoutMs: 3000,
      });
      expect(result.tls?.alpn).toBe('http/1.1');
      expect(result.protocol).toBe('http/1.1');
      expect(result.response?.httpVersion).toBe('1.1');
    } finally {
      h2.close();
    }
  });

  it('refuses an unverified certificate as any request does, and -k goes on', async () => {
    const refused = await sendRequest({
      url: `${server.url.replace('wss:', 'https:')}/echo`,
      headers: handshake().headers,
      upgrade: 'websocket',
      timeoutMs: 3000,
    });
    expect(refused.error?.code).toBe('tls');
    expect(refused.upgraded).toBeUndefined();
    const insecure = await sendRequest({
      url: `${server.url.replace('wss:', 'https:')}/echo`,
      headers: handshake().headers,
      upgrade: 'websocket',
      insecure: true,
      timeoutMs: 3000,
    });
    insecure.upgraded?.socket.destroy();
    expect(insecure.response?.status).toBe(101);
  });
});
