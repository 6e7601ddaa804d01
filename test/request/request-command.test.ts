import {mkdtemp, readFile, rm, stat} from 'node:fs/promises';
import type http from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Writable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runRequestCommand, type RequestCommandArgs} from '../../source/cli/request-command.js';
import {closedPort, httpServer, rawServer, type Loopback} from '../helpers/servers.js';

/** A writable that keeps what it is given, answering slowly when asked, to exercise backpressure. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  isTTY: boolean;
  /** The most ever waiting to be written: small when the writer honours backpressure. */
  maxBuffered = 0;

  constructor(isTTY: boolean, slow = false) {
    super({highWaterMark: slow ? 1024 : 16 * 1024});
    this.isTTY = isTTY;
    this.slow = slow;
  }

  private readonly slow: boolean;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    this.chunks.push(Buffer.from(chunk));
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (this.slow) setImmediate(done);
    else done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  lines(): string[] {
    return this.text().split('\n').slice(0, -1);
  }
}

// Every byte value, terminal escapes included.
const allBytes = Buffer.from(Array.from({length: 256}, (_, index) => index));
const sneaky = '\u001b]0;pwned\u0007\u001b[2Jhello \u009b31m world\n';

const terminalControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('porthole request', () => {
  let server: Loopback<http.Server>;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'porthole-command-'));
    server = await httpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        switch (request.url) {
          case '/bytes':
            response.setHeader('Content-Type', 'application/octet-stream');
            response.end(allBytes);
            return;
          case '/sneaky':
            response.setHeader('Content-Type', 'text/plain');
            response.end(sneaky);
            return;
          case '/echo':
            response.end(
              `${request.method} ${request.headers['content-type'] ?? '-'} ${request.headers['x-one']?.toString() ?? '-'} ${Buffer.concat(chunks).toString()}`,
            );
            return;
          case '/large':
            response.end(Buffer.alloc(3 * 1024 * 1024, 0x61));
            return;
          default:
            response.statusCode = 404;
            response.end('nothing here\n');
        }
      });
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(directory, {recursive: true, force: true});
  });

  async function run(
    args: Partial<RequestCommandArgs> & {url: string},
    isTTY: boolean,
    slow = false,
  ) {
    const stdout = new Collector(isTTY, slow);
    const stderr = new Collector(isTTY);
    const code = await runRequestCommand(
      {headers: [], insecure: false, location: false, ...args},
      {stdout, stderr},
    );
    return {code, stdout, stderr};
  }

  it('streams the body byte for byte to a pipe, transcript and timings to stderr', async () => {
    const {code, stdout, stderr} = await run({url: `${server.origin}/bytes`}, false);
    expect(code).toBe(0);
    expect(stdout.bytes()).toEqual(allBytes);
    const lines = stderr.lines();
    expect(lines).toContain('> GET /bytes HTTP/1.1');
    expect(lines).toContain('< HTTP/1.1 200 OK');
    expect(lines.at(-1)).toMatch(
      /^dns — {2}connect [\d.]+ ms {2}tls — {2}first byte [\d.]+ ms {2}download [\d.]+ ms {2}total [\d.]+ (ms|s)$/,
    );
  });

  it('streams a large body to a slow pipe whole', async () => {
    const {code, stdout} = await run({url: `${server.origin}/large`}, false, true);
    expect(code).toBe(0);
    expect(stdout.bytes().length).toBe(3 * 1024 * 1024);
    expect(stdout.bytes().every((byte) => byte === 0x61)).toBe(true);
    expect(stdout.maxBuffered).toBeLessThan(256 * 1024);
  });

  it('makes the body safe on a terminal', async () => {
    const {code, stdout, stderr} = await run({url: `${server.origin}/sneaky`}, true);
    expect(code).toBe(0);
    expect(stdout.text()).not.toMatch(terminalControls);
    expect(stdout.text()).toBe('^[]0;pwned^G^[[2Jhello \\x9b31m world\n');
    expect(stderr.text()).not.toMatch(terminalControls);
  });

  it('shows a binary body on a terminal as a summary and hex', async () => {
    const {stdout} = await run({url: `${server.origin}/bytes`}, true);
    expect(stdout.lines()[0]).toBe('binary, application/octet-stream, 256 B');
    expect(stdout.text()).not.toMatch(terminalControls);
  });

  it('notes a body too large to show whole on a terminal', async () => {
    const {stdout} = await run({url: `${server.origin}/large`}, true);
    expect(stdout.lines().at(-1)).toBe('… 2.0 MiB of 3.0 MiB shown');
  });

  it('exits 0 for any HTTP status', async () => {
    const {code, stdout, stderr} = await run({url: `${server.origin}/missing`}, false);
    expect(code).toBe(0);
    expect(stdout.text()).toBe('nothing here\n');
    expect(stderr.lines()).toContain('< HTTP/1.1 404 Not Found');
  });

  it('sends method, headers and data, as curl -d does', async () => {
    const {stdout} = await run(
      {url: `${server.origin}/echo`, headers: ['X-One: 1'], data: 'a=1'},
      false,
    );
    expect(stdout.text()).toBe('POST application/x-www-form-urlencoded 1 a=1');
    const put = await run(
      {
        url: `${server.origin}/echo`,
        method: 'PUT',
        headers: ['Content-Type: text/plain'],
        data: 'x',
      },
      false,
    );
    expect(put.stdout.text()).toBe('PUT text/plain - x');
  });

  it('takes a URL without a scheme as http', async () => {
    const {code, stdout} = await run({url: `127.0.0.1:${server.port}/missing`}, false);
    expect(code).toBe(0);
    expect(stdout.text()).toBe('nothing here\n');
  });

  it('writes the body to a private file with -o and nothing to stdout', async () => {
    const file = path.join(directory, 'out.bin');
    const {code, stdout} = await run({url: `${server.origin}/bytes`, output: file}, true);
    expect(code).toBe(0);
    expect(stdout.bytes().length).toBe(0);
    expect(await readFile(file)).toEqual(allBytes);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('exits 1 with one line for a transport error', async () => {
    const port = await closedPort();
    const {code, stdout, stderr} = await run({url: `http://127.0.0.1:${port}/`}, false);
    expect(code).toBe(1);
    expect(stdout.bytes().length).toBe(0);
    const errors = stderr.lines().filter((line) => line.startsWith('porthole: '));
    expect(errors).toEqual([`porthole: connection refused by 127.0.0.1:${port}`]);
    expect(stderr.text()).not.toContain('    at ');
  });

  it('exits 2 for a header line without a colon, before sending anything', async () => {
    const {code, stderr} = await run({url: `${server.origin}/`, headers: ['NoColonHere']}, false);
    expect(code).toBe(2);
    expect(stderr.lines()).toEqual([
      `porthole: bad -H value: not a header (expected 'Name: value'): "NoColonHere"`,
    ]);
  });

  it('exits 2 for an invalid URL or scheme', async () => {
    const invalid = await run({url: 'http://exa mple.test/'}, false);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.lines().filter((line) => line.startsWith('porthole: '))).toEqual([
      'porthole: invalid URL: http://exa mple.test/',
    ]);
    const scheme = await run({url: 'ftp://127.0.0.1/'}, false);
    expect(scheme.code).toBe(2);
  });

  it('refuses a timeout that is not a positive number', async () => {
    const {code, stderr} = await run({url: `${server.origin}/`, timeoutSeconds: -1}, false);
    expect(code).toBe(2);
    expect(stderr.lines()).toEqual(['porthole: --timeout needs a positive number of seconds']);
  });

  it('makes escapes in the status line safe on stderr', async () => {
    const raw = await rawServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 O\u001b]0;pwned\u0007K\r\nContent-Length: 2\r\n\r\nhi'),
      );
    });
    try {
      const {code, stderr} = await run({url: raw.origin}, true);
      expect(code).toBe(0);
      expect(stderr.lines()).toContain('< HTTP/1.1 200 O^[]0;pwned^GK');
      expect(stderr.text()).not.toMatch(terminalControls);
    } finally {
      await raw.close();
    }
  });

  it('sanitizes the error line too', async () => {
    const {code, stderr} = await run({url: 'http://bad\u001b]0;x\u0007 host/'}, false);
    expect(code).toBe(2);
    expect(stderr.text()).not.toMatch(terminalControls);
  });
});
