import {execFile, execFileSync, spawn} from 'node:child_process';
import http from 'node:http';
import http2, {type ClientHttp2Session} from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {
  Adapter,
  AdapterEvent,
  AdapterRequest,
  AdapterSink,
} from '../../source/request/adapter.js';
import type {Marks} from '../../source/request/connection.js';
import {RequestFailure} from '../../source/request/errors.js';
import type {ReadHead} from '../../source/request/events.js';
import {planRequest, readCurlText} from '../../source/request/curl/index.js';
import {firstHop} from '../../source/request/hops.js';
import {requestHead, waitsForContinue} from '../../source/request/http1-request.js';
import {
  activeStreams,
  http2Exchange,
  http2Request,
  openSession,
} from '../../source/request/http2-exchange.js';
import type {RequestOptions} from '../../source/request/types.js';
import {version} from '../../source/version.js';
import {afterBody, h2cServer, h2Server, noDate, type H2Loopback} from '../helpers/h2-servers.js';
import {selfSignedCertificate} from '../helpers/tls.js';

const {constants} = http2;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the engine would hand the adapter for these options, built as send-request.ts builds it. */
function adapterRequest(options: RequestOptions): AdapterRequest {
  const hop = firstHop(options);
  if (hop instanceof RequestFailure) throw hop;
  const request = requestHead(hop.method, hop.url, hop.headers, hop.own, hop.body, hop.typed);
  return {
    hop,
    request,
    holdBody: waitsForContinue(request.lines) && request.body !== undefined,
    where: hop.url.host,
    scheme: hop.url.protocol === 'https:' ? 'https' : 'http',
    authority: hop.url.host,
  };
}

type TestSink = AdapterSink & {
  events: AdapterEvent[];
  /** The final head the adapter handed over. */
  final: ReadHead | undefined;
  chunks: Buffer[];
  ended: boolean;
  failure: RequestFailure | undefined;
  /** Settles at sink.end() or sink.fail(). */
  done: Promise<void>;
  text(): string;
};

function testSink(accept: (chunk: Buffer, index: number) => boolean = () => true): TestSink {
  let settle = () => undefined as void;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const marks: Marks = {start: performance.now()};
  const sink: TestSink = {
    events: [],
    final: undefined,
    chunks: [],
    ended: false,
    failure: undefined,
    done,
    marks,
    emit(event) {
      sink.events.push(event);
    },
    head(head) {
      if (sink.final !== undefined) throw new Error('two final heads');
      sink.final = head;
    },
    body(chunk) {
      sink.chunks.push(chunk);
      return accept(chunk, sink.chunks.length - 1);
    },
    end() {
      if (sink.ended || sink.failure !== undefined) throw new Error('ended twice');
      sink.ended = true;
      settle();
    },
    fail(failure) {
      if (sink.ended || sink.failure !== undefined) throw new Error('ended twice');
      sink.failure = failure;
      settle();
    },
    text() {
      return Buffer.concat(sink.chunks).toString('utf8');
    },
  };
  return sink;
}

function eventsOf<T extends AdapterEvent['type']>(
  sink: TestSink,
  type: T,
): Array<Extract<AdapterEvent, {type: T}>> {
  return sink.events.filter(
    (event): event is Extract<AdapterEvent, {type: T}> => event.type === type,
  );
}

const sessions: ClientHttp2Session[] = [];

function h2cSession(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      const session = openSession(socket, `127.0.0.1:${port}`, 'http');
      sessions.push(session);
      resolve(session);
    });
  });
}

function tlsSession(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false,
      servername: 'localhost',
    });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') {
        reject(new Error(`ALPN picked ${String(socket.alpnProtocol)}`));
        return;
      }
      const session = openSession(socket, `localhost:${port}`, 'https');
      sessions.push(session);
      resolve(session);
    });
  });
}

/** Sends one request on the session and waits for its end or failure. */
async function exchange(
  session: ClientHttp2Session,
  options: RequestOptions,
  sink = testSink(),
): Promise<{sink: TestSink; adapter: Adapter}> {
  const adapter = http2Exchange(session, adapterRequest(options), sink);
  adapter.send();
  await sink.done;
  return {sink, adapter};
}

const userAgent = `porthole/${version}`;

function until(condition: () => boolean, ms = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > ms) reject(new Error('condition not met in time'));
      else setTimeout(check, 5);
    };
    check();
  });
}

afterEach(() => {
  for (const session of sessions.splice(0)) session.destroy();
});

