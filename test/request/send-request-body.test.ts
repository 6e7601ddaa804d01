import {mkdtemp, readFile, rm, stat} from 'node:fs/promises';
import type http from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sendRequest} from '../../source/request/send-request.js';
import {httpServer, type Loopback} from '../helpers/servers.js';

const MiB = 1024 * 1024;

/** Runs work while sampling RSS; resolves to its result and the largest growth seen. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{value: T; growth: number}> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return {value, growth: peak - baseline};
  } finally {
    clearInterval(sampler);
  }
}

/** Writes `total` bytes of a repeating pattern in 64 KiB chunks, honouring backpressure. */
function streamPattern(response: http.ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024);
  for (let index = 0; index < chunk.length; index++) chunk[index] = index % 251;
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      if (!response.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  pump();
}

// 16 gzip members of 64 MiB of zeros each: 1 GiB once decoded, about 1 MiB on the wire.
const bombMember = zlib.gzipSync(Buffer.alloc(64 * MiB));
const bomb = Buffer.concat(Array.from({length: 16}, () => bombMember));
const bombDecoded = 16 * 64 * MiB;

const text = 'porthole '.repeat(1000);

describe('sendRequest reading bodies', () => {
  let server: Loopback<http.Server>;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'porthole-body-'));
    server = await httpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/gzip':
          response.writeHead(200, {'Content-Encoding': 'gzip', 'Content-Type': 'text/plain'});
          response.end(zlib.gzipSync(text));
          return;
        case '/deflate':
          response.writeHead(200, {'Content-Encoding': 'deflate'});
          response.end(zlib.deflateSync(text));
          return;
        case '/raw-deflate':
          response.writeHead(200, {'Content-Encoding': 'deflate'});
          response.end(zlib.deflateRawSync(text));
          return;
        case '/br':
          response.writeHead(200, {'Content-Encoding': 'br'});
          response.end(zlib.brotliCompressSync(text));
          return;
        case '/corrupt':
          response.writeHead(200, {'Content-Encoding': 'gzip'});
          response.end('this is not gzip');
          return;
        case '/bomb': {
          const members = Number(url.searchParams.get('members') ?? 16);
          const wire = bomb.subarray(0, members * bombMember.length);
          response.writeHead(200, {
            'Content-Encoding': 'gzip',
            'Content-Length': String(wire.length),
          });
          let offset = 0;
          const pump = () => {
            while (offset < wire.length) {
              const piece = wire.subarray(offset, offset + 64 * 1024);
              offset += piece.length;
              if (!response.write(piece)) {
                response.once('drain', pump);
                return;
              }
            }
            response.end();
          };
          pump();
          return;
        }
        case '/big':
          response.writeHead(200, {'Content-Type': 'application/octet-stream'});
          streamPattern(response, Number(url.searchParams.get('bytes')));
          return;
        default:
          response.statusCode = 404;
          response.end();
      }
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(directory, {recursive: true, force: true});
  });

  it.each(['gzip', 'deflate', 'raw-deflate', 'br'])('decodes a %s body', async (coding) => {
    const result = await sendRequest({url: `${server.origin}/${coding}`, compressed: true});
    expect(result.error).toBeUndefined();
    expect(Buffer.from(result.response?.body ?? []).toString()).toBe(text);
    expect(result.response?.bodyBytes).toBe(text.length);
    expect(result.response?.wireBytes).toBeLessThan(text.length / 10);
    expect(result.response?.decoded).toBe(coding === 'raw-deflate' ? 'deflate' : coding);
  });

  it('calls a body that does not decode a protocol error', async () => {
    const result = await sendRequest({url: `${server.origin}/corrupt`, compressed: true});
    expect(result.error?.code).toBe('protocol');
    expect(result.error?.message).toMatch(/^the gzip body could not be decoded: /);
    expect(result.response?.status).toBe(200);
  });

  it('stops decoding a gzip bomb at the cap with memory bounded', async () => {
    const {value: result, growth} = await withPeakRss(() =>
      sendRequest({url: `${server.origin}/bomb`, compressed: true}),
    );
    console.log(
      `gzip bomb (${bomb.length} B on the wire): RSS grew ${(growth / MiB).toFixed(1)} MiB`,
    );
    expect(result.error).toBeUndefined();
    const response = result.response!;
    expect(response.body.length).toBe(2 * MiB);
    expect(response.body.every((byte) => byte === 0)).toBe(true);
    expect(response.bodyTruncated).toBe(true);
    expect(response.bodyBytesIsLowerBound).toBe(true);
    expect(response.bodyBytes).toBeLessThan(bombDecoded);
    expect(response.wireBytes).toBe(bomb.length);
    expect(growth).toBeLessThan(128 * MiB);
  });

  it('decodes a whole bomb for a consumer, chunk by chunk, without holding it', async () => {
    let streamed = 0;
    const decoded = 4 * 64 * MiB;
    const {value: result, growth} = await withPeakRss(() =>
      sendRequest({
        url: `${server.origin}/bomb?members=4`,
        compressed: true,
        maxBodyBytes: 1024,
        onBodyChunk(chunk) {
          streamed += chunk.length;
        },
      }),
    );
    console.log(`gzip bomb streamed to a consumer: RSS grew ${(growth / MiB).toFixed(1)} MiB`);
    expect(result.error).toBeUndefined();
    expect(streamed).toBe(decoded);
    expect(result.response?.bodyBytes).toBe(decoded);
    expect(result.response?.bodyBytesIsLowerBound).toBeUndefined();
    expect(result.response?.body.length).toBe(1024);
    expect(growth).toBeLessThan(128 * MiB);
  });

  it('counts a 300 MB body exactly while keeping only the cap', async () => {
    const total = 300_000_000;
    const started = performance.now();
    const {value: result, growth} = await withPeakRss(() =>
      sendRequest({url: `${server.origin}/big?bytes=${total}`}),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`300 MB body: ${seconds.toFixed(2)} s, RSS grew ${(growth / MiB).toFixed(1)} MiB`);
    expect(result.error).toBeUndefined();
    const response = result.response!;
    expect(response.bodyBytes).toBe(total);
    expect(response.wireBytes).toBe(total);
    expect(response.body.length).toBe(2 * MiB);
    expect(response.bodyTruncated).toBe(true);
    expect(response.body[251]).toBe(0);
    expect(response.body[252]).toBe(1);
    expect(growth).toBeLessThan(128 * MiB);
  });

  it('saves the whole body to a private file however small the cap', async () => {
    const file = path.join(directory, 'nested', 'body.bin');
    const total = 3 * MiB + 17;
    const result = await sendRequest({
      url: `${server.origin}/big?bytes=${total}`,
      maxBodyBytes: 1000,
      saveBodyTo: file,
    });
    expect(result.error).toBeUndefined();
    expect(result.response?.savedTo).toBe(file);
    expect(result.response?.body.length).toBe(1000);
    const saved = await readFile(file);
    expect(saved.length).toBe(total);
    expect(saved[total - 1]).toBe(((total - 1) % (64 * 1024)) % 251);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('says when the body file cannot be written', async () => {
    const result = await sendRequest({
      url: `${server.origin}/gzip`,
      saveBodyTo: path.join('/proc', 'porthole-cannot-write-here'),
    });
    expect(result.error?.code).toBe('file');
    expect(result.error?.message).toMatch(/^cannot write \/proc\/porthole-cannot-write-here: /);
  });

  it('waits for a consumer that asks for backpressure', async () => {
    const total = 8 * MiB;
    let received = 0;
    let waits = 0;
    const result = await sendRequest({
      url: `${server.origin}/big?bytes=${total}`,
      onBodyChunk(chunk) {
        received += chunk.length;
        waits++;
        return new Promise((resolve) => setImmediate(resolve));
      },
    });
    expect(result.error).toBeUndefined();
    expect(received).toBe(total);
    expect(waits).toBeGreaterThan(1);
  });

  it('ends the exchange when the consumer fails', async () => {
    const result = await sendRequest({
      url: `${server.origin}/big?bytes=${4 * MiB}`,
      onBodyChunk() {
        return Promise.reject(new Error('disk full'));
      },
    });
    expect(result.error).toEqual({
      code: 'file',
      message: 'the body could not be passed on: disk full',
    });
  });
});
