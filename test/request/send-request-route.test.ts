/**
 * Where the engine connects (curl -4/-6, --resolve, --connect-to, --unix-socket), how it times
 * each phase, and how it decodes bodies only when asked to.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import http from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sendRequest, warmEngine} from '../../source/request/send-request.js';
import type {RequestResult, Timings} from '../../source/request/types.js';
import {lookedUpName} from '../helpers/names.js';
import {httpServer, type Loopback} from '../helpers/servers.js';

// `printf 'hello zstd\n' | zstd`
const zstdHello = Buffer.from('KLUv/QRYWQAAaGVsbG8genN0ZApsV/lR', 'base64');

/** A zstd frame of RLE blocks: 4 bytes on the wire for each 128 KiB of zeros. */
function zstdBomb(blocks: number): Buffer {
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  for (let index = 0; index < blocks; index++) {
    const header = ((128 * 1024) << 3) | (1 << 1) | (index === blocks - 1 ? 1 : 0);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x00]));
  }
  return Buffer.concat(parts);
}
const MiB = 1024 * 1024;

let server: Loopback<http.Server>;
const hosts: string[] = [];

beforeAll(async () => {
  server = await httpServer((request, response) => {
    hosts.push(request.headers.host ?? '');
    switch (request.url) {
      case '/gzip':
        response.writeHead(200, {'Content-Encoding': 'gzip'});
        response.end(zlib.gzipSync('hello gzip'));
        return;
      case '/zstd':
        response.writeHead(200, {'Content-Encoding': 'zstd'});
        response.end(zstdHello);
        return;
      case '/zstd-bomb':
        response.writeHead(200, {'Content-Encoding': 'zstd'});
        response.end(zstdBomb(8 * 512));
        return;
      default:
        response.end('hello');
    }
  });
});

afterAll(async () => {
  await server.close();
});

function info(result: RequestResult): string[] {
  return result.transcript.filter((line) => line.kind === 'info').map((line) => line.text);
}

function phasesSum(timings: Timings): number {
  return (
    (timings.redirect ?? 0) +
    (timings.dns ?? 0) +
    (timings.connect ?? 0) +
    (timings.tls ?? 0) +
    (timings.send ?? 0) +
    (timings.firstByte ?? 0) +
    (timings.download ?? 0)
  );
}

describe('sendRequest connecting where it is told', () => {
  it('connects to a --resolve address without asking DNS, the URL and Host unchanged', async () => {
    const result = await sendRequest({
      url: `http://example.invalid:${server.port}/`,
      resolve: [{host: 'example.invalid', port: server.port, addresses: ['127.0.0.1']}],
    });
    expect(result.error).toBeUndefined();
    expect(result.response?.url).toBe(`http://example.invalid:${server.port}/`);
    expect(hosts.at(-1)).toBe(`example.invalid:${server.port}`);
    expect(result.timings.dns).toBeUndefined();
    expect(info(result)).toEqual(
      expect.arrayContaining([
        `Added example.invalid:${server.port}:127.0.0.1 to DNS cache`,
        'Hostname example.invalid was found in DNS cache',
      ]),
    );
  });

  it('takes a --resolve entry for port 0 as any port', async () => {
    const result = await sendRequest({
      url: `http://any.invalid:${server.port}/`,
      resolve: [{host: 'any.invalid', port: 0, addresses: ['127.0.0.1']}],
    });
    expect(result.response?.status).toBe(200);
  });

  it('connects elsewhere with --connect-to, keeping Host', async () => {
    const result = await sendRequest({
      url: 'http://moved.invalid/',
      connectTo: [{host: 'moved.invalid', port: 80, toHost: '127.0.0.1', toPort: server.port}],
    });
    expect(result.error).toBeUndefined();
    expect(hosts.at(-1)).toBe('moved.invalid');
    expect(result.response?.remotePort).toBe(server.port);
    expect(info(result)).toContain(`Connecting to port: ${server.port}`);
  });

  it('connects over IPv4 only when asked', async () => {
    const result = await sendRequest({url: `http://localhost:${server.port}/`, family: 4});
    expect(result.error).toBeUndefined();
    expect(result.response?.remoteAddress).toBe('127.0.0.1');
  });

  it('talks HTTP over a Unix socket, Host from the URL', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'porthole-unix-'));
    const socketPath = path.join(directory, 'http.sock');
    const unix = http.createServer((request, response) => {
      response.end(`over unix to ${request.headers.host}`);
    });
    await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
    try {
      const result = await sendRequest({url: 'http://unix.invalid/', unixSocket: socketPath});
      expect(result.error).toBeUndefined();
      expect(Buffer.from(result.response?.body ?? []).toString()).toBe('over unix to unix.invalid');
      expect(result.response?.remoteAddress).toBe(socketPath);
      expect(info(result)).toContain(`Trying ${socketPath}:0...`);
      expect(result.timings.dns).toBeUndefined();
      expect(result.timings.connect).toBeGreaterThanOrEqual(0);
    } finally {
      unix.closeAllConnections();
      await new Promise((resolve) => unix.close(resolve));
      await rm(directory, {recursive: true, force: true});
    }
  });
});