describe('http2Exchange over h2c (prior knowledge)', () => {
  let server: H2Loopback<http2.Http2Server>;
  let where: string;

  beforeAll(async () => {
    server = await h2cServer();
    where = `127.0.0.1:${server.port}`;
    server.route('/hello', (stream) => {
      stream.respond(
        {':status': 200, 'content-type': 'text/plain', 'X-Mixed': 'A', 'content-length': '6'},
        {...noDate},
      );
      stream.end('hello\n');
    });
    server.route('/echo', (stream) => {
      afterBody(stream, (body) => {
        stream.respond({':status': 201, 'content-length': String(body.length)}, {...noDate});
        stream.end(body);
      });
    });
    server.route('/hints', (stream) => {
      stream.additionalHeaders({':status': 103, link: '</style.css>; rel=preload'});
      stream.respond({':status': 200}, {...noDate});
      stream.end('after hints');
    });
    server.route('/trailers', (stream) => {
      stream.respond({':status': 200}, {...noDate, waitForTrailers: true});
      stream.on('wantTrailers', () => stream.sendTrailers({'x-checksum': 'abc123', 'x-rows': '2'}));
      stream.end('rows');
    });
    server.route('/head', (stream) => {
      stream.respond({':status': 200, 'content-length': '1234'}, {...noDate, endStream: true});
    });
    // Part of a 40000-byte body, then RST_STREAM INTERNAL_ERROR. Node's stream.close() would
    // first end the stream cleanly unless the end is held back for trailers.
    server.route('/reset', (stream) => {
      stream.respond({':status': 200, 'content-length': '40000'}, {waitForTrailers: true});
      stream.on('wantTrailers', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
      stream.end(Buffer.alloc(12000, 97));
    });
    // What Node's stream.close() does: END_STREAM after 12000 of 40000 bytes, which nghttp2
    // takes as a broken content-length.
    server.route('/short', (stream) => {
      stream.respond({':status': 200, 'content-length': '40000'});
      stream.write(Buffer.alloc(12000, 97), () => {
        setTimeout(() => stream.close(constants.NGHTTP2_INTERNAL_ERROR), 20);
      });
    });
    server.route('/goaway-error', (stream) => {
      stream.respond({':status': 200, 'content-length': '40000'});
      stream.write(Buffer.alloc(12000, 97), () => {
        setTimeout(() => stream.session?.goaway(constants.NGHTTP2_INTERNAL_ERROR), 20);
      });
    });
    server.route('/goaway-then-close', (stream) => {
      stream.respond({':status': 200, 'content-length': '40000'});
      stream.write(Buffer.alloc(12000, 97), () => {
        setTimeout(() => {
          stream.session?.goaway(constants.NGHTTP2_NO_ERROR);
          setTimeout(() => stream.session?.destroy(), 20);
        }, 20);
      });
    });
    server.route('/goaway-graceful', (stream) => {
      stream.respond({':status': 200, 'content-length': '8'}, {...noDate});
      stream.write('half', () => {
        stream.session?.goaway(constants.NGHTTP2_NO_ERROR);
        setTimeout(() => stream.end('done'), 20);
      });
    });
    server.route('/big', (stream) => {
      stream.respond({':status': 200, 'content-length': '4194304'}, {...noDate});
      stream.end(Buffer.alloc(4 * 1024 * 1024, 98));
    });
    server.route('/slow', (stream) => {
      stream.respond({':status': 200});
      stream.write('first part');
      // Left open: the client gives up.
    });
    server.route('/huge-head', (stream) => {
      stream.respond({':status': 200, 'x-big': 'a'.repeat(40000)}, {...noDate});
      stream.end('x');
    });
    server.route('/continue', (stream) => {
      stream.additionalHeaders({':status': 100});
      afterBody(stream, (body) => {
        stream.respond({':status': 200}, {...noDate});
        stream.end(`got ${body.length}`);
      });
    });
    server.route('/no-continue', (stream) => {
      afterBody(stream, (body) => {
        stream.respond({':status': 200}, {...noDate});
        stream.end(`got ${body.length}`);
      });
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('sends GET as curl does and reads the response, its head in order', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {
      url: `${server.origin}/hello?x=1`,
      headers: [['X-Custom', 'Value']],
    });
    expect(sink.failure).toBeUndefined();
    const [head] = eventsOf(sink, 'request-head');
    expect(head).toEqual({
      type: 'request-head',
      protocol: 'h2',
      stream: 1,
      lines: [
        'GET /hello?x=1 HTTP/2',
        `Host: ${where}`,
        `user-agent: ${userAgent}`,
        'accept: */*',
        'x-custom: Value',
      ],
      fields: [
        [':method', 'GET'],
        [':path', '/hello?x=1'],
        [':scheme', 'http'],
        [':authority', where],
        ['user-agent', userAgent],
        ['accept', '*/*'],
        ['x-custom', 'Value'],
      ],
    });
    expect(server.received.at(-1)?.raw).toEqual([
      ':method',
      'GET',
      ':path',
      '/hello?x=1',
      ':scheme',
      'http',
      ':authority',
      where,
      'user-agent',
      userAgent,
      'accept',
      '*/*',
      'x-custom',
      'Value',
    ]);
    expect(sink.final).toEqual({
      httpVersion: '2',
      status: 200,
      statusText: '',
      headers: [
        ['content-type', 'text/plain'],
        ['x-mixed', 'A'],
        ['content-length', '6'],
      ],
      lines: ['HTTP/2 200 ', 'content-type: text/plain', 'x-mixed: A', 'content-length: 6'],
      warnings: [],
    });
    expect(eventsOf(sink, 'response-head')).toEqual([
      {type: 'response-head', head: sink.final, informational: false},
    ]);
    expect(sink.text()).toBe('hello\n');
    expect(sink.ended).toBe(true);
    expect([adapter.received, adapter.expected]).toEqual([6, 6]);
    expect(adapter.afterBody()).toEqual([]);
    expect(adapter.reusable()).toBe(true);
    const {marks} = sink;
    expect(marks.sent).toBeDefined();
    expect(marks.firstByte).toBeGreaterThanOrEqual(marks.sent ?? Infinity);
    expect(marks.end).toBeGreaterThanOrEqual(marks.firstByte ?? Infinity);
  });

  it('sends a POST body in DATA frames, and a chunked one unframed', async () => {
    const session = await h2cSession(server.port);
    const {sink} = await exchange(session, {
      url: `${server.origin}/echo`,
      method: 'POST',
      body: 'name=porthole',
      bodyType: 'application/x-www-form-urlencoded',
    });
    expect(sink.final?.status).toBe(201);
    expect(sink.text()).toBe('name=porthole');
    expect(eventsOf(sink, 'request-body')).toEqual([{type: 'request-body', bytes: 13}]);
    expect(eventsOf(sink, 'request-head')[0]?.lines.slice(-2)).toEqual([
      'content-length: 13',
      'content-type: application/x-www-form-urlencoded',
    ]);

    // As curl: with -H 'Transfer-Encoding: chunked' HTTP/2 sends neither it nor a length.
    const chunked = await exchange(session, {
      url: `${server.origin}/echo`,
      method: 'POST',
      body: 'raw body',
      headers: [['Transfer-Encoding', 'chunked']],
    });
    expect(chunked.sink.text()).toBe('raw body');
    expect(server.received.at(-1)?.body.toString()).toBe('raw body');
    const raw = server.received.at(-1)?.raw ?? [];
    expect(raw).not.toContain('transfer-encoding');
    expect(raw).not.toContain('content-length');
    expect(eventsOf(chunked.sink, 'request-head')[0]?.stream).toBe(3);
  });

  it('reads a HEAD response as having no body, whatever its content-length', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/head`, method: 'HEAD'});
    expect(sink.ended).toBe(true);
    expect(sink.final?.headers).toEqual([['content-length', '1234']]);
    expect(sink.chunks).toEqual([]);
    expect([adapter.received, adapter.expected]).toEqual([0, undefined]);
    expect(adapter.afterBody()).toEqual([]);
  });

  it('carries two requests at once on one session, on streams 1 and 3', async () => {
    const session = await h2cSession(server.port);
    let waiting: Array<() => void> = [];
    server.route('/together', (stream) => {
      // Neither is answered until both have arrived.
      waiting.push(() => {
        stream.respond({':status': 200}, {...noDate});
        stream.end(String(stream.id));
      });
      if (waiting.length === 2) for (const answer of waiting.splice(0)) answer();
    });
    const first = testSink();
    const second = testSink();
    const one = http2Exchange(session, adapterRequest({url: `${server.origin}/together`}), first);
    const two = http2Exchange(session, adapterRequest({url: `${server.origin}/together`}), second);
    one.send();
    two.send();
    expect(activeStreams(session)).toBe(2);
    await Promise.all([first.done, second.done]);
    waiting = [];
    expect(eventsOf(first, 'request-head')[0]?.stream).toBe(1);
    expect(eventsOf(second, 'request-head')[0]?.stream).toBe(3);
    expect([first.text(), second.text()]).toEqual(['1', '3']);
    expect(activeStreams(session)).toBe(0);
    expect(one.reusable() && two.reusable()).toBe(true);
  });

  it('carries 40 streams at once without a listener per stream on the session', async () => {
    const session = await h2cSession(server.port);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const sinks = Array.from({length: 40}, () => testSink());
      for (const sink of sinks) {
        http2Exchange(session, adapterRequest({url: `${server.origin}/hello`}), sink).send();
      }
      await Promise.all(sinks.map((sink) => sink.done));
      expect(sinks.map((sink) => sink.text())).toEqual(Array(40).fill('hello\n'));
      const ids = sinks.map((sink) => eventsOf(sink, 'request-head')[0]?.stream);
      expect(ids).toEqual(Array.from({length: 40}, (_, index) => 2 * index + 1));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      expect(session.listenerCount('goaway')).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('tells a 103 Early Hints head before the final one', async () => {
    const session = await h2cSession(server.port);
    const {sink} = await exchange(session, {url: `${server.origin}/hints`});
    const heads = eventsOf(sink, 'response-head');
    expect(heads.map((event) => [event.informational, event.head.lines])).toEqual([
      [true, ['HTTP/2 103 ', 'link: </style.css>; rel=preload']],
      [false, ['HTTP/2 200 ']],
    ]);
    expect(sink.final?.status).toBe(200);
    expect(sink.text()).toBe('after hints');
  });

  it('tells the trailers as lines', async () => {
    const session = await h2cSession(server.port);
    const {sink} = await exchange(session, {url: `${server.origin}/trailers`});
    expect(sink.ended).toBe(true);
    expect(sink.text()).toBe('rows');
    expect(eventsOf(sink, 'trailer').map((event) => event.line)).toEqual([
      'x-checksum: abc123',
      'x-rows: 2',
    ]);
  });

  it('fails in one line when the server resets the stream mid-body, keeping the session', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/reset`});
    expect(sink.failure?.failure).toEqual({
      code: 'reset',
      message: 'the server reset stream 1 (NGHTTP2_INTERNAL_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(eventsOf(sink, 'h2-reset')).toEqual([
      {type: 'h2-reset', stream: 1, code: 2, name: 'NGHTTP2_INTERNAL_ERROR', goaway: false},
    ]);
    expect(eventsOf(sink, 'warning').map((event) => event.text)).toEqual([
      'the body is 28000 bytes shorter than its content-length of 40000',
    ]);
    expect(adapter.received).toBe(12000);
    expect(Buffer.concat(sink.chunks).length).toBe(12000);
    // A reset ends one stream, not the connection.
    expect(adapter.reusable()).toBe(true);
    const next = await exchange(session, {url: `${server.origin}/hello`});
    expect(next.sink.text()).toBe('hello\n');
  });

  it('fails in one line when the stream ends short of its content-length', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/short`});
    expect(sink.failure?.failure).toEqual({
      code: 'protocol',
      message: 'stream 1 was reset (NGHTTP2_PROTOCOL_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(adapter.received).toBe(12000);
  });

  it('fails in one line on a GOAWAY with an error mid-body, and the session is not reused', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/goaway-error`});
    expect(sink.failure?.failure).toEqual({
      code: 'reset',
      message:
        'the server closed the HTTP/2 connection (GOAWAY NGHTTP2_INTERNAL_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(eventsOf(sink, 'h2-reset')).toEqual([
      {type: 'h2-reset', stream: 1, code: 2, name: 'NGHTTP2_INTERNAL_ERROR', goaway: true},
    ]);
    expect(adapter.reusable()).toBe(false);
  });

  it('fails in one line when the connection closes after a GOAWAY without error', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/goaway-then-close`});
    expect(sink.failure?.failure).toEqual({
      code: 'reset',
      message:
        'the server closed the HTTP/2 connection (GOAWAY NGHTTP2_NO_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(eventsOf(sink, 'h2-reset')[0]).toMatchObject({goaway: true, code: 0, stream: 1});
    expect(adapter.reusable()).toBe(false);
  });

  it('finishes a stream the server lets finish after GOAWAY, and does not reuse the session', async () => {
    const session = await h2cSession(server.port);
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/goaway-graceful`});
    expect(sink.failure).toBeUndefined();
    expect(sink.text()).toBe('halfdone');
    expect(eventsOf(sink, 'h2-reset')).toEqual([
      {type: 'h2-reset', stream: 1, code: 0, name: 'NGHTTP2_NO_ERROR', goaway: true},
    ]);
    expect(adapter.reusable()).toBe(false);
  });

  it('fails a stream the GOAWAY leaves out, and finishes the one it keeps', async () => {
    const session = await h2cSession(server.port);
    const waiting: Array<() => void> = [];
    server.route('/cut', (stream) => {
      waiting.push(() => {
        stream.respond({':status': 200}, noDate);
        stream.end('kept');
      });
      if (waiting.length < 2) return;
      // Stream 1 goes on; stream 3 was never processed.
      stream.session?.goaway(constants.NGHTTP2_NO_ERROR, 1);
      waiting[0]?.();
    });
    const first = testSink();
    const second = testSink();
    http2Exchange(session, adapterRequest({url: `${server.origin}/cut`}), first).send();
    http2Exchange(session, adapterRequest({url: `${server.origin}/cut`}), second).send();
    await Promise.all([first.done, second.done]);
    expect(first.failure).toBeUndefined();
    expect(first.text()).toBe('kept');
    expect(second.failure?.failure).toEqual({
      code: 'reset',
      message: 'the server closed the HTTP/2 connection (GOAWAY NGHTTP2_NO_ERROR) before answering',
    });
    expect(eventsOf(second, 'h2-reset')[0]).toMatchObject({stream: 3, goaway: true});
  });

  it('pauses the stream while the sink holds the body back, and goes on at resume()', async () => {
    const session = await h2cSession(server.port);
    let holding = true;
    const sink = testSink((_chunk, index) => index > 0 || !holding);
    const adapter = http2Exchange(session, adapterRequest({url: `${server.origin}/big`}), sink);
    adapter.send();
    await until(() => sink.chunks.length > 0);
    const first = adapter.received;
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Nothing more is read while paused: 4 MiB is far beyond one flow-control window.
    expect(adapter.received).toBe(first);
    expect(sink.chunks.length).toBe(1);
    expect(sink.ended).toBe(false);
    holding = false;
    adapter.resume();
    await sink.done;
    expect(sink.ended).toBe(true);
    expect(adapter.received).toBe(4 * 1024 * 1024);
    expect(Buffer.concat(sink.chunks).equals(Buffer.alloc(4 * 1024 * 1024, 98))).toBe(true);
  });

  it('abandon() cancels the stream and keeps the session for the next request', async () => {
    const session = await h2cSession(server.port);
    let serverCode: number | undefined;
    server.route('/slow', (stream) => {
      stream.on('close', () => {
        serverCode = stream.rstCode;
      });
      stream.respond({':status': 200});
      stream.write('first part');
    });
    const sink = testSink();
    const adapter = http2Exchange(session, adapterRequest({url: `${server.origin}/slow`}), sink);
    adapter.send();
    await until(() => sink.chunks.length > 0);
    adapter.abandon();
    await until(() => serverCode !== undefined);
    expect(serverCode).toBe(constants.NGHTTP2_CANCEL);
    expect(sink.ended || sink.failure !== undefined).toBe(false);
    expect(adapter.reusable()).toBe(true);
    const next = await exchange(session, {url: `${server.origin}/hello`});
    expect(eventsOf(next.sink, 'request-head')[0]?.stream).toBe(3);
    expect(next.sink.text()).toBe('hello\n');
  });

  it('refuses a header block over 16 KiB with headers-too-large, on the first stream and later ones', async () => {
    const session = await h2cSession(server.port);
    const first = await exchange(session, {url: `${server.origin}/huge-head`});
    expect(first.sink.failure?.failure.code).toBe('headers-too-large');
    expect(first.sink.final).toBeUndefined();
    // Once the server has our SETTINGS, Node refuses the block itself.
    const later = await exchange(session, {url: `${server.origin}/huge-head`});
    expect(later.sink.failure?.failure.code).toBe('headers-too-large');
    expect(later.sink.failure?.message).toMatch(/^response headers exceed 16 KiB/);
  });

  it('holds the body for 100 Continue and sends it when the 100 comes', async () => {
    const session = await h2cSession(server.port);
    const started = performance.now();
    const {sink} = await exchange(session, {
      url: `${server.origin}/continue`,
      method: 'PUT',
      body: 'x'.repeat(5000),
      expectContinue: true,
    });
    expect(performance.now() - started).toBeLessThan(900);
    expect(sink.text()).toBe('got 5000');
    expect(eventsOf(sink, 'continue-timeout')).toEqual([]);
    expect(eventsOf(sink, 'request-head')[0]?.lines).toContain('expect: 100-continue');
    expect(
      eventsOf(sink, 'response-head').map((event) => [event.informational, event.head.status]),
    ).toEqual([
      [true, 100],
      [false, 200],
    ]);
  });

  it('sends a held body after a second without 100 Continue, as curl does', async () => {
    const session = await h2cSession(server.port);
    const started = performance.now();
    const {sink} = await exchange(session, {
      url: `${server.origin}/no-continue`,
      method: 'PUT',
      body: 'x'.repeat(5000),
      expectContinue: true,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(sink.text()).toBe('got 5000');
    expect(sink.events.map((event) => event.type)).toEqual([
      'request-head',
      'continue-timeout',
      'request-body',
      'response-head',
    ]);
  });

  it('does not send a held body when the final answer comes before 100 Continue', async () => {
    const session = await h2cSession(server.port);
    server.route('/refuse', (stream) => {
      stream.respond({':status': 413, 'content-length': '8'}, noDate);
      stream.end('too big!');
    });
    const {sink, adapter} = await exchange(session, {
      url: `${server.origin}/refuse`,
      method: 'PUT',
      body: 'x'.repeat(5000),
      expectContinue: true,
    });
    expect(sink.failure).toBeUndefined();
    expect(sink.final?.status).toBe(413);
    expect(sink.text()).toBe('too big!');
    expect(sink.events.map((event) => event.type)).toEqual([
      'request-head',
      'body-not-sent',
      'response-head',
    ]);
    expect(server.received.at(-1)?.body.length).toBe(0);
    expect(sink.marks.sent).toBeDefined();
    expect(adapter.reusable()).toBe(true);
  });

  it('uploads a body larger than the flow-control window', async () => {
    const session = await h2cSession(server.port);
    const upload = Buffer.alloc(1024 * 1024 + 7, 65);
    const {sink} = await exchange(session, {
      url: `${server.origin}/echo`,
      method: 'POST',
      body: upload,
    });
    expect(sink.failure).toBeUndefined();
    expect(Buffer.concat(sink.chunks).equals(upload)).toBe(true);
    expect(eventsOf(sink, 'request-body')).toEqual([{type: 'request-body', bytes: upload.length}]);
  });

  it('fails in one line when the connection drops mid-body without GOAWAY', async () => {
    const session = await h2cSession(server.port);
    server.route('/drop', (stream) => {
      stream.respond({':status': 200, 'content-length': '40000'});
      stream.write(Buffer.alloc(12000, 97), () => {
        setTimeout(() => server.dropConnection(stream), 20);
      });
    });
    const {sink, adapter} = await exchange(session, {url: `${server.origin}/drop`});
    expect(sink.failure?.failure).toEqual({
      code: 'reset',
      message: `connection to ${where} closed before the body was complete (received 11.7 KiB of 39.1 KiB)`,
    });
    expect(eventsOf(sink, 'h2-reset')).toEqual([]);
    expect(adapter.reusable()).toBe(false);
  });

  it('fails in one line on a session that closed before the request', async () => {
    const session = await h2cSession(server.port);
    session.close();
    const {sink} = await exchange(session, {url: `${server.origin}/hello`});
    expect(sink.failure?.failure).toEqual({
      code: 'reset',
      message: `the HTTP/2 connection to ${where} closed before the request was sent`,
    });
  });

  it('lets the process exit while the session idles, not while a stream is open', async () => {
    let answered = false;
    server.route('/late', (stream) => {
      // Answered only after a while: the child must stay alive for it.
      setTimeout(() => {
        answered = true;
        stream.respond({':status': 200});
        stream.end('late');
      }, 300);
    });
    const script = `
      import net from 'node:net';
      import {http2Exchange, openSession} from ${JSON.stringify(path.join(root, 'source/request/http2-exchange.ts'))};
      const socket = net.connect(${server.port}, '127.0.0.1', () => {
        const session = openSession(socket, '127.0.0.1:${server.port}', 'http');
        const request = {
          hop: {method: 'GET', body: undefined},
          request: {lines: ['GET /late HTTP/1.1', 'Host: 127.0.0.1:${server.port}'], body: undefined},
          holdBody: false, where: '127.0.0.1:${server.port}', scheme: 'http', authority: '127.0.0.1:${server.port}',
        };
        const chunks = [];
        http2Exchange(session, request, {
          emit() {}, head() {}, body(chunk) { chunks.push(chunk); return true; },
          end() { console.log('body ' + Buffer.concat(chunks)); },
          fail(failure) { console.log('failed ' + failure.message); },
          marks: {start: 0},
        }).send();
      });
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const timer = setTimeout(() => child.kill(), 10_000);
    const code = await exited;
    clearTimeout(timer);
    expect(output.trim()).toBe('body late');
    expect(code).toBe(0);
    expect(answered).toBe(true);
  });
});

describe('http2Exchange over TLS (ALPN h2)', () => {
  let server: H2Loopback<http2.Http2SecureServer>;

  beforeAll(async () => {
    server = await h2Server(selfSignedCertificate());
    server.route('/echo', (stream) => {
      afterBody(stream, (body) => {
        stream.respond({':status': 200, 'content-type': 'text/plain'}, {...noDate});
        stream.end(`received ${body.toString()}`);
      });
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('speaks https with :scheme https and the Host line as :authority', async () => {
    const session = await tlsSession(server.port);
    const {sink} = await exchange(session, {
      url: `https://localhost:${server.port}/echo`,
      method: 'POST',
      body: 'over tls',
    });
    expect(sink.text()).toBe('received over tls');
    expect(eventsOf(sink, 'request-head')[0]?.lines.slice(0, 2)).toEqual([
      'POST /echo HTTP/2',
      `Host: localhost:${server.port}`,
    ]);
    expect(server.received.at(-1)?.raw.slice(0, 8)).toEqual([
      ':method',
      'POST',
      ':path',
      '/echo',
      ':scheme',
      'https',
      ':authority',
      `localhost:${server.port}`,
    ]);
    expect(sink.final?.lines).toEqual(['HTTP/2 200 ', 'content-type: text/plain']);
  });

  it('drops connection-specific headers and sends a given Host as :authority, as curl does', async () => {
    const session = await tlsSession(server.port);
    const {sink} = await exchange(session, {
      url: `https://localhost:${server.port}/echo`,
      method: 'POST',
      body: '1',
      headers: [
        ['Host', 'other.example:99'],
        ['Connection', 'close'],
        ['Keep-Alive', '5'],
        ['Upgrade', 'h2c'],
        ['Proxy-Connection', 'keep-alive'],
        ['TE', 'gzip'],
        ['X-Spaced', 'value', 'X-Spaced:   value'],
      ],
    });
    expect(sink.ended).toBe(true);
    const raw = server.received.at(-1)?.raw ?? [];
    expect(raw[7]).toBe('other.example:99');
    const names = raw.filter((_field, index) => index % 2 === 0);
    expect(names).toEqual([
      ':method',
      ':path',
      ':scheme',
      ':authority',
      'user-agent',
      'accept',
      'x-spaced',
      'content-length',
    ]);
    expect(raw[raw.indexOf('x-spaced') + 1]).toBe('value');
    // Shown as curl shows them, dropped or not.
    expect(eventsOf(sink, 'request-head')[0]?.lines).toEqual([
      'POST /echo HTTP/2',
      'Host: other.example:99',
      `user-agent: ${userAgent}`,
      'accept: */*',
      'connection: close',
      'keep-alive: 5',
      'upgrade: h2c',
      'proxy-connection: keep-alive',
      'te: gzip',
      'x-spaced:   value',
      'content-length: 1',
    ]);
  });
});

