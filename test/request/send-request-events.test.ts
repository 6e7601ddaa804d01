import net, {type Socket} from 'node:net';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createConnectionPool} from '../../source/request/pool.js';
import {sendRequest} from '../../source/request/send-request.js';
import {transcriptLines} from '../../source/request/transcript.js';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {lookedUpName} from '../helpers/names.js';
import type http from 'node:http';

let server: Loopback<http.Server>;
/** Client ports of the connections the server saw, in order. */
const seen: number[] = [];

beforeAll(async () => {
  server = await httpServer((request, response) => {
    if (request.url === '/close') response.setHeader('Connection', 'close');
    if (request.url === '/to-one') {
      response.writeHead(302, {Location: '/one'});
      response.end('moved');
      return;
    }
    response.setHeader('Content-Type', 'text/plain');
    response.end(`hello ${request.url}`);
  });
  server.server.on('connection', (socket: Socket) => seen.push(socket.remotePort ?? 0));
  server.server.keepAliveTimeout = 5000;
});

afterAll(async () => {
  await server.close();
});

describe('the engine tells what happened as events', () => {
  test('the transcript is told from the events, in the order they happened', async () => {
    const result = await sendRequest({url: `${server.origin}/a`});
    expect(result.error).toBeUndefined();
    const types = result.events.map((event) => event.type);
    const order = [
      'dns',
      'connect-attempt',
      'connected',
      'request-head',
      'response-head',
      'end',
      'closed',
    ];
    const positions = order.map((type) => types.indexOf(type as (typeof types)[number]));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const told = result.events.flatMap((event) => transcriptLines(event));
    expect(told).toEqual(result.transcript);
    const times = result.events.map((event) => event.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  test('the result names the protocol, the address answers and the connection with its local port', async () => {
    const before = seen.length;
    const result = await sendRequest({url: `${server.origin}/b`});
    expect(result.protocol).toBe('http/1.1');
    expect(result.dns).toMatchObject({
      host: '127.0.0.1',
      source: 'address',
      answers: [{address: '127.0.0.1', family: 4}],
      connected: '127.0.0.1',
    });
    expect(result.dns?.attempts).toEqual([
      expect.objectContaining({address: '127.0.0.1', port: server.port, outcome: 'connected'}),
    ]);
    expect(result.connection).toMatchObject({
      reused: false,
      protocol: 'http/1.1',
      remoteAddress: '127.0.0.1',
      remotePort: server.port,
      requests: 1,
    });
    // The port the server saw this request come from.
    expect(seen.slice(before)).toEqual([result.connection?.localPort]);
    expect(result.tls).toBeUndefined();
    expect(result.warnings).toEqual([]);
  });

  test.skipIf(lookedUpName === undefined)('a name is looked up and every answer kept', async () => {
    const name = lookedUpName ?? '';
    const looked = await sendRequest({url: `http://${name}:${server.port}/c`});
    expect(looked.error).toBeUndefined();
    expect(looked.dns?.source).toBe('dns');
    expect(looked.dns?.answers).toContainEqual({address: '127.0.0.1', family: 4});
    expect(looked.dns?.ms).toBeGreaterThanOrEqual(0);
    expect(looked.timings.dns).toBeGreaterThanOrEqual(0);
    expect(looked.transcript.map((line) => line.text)).toContain(`Host ${name} was resolved.`);
  });

  test('--resolve shows as such, with no lookup timed', async () => {
    const resolved = await sendRequest({
      url: `http://api.example.invalid:${server.port}/c`,
      resolve: [{host: 'api.example.invalid', port: server.port, addresses: ['127.0.0.1']}],
    });
    expect(resolved.error).toBeUndefined();
    expect(resolved.dns).toMatchObject({
      source: 'resolve',
      answers: [{address: '127.0.0.1', family: 4}],
    });
    expect(resolved.timings.dns).toBeUndefined();
  });

  test('two addresses, one listening: the first is refused, the second connects (happy eyeballs)', async () => {
    const result = await sendRequest({
      url: `http://dual.example.invalid:${server.port}/d`,
      resolve: [{host: 'dual.example.invalid', port: server.port, addresses: ['::1', '127.0.0.1']}],
    });
    expect(result.error).toBeUndefined();
    expect(result.dns?.answers).toEqual([
      {address: '::1', family: 6},
      {address: '127.0.0.1', family: 4},
    ]);
    expect(result.dns?.attempts.map((attempt) => [attempt.address, attempt.outcome])).toEqual([
      ['::1', 'failed'],
      ['127.0.0.1', 'connected'],
    ]);
    expect(result.dns?.attempts[0]?.error).toBe('Connection refused');
    expect(result.dns?.connected).toBe('127.0.0.1');
    const text = result.transcript.map((line) => line.text);
    expect(text).toContain(`Trying [::1]:${server.port}...`);
    expect(text).toContain(`connect to ::1 port ${server.port} failed: Connection refused`);
    expect(text).toContain(`Trying 127.0.0.1:${server.port}...`);
  });

  test('localhost is 127.0.0.1 and ::1; with only ::1 listening, IPv4 is refused and IPv6 connects', async () => {
    const six = net.createServer((socket) => {
      socket.on('error', () => undefined);
      // Read what comes, so that the client's close is seen and the server can close.
      socket.resume();
      socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    await new Promise<void>((resolve) => six.listen(0, '::1', resolve));
    const {port} = six.address() as net.AddressInfo;
    try {
      const result = await sendRequest({url: `http://localhost:${port}/`});
      expect(result.response?.status).toBe(204);
      expect(result.dns?.answers).toEqual([
        {address: '127.0.0.1', family: 4},
        {address: '::1', family: 6},
      ]);
      expect(result.dns?.attempts.map((attempt) => [attempt.address, attempt.outcome])).toEqual([
        ['127.0.0.1', 'failed'],
        ['::1', 'connected'],
      ]);
      expect(result.connection).toMatchObject({remoteAddress: '::1', remotePort: port});
    } finally {
      await new Promise((resolve) => six.close(resolve));
    }
  });

  test('-4 keeps to IPv4 answers', async () => {
    const result = await sendRequest({
      url: `http://dual.example.invalid:${server.port}/e`,
      family: 4,
      resolve: [{host: 'dual.example.invalid', port: server.port, addresses: ['::1', '127.0.0.1']}],
    });
    expect(result.error).toBeUndefined();
    expect(result.dns?.attempts.map((attempt) => attempt.address)).toEqual(['127.0.0.1']);
  });
});

describe('connections kept alive in a pool', () => {
  test('two requests on one origin share one connection; the second has no connect phase', async () => {
    const pool = createConnectionPool();
    try {
      const before = seen.length;
      const first = await sendRequest({url: `${server.origin}/one`, pool});
      const second = await sendRequest({url: `${server.origin}/two`, pool});
      expect(first.error).toBeUndefined();
      expect(second.error).toBeUndefined();
      expect(new TextDecoder().decode(second.response?.body)).toBe('hello /two');
      expect(seen.length - before).toBe(1);
      expect(second.connection?.localPort).toBe(first.connection?.localPort);
      expect(second.connection).toMatchObject({
        reused: true,
        requests: 2,
        id: first.connection?.id,
      });
      expect(second.timings.connect).toBeUndefined();
      expect(second.timings.dns).toBeUndefined();
      expect(second.timings.firstByte).toBeGreaterThanOrEqual(0);
      expect(second.transcript.map((line) => line.text)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^Re-using existing connection #${first.connection?.id} with host 127\\.0\\.0\\.1 \\(127\\.0\\.0\\.1:${server.port}, opened .*, 2 requests\\)$`,
          ),
        ),
      );
      expect(first.transcript.at(-1)?.text).toMatch(/^Connection #\d+ left intact/);
      expect(pool.open()).toHaveLength(1);
    } finally {
      pool.close();
    }
  });

  test('a redirect to the same origin goes on the same connection, as curl -L does', async () => {
    const before = seen.length;
    const result = await sendRequest({url: `${server.origin}/to-one`, followRedirects: true});
    expect(result.error).toBeUndefined();
    expect(result.redirects).toHaveLength(1);
    expect(new TextDecoder().decode(result.response?.body)).toBe('hello /one');
    expect(seen.length - before).toBe(1);
    expect(result.connection).toMatchObject({reused: true, requests: 2});
    expect(result.timings.connect).toBeUndefined();
    const connected = result.events.filter((event) => event.type === 'connected');
    expect(connected).toHaveLength(2);
  });

  test('without a pool every request has its own connection', async () => {
    const before = seen.length;
    const first = await sendRequest({url: `${server.origin}/one`});
    const second = await sendRequest({url: `${server.origin}/two`});
    expect(seen.length - before).toBe(2);
    expect(second.connection?.localPort).not.toBe(first.connection?.localPort);
    expect(second.connection?.reused).toBe(false);
  });

  test('a response that asks to close is not kept', async () => {
    const pool = createConnectionPool();
    try {
      const before = seen.length;
      await sendRequest({url: `${server.origin}/close`, pool});
      expect(pool.open()).toHaveLength(0);
      const next = await sendRequest({url: `${server.origin}/after`, pool});
      expect(next.connection?.reused).toBe(false);
      expect(seen.length - before).toBe(2);
    } finally {
      pool.close();
    }
  });

  test('a kept connection the server closed meanwhile: the request goes again on a new one', async () => {
    const pool = createConnectionPool();
    const sockets = new Set<Socket>();
    const track = (socket: Socket) => sockets.add(socket);
    server.server.on('connection', track);
    try {
      const first = await sendRequest({url: `${server.origin}/one`, pool});
      expect(first.error).toBeUndefined();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await sendRequest({url: `${server.origin}/two`, pool});
      expect(second.error).toBeUndefined();
      expect(second.response?.status).toBe(200);
      expect(second.connection?.reused).toBe(false);
    } finally {
      server.server.off('connection', track);
      pool.close();
    }
  });
});