describe('sendRequest timing each phase', () => {
  it('warms up without failing, and again at no cost', async () => {
    await warmEngine();
    await warmEngine();
  });

  it('has phases that add up to the total, each present as the exchange had it', async () => {
    const result = await sendRequest({url: `${server.origin}/`, method: 'POST', body: 'x'});
    const {timings} = result;
    expect(timings.dns).toBeUndefined();
    expect(timings.tls).toBeUndefined();
    expect(timings.redirect).toBeUndefined();
    for (const phase of [timings.connect, timings.send, timings.firstByte, timings.download]) {
      expect(phase).toBeGreaterThanOrEqual(0);
    }
    expect(phasesSum(timings)).toBeCloseTo(timings.total, 6);
  });

  it.skipIf(lookedUpName === undefined)(
    'times the lookup of a name and still adds up',
    async () => {
      const result = await sendRequest({url: `http://${lookedUpName ?? ''}:${server.port}/`});
      expect(result.timings.dns).toBeGreaterThanOrEqual(0);
      expect(phasesSum(result.timings)).toBeCloseTo(result.timings.total, 6);
    },
  );

  it('puts the exchanges before a redirect in their own phase', async () => {
    const redirecting = await httpServer((_request, response) => {
      response.writeHead(302, {Location: `${server.origin}/`}).end();
    });
    try {
      const result = await sendRequest({url: `${redirecting.origin}/`, followRedirects: true});
      expect(result.response?.status).toBe(200);
      expect(result.timings.redirect).toBeGreaterThan(0);
      expect(phasesSum(result.timings)).toBeCloseTo(result.timings.total, 6);
    } finally {
      await redirecting.close();
    }
  });

  it('has no phases past the failure', async () => {
    const result = await sendRequest({url: 'http://127.0.0.1:1/'});
    expect(result.error?.code).toBe('refused');
    expect(result.timings.connect).toBeUndefined();
    expect(result.timings.send).toBeUndefined();
    expect(result.timings.firstByte).toBeUndefined();
  });
});

describe('sendRequest decoding bodies only when asked', () => {
  it('keeps a gzip body as it came without compressed, as curl', async () => {
    const result = await sendRequest({url: `${server.origin}/gzip`});
    expect(result.response?.decoded).toBeUndefined();
    expect(Buffer.from(result.response?.body ?? [])).toEqual(zlib.gzipSync('hello gzip'));
    expect(result.transcript.some((line) => line.text.startsWith('Accept-Encoding'))).toBe(false);
  });

  it('asks for and decodes a zstd body with compressed', async () => {
    const result = await sendRequest({url: `${server.origin}/zstd`, compressed: true});
    expect(result.error).toBeUndefined();
    expect(result.response?.decoded).toBe('zstd');
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe('hello zstd\n');
    expect(result.transcript).toContainEqual({
      kind: 'out',
      text: 'Accept-Encoding: deflate, gzip, br, zstd',
    });
  });

  it('stops decoding a zstd bomb at the cap', async () => {
    const before = process.memoryUsage.rss();
    const result = await sendRequest({url: `${server.origin}/zstd-bomb`, compressed: true});
    const growth = process.memoryUsage.rss() - before;
    expect(result.error).toBeUndefined();
    expect(result.response?.body.length).toBe(2 * MiB);
    expect(result.response?.bodyTruncated).toBe(true);
    expect(result.response?.bodyBytesIsLowerBound).toBe(true);
    expect(result.response?.bodyBytes).toBeLessThan(512 * MiB);
    expect(growth).toBeLessThan(128 * MiB);
  });

  it('decodes a whole zstd bomb for a consumer, chunk by chunk', async () => {
    let streamed = 0;
    const result = await sendRequest({
      url: `${server.origin}/zstd-bomb`,
      compressed: true,
      maxBodyBytes: 1024,
      onBodyChunk(chunk) {
        streamed += chunk.length;
      },
    });
    expect(result.error).toBeUndefined();
    expect(streamed).toBe(512 * MiB);
    expect(result.response?.body.length).toBe(1024);
  });
});