describe('http2Exchange against servers that do not speak HTTP/2', () => {
  it('says in one line, at once, that an HTTP/1.1 server does not speak h2c', async () => {
    const server = http.createServer((_request, response) => response.end('http/1.1 here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const session = await h2cSession(address.port);
      const started = performance.now();
      const {sink, adapter} = await exchange(session, {url: `http://127.0.0.1:${address.port}/`});
      expect(performance.now() - started).toBeLessThan(2000);
      expect(sink.failure?.failure).toEqual({
        code: 'protocol',
        message: `h2c: 127.0.0.1:${address.port} does not speak HTTP/2 (it answered the HTTP/2 connection preface with bytes that are not HTTP/2 frames, as an HTTP/1.1-only server does)`,
      });
      expect(adapter.reusable()).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('http2Exchange against a server that closes on the preface', () => {
  it('says the connection closed and that no HTTP/2 SETTINGS came', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const session = await h2cSession(address.port);
      const {sink} = await exchange(session, {url: `http://127.0.0.1:${address.port}/`});
      expect(sink.failure?.failure).toEqual({
        code: 'reset',
        message: `connection closed by 127.0.0.1:${address.port} before a response arrived (it sent no HTTP/2 SETTINGS: it may not speak HTTP/2)`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

const curlVersion = (() => {
  try {
    return execFileSync('curl', ['--version'], {encoding: 'utf8'});
  } catch {
    return '';
  }
})();

/** Each a curl command's arguments after the URL, run by real curl and read by porthole's reader. */
const curlCommands: string[][] = [
  ['-H', 'X-Spaced:   v', '-H', 'Accept: text/html', '-H', 'Connection: close'],
  ['-d', 'a=1&b=2'],
  ['-H', 'Host: other.example:99', '-H', 'Keep-Alive: 5', '-H', 'TE: gzip', '-H', 'Upgrade: x'],
  ['-H', 'Transfer-Encoding: chunked', '-d', 'hello'],
  ['-u', 'user:pass', '-b', 'c=1', '-e', 'http://ref.example/', '-r', '0-99'],
  ['-X', 'PATCH', '-H', 'Content-Type: application/json', '-d', '{"a":1}'],
  ['-I'],
  ['-H', 'X-Empty;', '-H', 'TE: trailers', '-H', 'Proxy-Connection: keep-alive'],
  ['--compressed'],
];

function shellQuoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

type Seen = {lines: string[]; raw: string[]; body: string};

function withoutAgent(seen: Seen): Seen {
  const at = seen.raw.indexOf('user-agent');
  return {
    lines: seen.lines.filter((line) => !line.startsWith('user-agent:')),
    raw: at === -1 ? seen.raw : [...seen.raw.slice(0, at), ...seen.raw.slice(at + 2)],
    body: seen.body,
  };
}

describe.skipIf(!/nghttp2/.test(curlVersion))('http2Exchange beside real curl', () => {
  let plain: H2Loopback<http2.Http2Server>;
  let secure: H2Loopback<http2.Http2SecureServer>;

  beforeAll(async () => {
    plain = await h2cServer();
    secure = await h2Server(selfSignedCertificate());
    for (const server of [plain, secure]) {
      server.route('/compare', (stream) => {
        afterBody(stream, () => stream.respond({':status': 204}, {endStream: true}));
      });
    }
  });

  afterAll(async () => {
    await plain.close();
    await secure.close();
  });

  const runCurl = async (
    server: H2Loopback<http2.Http2Server | http2.Http2SecureServer>,
    args: string[],
  ): Promise<Seen> => {
    const before = server.received.length;
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile('curl', ['-s', '-v', ...args, '-o', '/dev/null'], (error, _stdout, text) => {
        if (error === null) resolve(text);
        else reject(new Error(`curl failed: ${error.message}`));
      });
    });
    await until(() => server.received.length > before);
    const request = server.received[before];
    return {
      lines: stderr
        .split('\n')
        .filter((line) => line.startsWith('> '))
        .map((line) => line.slice(2).replace(/\r$/, ''))
        .filter((line) => line !== ''),
      raw: request?.raw ?? [],
      body: request?.body.toString('latin1') ?? '',
    };
  };

  const runPorthole = async (
    server: H2Loopback<http2.Http2Server | http2.Http2SecureServer>,
    session: ClientHttp2Session,
    args: string[],
  ): Promise<Seen> => {
    const command = readCurlText(['curl', ...args].map(shellQuoted).join(' '));
    if (typeof command === 'string') throw new Error(command);
    const planned = await planRequest(command, {
      readFile: () => Promise.reject(new Error('no files here')),
      readStdin: () => Promise.resolve(Buffer.alloc(0)),
    });
    if (typeof planned === 'string') throw new Error(planned);
    const before = server.received.length;
    const {sink} = await exchange(session, planned.options);
    expect(sink.failure).toBeUndefined();
    const request = server.received[before];
    return {
      lines: eventsOf(sink, 'request-head')[0]?.lines ?? [],
      raw: request?.raw ?? [],
      body: request?.body.toString('latin1') ?? '',
    };
  };

  it.each(curlCommands.map((args) => [args.join(' ') || '(plain GET)', args]))(
    'shows and sends %s as curl -v --http2-prior-knowledge does',
    async (_name, args) => {
      const url = `${plain.origin}/compare?q=1`;
      const curl = await runCurl(plain, ['--http2-prior-knowledge', ...args, url]);
      const session = await h2cSession(plain.port);
      const ours = await runPorthole(plain, session, [...args, url]);
      expect(curl.lines.length).toBeGreaterThan(3);
      expect(withoutAgent(ours)).toEqual(withoutAgent(curl));
    },
  );

  it('shows and sends an https request as curl -v --http2 does after ALPN', async () => {
    const url = `https://localhost:${secure.port}/compare`;
    const args = ['-d', 'over tls', '-H', 'X-A: b'];
    const curl = await runCurl(secure, [
      '--http2',
      '-k',
      '--resolve',
      `localhost:${secure.port}:127.0.0.1`,
      ...args,
      url,
    ]);
    const session = await tlsSession(secure.port);
    const ours = await runPorthole(secure, session, [...args, url]);
    expect(curl.lines[1]).toBe(`Host: localhost:${secure.port}`);
    expect(withoutAgent(ours)).toEqual(withoutAgent(curl));
  });
});

describe('http2Request', () => {
  it('keeps a TE of trailers, drops any other', () => {
    const fields = (te: string) =>
      http2Request(adapterRequest({url: 'http://example.test/', headers: [['TE', te]]})).fields;
    expect(fields('trailers')).toContainEqual(['te', 'trailers']);
    expect(fields('gzip').some(([name]) => name === 'te')).toBe(false);
  });
});
