import type http from 'node:http';
import http2, {type Http2SecureServer, type Http2Server} from 'node:http2';
import https from 'node:https';
import type {TLSSocket} from 'node:tls';
import {gzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createConnectionPool} from '../../source/request/pool.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult} from '../../source/request/types.js';
import {afterBody, h2cServer, h2Server, noDate, type H2Loopback} from '../helpers/h2-servers.js';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {selfSignedCertificate} from '../helpers/tls.js';

const {constants} = http2;

function bodyText(result: RequestResult): string {
  return Buffer.from(result.response?.body ?? []).toString('utf8');
}

function lines(result: RequestResult, kind: 'in' | 'out' | 'info'): string[] {
  return result.transcript.filter((line) => line.kind === kind).map((line) => line.text);
}

/** The routes every HTTP/2 server of these tests answers. */
function routes(server: H2Loopback<Http2Server | Http2SecureServer>): void {
  server.route('/hello', (stream) => {
    stream.respond({':status': 200, 'content-type': 'text/plain'}, noDate);
    stream.end('hello over h2');
  });
  server.route('/echo', (stream) => {
    afterBody(stream, (body) => {
      stream.respond({':status': 200}, noDate);
      stream.end(`echo ${body.toString()}`);
    });
  });
  server.route('/redirect', (stream) => {
    stream.respond({':status': 302, location: '/hello'}, {...noDate, endStream: true});
  });
  server.route('/silent', () => {
    // Never answered: the client gives up.
  });
  server.route('/trickle', (stream) => {
    stream.respond({':status': 200}, noDate);
    stream.write('first part ');
  });
  server.route('/large', (stream) => {
    stream.respond({':status': 200, 'content-length': String(100 * 1024)}, noDate);
    stream.end(Buffer.alloc(100 * 1024, 120));
  });
  server.route('/gzip', (stream, raw) => {
    const accept = raw[raw.indexOf('accept-encoding') + 1] ?? '';
    if (!accept.includes('gzip')) {
      stream.respond({':status': 406}, {...noDate, endStream: true});
      return;
    }
    stream.respond({':status': 200, 'content-encoding': 'gzip'}, noDate);
    stream.end(gzipSync(Buffer.from('decoded from gzip '.repeat(50))));
  });
  server.route('/hints', (stream) => {
    stream.additionalHeaders({':status': 103, link: '</style.css>; rel=preload'});
    stream.respond({':status': 200}, {...noDate, waitForTrailers: true});
    stream.on('wantTrailers', () => stream.sendTrailers({'x-checksum': 'abc'}));
    stream.end('with hints');
  });
  server.route('/huge-head', (stream) => {
    stream.respond({':status': 200, 'x-big': 'a'.repeat(40000)}, noDate);
    stream.end('x');
  });
  server.route('/reset', (stream) => {
    stream.respond({':status': 200, 'content-length': '40000'}, {waitForTrailers: true});
    stream.on('wantTrailers', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    stream.end(Buffer.alloc(12000, 97));
  });
  server.route('/goaway', (stream) => {
    stream.respond({':status': 200, 'content-length': '40000'});
    stream.write(Buffer.alloc(12000, 97), () => {
      setTimeout(() => stream.session?.goaway(constants.NGHTTP2_INTERNAL_ERROR), 20);
    });
  });
}

describe('sendRequest over HTTP/2 (https, ALPN)', () => {
  let server: H2Loopback<Http2SecureServer>;
  let both: H2Loopback<Http2SecureServer>;
  let http1Only: Loopback<https.Server>;
  const certificate = selfSignedCertificate();

  beforeAll(async () => {
    server = await h2Server(certificate);
    routes(server);
    both = await h2Server(certificate, {allowHTTP1: true});
    routes(both);
    both.server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      if (request.httpVersion.startsWith('2')) return;
      response.end(
        `http/${request.httpVersion} via ${String((request.socket as TLSSocket).alpnProtocol)}`,
      );
    });
    http1Only = await new Promise((resolve) => {
      const plain = https.createServer(
        {key: certificate.key, cert: certificate.cert, ALPNProtocols: ['http/1.1']},
        (request, response) => response.end(`http/${request.httpVersion}`),
      );
      plain.listen(0, '127.0.0.1', () => {
        const address = plain.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        resolve({
          server: plain,
          port,
          origin: `https://127.0.0.1:${port}`,
          close: () => {
            plain.closeAllConnections();
            return new Promise((done) => plain.close(() => done()));
          },
        });
      });
    });
  });

  afterAll(async () => {
    await server.close();
    await both.close();
    await http1Only.close();
  });

  it('speaks h2 when ALPN picks it: protocol h2, HTTP/2 200, the head as curl shows it', async () => {
    const result = await sendRequest({url: `${server.origin}/hello`, insecure: true});
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('h2');
    expect(result.tls?.alpn).toBe('h2');
    expect(result.connection?.protocol).toBe('h2');
    expect(result.response?.httpVersion).toBe('2');
    expect(result.response?.status).toBe(200);
    expect(result.response?.statusText).toBe('');
    expect(result.response?.headers).toEqual([['content-type', 'text/plain']]);
    expect(bodyText(result)).toBe('hello over h2');
    expect(lines(result, 'out')[0]).toBe('GET /hello HTTP/2');
    expect(lines(result, 'out')[1]).toBe(`Host: 127.0.0.1:${server.port}`);
    expect(lines(result, 'in').slice(0, 2)).toEqual(['HTTP/2 200 ', 'content-type: text/plain']);
    expect(server.received.at(-1)?.raw.slice(0, 8)).toEqual([
      ':method',
      'GET',
      ':path',
      '/hello',
      ':scheme',
      'https',
      ':authority',
      `127.0.0.1:${server.port}`,
    ]);
    const timings = result.timings;
    expect(timings.send).toBeDefined();
    expect(timings.firstByte).toBeDefined();
    expect(timings.download).toBeDefined();
  });

  it('sends a POST body over h2', async () => {
    const result = await sendRequest({
      url: `${server.origin}/echo`,
      method: 'POST',
      body: 'a=1',
      bodyType: 'application/x-www-form-urlencoded',
      insecure: true,
    });
    expect(bodyText(result)).toBe('echo a=1');
    expect(lines(result, 'out')).toContain('content-type: application/x-www-form-urlencoded');
  });

  it('speaks HTTP/1.1 to a server that offers only http/1.1', async () => {
    const result = await sendRequest({url: `${http1Only.origin}/`, insecure: true});
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('http/1.1');
    expect(result.response?.httpVersion).toBe('1.1');
    expect(bodyText(result)).toBe('http/1.1');
  });

  it("offers no h2 with httpVersion '1.1', even to a server that speaks it", async () => {
    const result = await sendRequest({
      url: `${both.origin}/`,
      insecure: true,
      httpVersion: '1.1',
    });
    expect(result.protocol).toBe('http/1.1');
    expect(bodyText(result)).toBe('http/1.1 via http/1.1');
    const offered = await sendRequest({url: `${both.origin}/hello`, insecure: true});
    expect(offered.protocol).toBe('h2');
    expect(bodyText(offered)).toBe('hello over h2');
  });

  it('follows a redirect over h2', async () => {
    const result = await sendRequest({
      url: `${server.origin}/redirect`,
      insecure: true,
      followRedirects: true,
    });
    expect(result.error).toBeUndefined();
    expect(result.redirects).toEqual([
      {url: `${server.origin}/redirect`, status: 302, location: '/hello'},
    ]);
    expect(result.response?.url).toBe(`${server.origin}/hello`);
    expect(result.protocol).toBe('h2');
    expect(bodyText(result)).toBe('hello over h2');
  });

  it('carries a second request on the pooled h2 connection', async () => {
    const pool = createConnectionPool();
    try {
      const first = await sendRequest({url: `${server.origin}/hello`, insecure: true, pool});
      const second = await sendRequest({url: `${server.origin}/echo`, insecure: true, pool});
      expect(first.connection?.reused).toBe(false);
      expect(second.connection?.reused).toBe(true);
      expect(second.connection?.id).toBe(first.connection?.id);
      expect(second.protocol).toBe('h2');
      expect(bodyText(second)).toBe('echo ');
      const streams = second.events.flatMap((event) =>
        event.type === 'request-head' ? [event.stream] : [],
      );
      expect(streams).toEqual([3]);
    } finally {
      pool.close();
    }
  });

  it('times out in one line when the server never answers', async () => {
    const started = performance.now();
    const result = await sendRequest({
      url: `${server.origin}/silent`,
      insecure: true,
      timeoutMs: 400,
    });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(result.error).toEqual({code: 'timeout', message: 'no response within 0.4 s'});
  });

  it('stops at once when the signal aborts, mid-body', async () => {
    const controller = new AbortController();
    const result = await sendRequest({
      url: `${server.origin}/trickle`,
      insecure: true,
      signal: controller.signal,
      onBodyProgress: () => controller.abort(),
    });
    expect(result.error).toEqual({code: 'aborted', message: 'request aborted'});
    expect(result.response?.status).toBe(200);
  });

  it('keeps at most maxBodyBytes of the body and counts the rest', async () => {
    const result = await sendRequest({
      url: `${server.origin}/large`,
      insecure: true,
      maxBodyBytes: 1000,
    });
    expect(result.error).toBeUndefined();
    expect(result.response?.body.length).toBe(1000);
    expect(result.response?.bodyTruncated).toBe(true);
    expect(result.response?.wireBytes).toBe(100 * 1024);
  });

  it('asks for and decodes a gzip body with compressed', async () => {
    const result = await sendRequest({
      url: `${server.origin}/gzip`,
      insecure: true,
      compressed: true,
    });
    expect(result.response?.status).toBe(200);
    expect(result.response?.decoded).toBe('gzip');
    expect(bodyText(result)).toBe('decoded from gzip '.repeat(50));
    expect(lines(result, 'out')).toContain('accept-encoding: deflate, gzip, br, zstd');
  });

  it('tells a 103 and the trailers in the transcript as curl -v does', async () => {
    const result = await sendRequest({url: `${server.origin}/hints`, insecure: true});
    expect(result.error).toBeUndefined();
    expect(bodyText(result)).toBe('with hints');
    expect(lines(result, 'in')).toEqual([
      'HTTP/2 103 ',
      'link: </style.css>; rel=preload',
      '',
      'HTTP/2 200 ',
      '',
      'x-checksum: abc',
    ]);
  });

  it('holds an Expect: 100-continue body for a second, as curl does over h2', async () => {
    const started = performance.now();
    const result = await sendRequest({
      url: `${server.origin}/echo`,
      method: 'PUT',
      body: 'held',
      expectContinue: true,
      insecure: true,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(bodyText(result)).toBe('echo held');
    expect(lines(result, 'info')).toContain('Done waiting for 100-continue');
    expect(lines(result, 'out')).toContain('expect: 100-continue');
  });

  it('refuses response headers over 16 KiB in one line', async () => {
    const result = await sendRequest({url: `${server.origin}/huge-head`, insecure: true});
    expect(result.error?.code).toBe('headers-too-large');
    expect(result.error?.message).toMatch(/^response headers exceed 16 KiB/);
    expect(result.response).toBeUndefined();
  });

  it('gives one clear line and the partial response when the server resets the stream', async () => {
    const result = await sendRequest({url: `${server.origin}/reset`, insecure: true});
    expect(result.error).toEqual({
      code: 'reset',
      message: 'the server reset stream 1 (NGHTTP2_INTERNAL_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(result.response?.status).toBe(200);
    expect(result.response?.wireBytes).toBe(12000);
    expect(result.response?.body.length).toBe(12000);
    expect(result.events.some((event) => event.type === 'h2-reset' && !event.goaway)).toBe(true);
  });

  it('gives one clear line and the partial response on GOAWAY mid-body', async () => {
    const result = await sendRequest({url: `${server.origin}/goaway`, insecure: true});
    expect(result.error).toEqual({
      code: 'reset',
      message:
        'the server closed the HTTP/2 connection (GOAWAY NGHTTP2_INTERNAL_ERROR) after 11.7 KiB of 39.1 KiB',
    });
    expect(result.response?.wireBytes).toBe(12000);
    expect(result.events.some((event) => event.type === 'h2-reset' && event.goaway)).toBe(true);
  });
});

describe('sendRequest with HTTP/2 prior knowledge (h2c)', () => {
  let server: H2Loopback<Http2Server>;
  let http1: Loopback<http.Server>;

  beforeAll(async () => {
    server = await h2cServer();
    routes(server);
    http1 = await httpServer((_request, response) => response.end('only http/1.1 here'));
  });

  afterAll(async () => {
    await server.close();
    await http1.close();
  });

  it('asking an h2c-only server in HTTP/1.1 says it speaks HTTP/2 and what to pass', async () => {
    const result = await sendRequest({url: `${server.origin}/hello`});
    expect(result.error?.code).toBe('protocol');
    expect(result.error?.message).toMatch(
      /: it answered with HTTP\/2 frames \(h2c\): try --http2-prior-knowledge$/,
    );
  });

  it("speaks h2c from the first byte with '2-prior-knowledge'", async () => {
    const result = await sendRequest({
      url: `${server.origin}/hello`,
      httpVersion: '2-prior-knowledge',
    });
    expect(result.error).toBeUndefined();
    expect(result.protocol).toBe('h2');
    expect(result.response?.httpVersion).toBe('2');
    expect(bodyText(result)).toBe('hello over h2');
    expect(server.received.at(-1)?.raw[5]).toBe('http');
  });

  it('follows a redirect on h2c', async () => {
    const result = await sendRequest({
      url: `${server.origin}/redirect`,
      httpVersion: '2-prior-knowledge',
      followRedirects: true,
    });
    expect(result.redirects.length).toBe(1);
    expect(bodyText(result)).toBe('hello over h2');
  });

  it('fails in one line, quickly, against a server that speaks only HTTP/1.1', async () => {
    const started = performance.now();
    const result = await sendRequest({
      url: `${http1.origin}/`,
      httpVersion: '2-prior-knowledge',
    });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(result.error).toEqual({
      code: 'protocol',
      message: `h2c: 127.0.0.1:${http1.port} does not speak HTTP/2 (it answered the HTTP/2 connection preface with bytes that are not HTTP/2 frames, as an HTTP/1.1-only server does)`,
    });
    expect(result.response).toBeUndefined();
  });

  it("speaks HTTP/1.1 on http with '2', as curl --http2 does", async () => {
    const result = await sendRequest({url: `${http1.origin}/`, httpVersion: '2'});
    expect(result.protocol).toBe('http/1.1');
    expect(bodyText(result)).toBe('only http/1.1 here');
  });
});
