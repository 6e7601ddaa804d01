import {execFile} from 'node:child_process';
import {chmod, mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises';
import type http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Readable, Writable} from 'node:stream';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runRequestCommand, type CommandIo} from '../../source/cli/request-command.js';
import {closedPort, httpServer, rawServer, type Loopback} from '../helpers/servers.js';
import {selfSignedCertificate} from '../helpers/tls.js';

const execFileAsync = promisify(execFile);

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

/** curl itself, for what porthole should print the same. */
async function curl(args: string[]) {
  try {
    const {stdout} = await execFileAsync('curl', args, {encoding: 'buffer'});
    return {code: 0, stdout};
  } catch (error) {
    const failed = error as {code: number; stdout: Buffer};
    return {code: failed.code, stdout: failed.stdout};
  }
}

// Every byte value, terminal escapes included.
const allBytes = Buffer.from(Array.from({length: 256}, (_, index) => index));
const sneaky = '\u001b]0;pwned\u0007\u001b[2Jhello \u009b31m world\n';

const terminalControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

type Run = {
  tty?: boolean;
  stderrTty?: boolean;
  slow?: boolean;
  stdin?: string;
} & Partial<Pick<CommandIo, 'askPassword' | 'defaults' | 'cwd'>>;

describe('porthole request', () => {
  let server: Loopback<http.Server>;
  let fixed: Loopback<net.Server>;
  let directory: string;
  const seen: Array<{
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
  }> = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'porthole-command-'));
    server = await httpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        });
        switch (request.url?.replace(/\?.*/, '')) {
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
              `${request.method} ${request.headers['content-type'] ?? '-'} ${request.headers['x-one']?.toString() ?? '-'} ${body}`,
            );
            return;
          case '/auth':
            response.end(String(request.headers.authorization));
            return;
          case '/large':
            response.end(Buffer.alloc(3 * 1024 * 1024, 0x61));
            return;
          case '/files/report.txt':
            response.end('report\n');
            return;
          case '/silent':
            // Never answers: for timeouts.
            return;
          default:
            response.statusCode = 404;
            response.end('nothing here\n');
        }
      });
    });
    // A response that never changes (no Date), to compare byte for byte with curl.
    fixed = await rawServer((socket) => {
      socket.once('data', (data: Buffer) => {
        const missing = data.toString('latin1').startsWith('GET /missing');
        socket.end(
          missing
            ? 'HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope\n'
            : 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Thing: a  b\r\nContent-Length: 3\r\n\r\nhi\n',
        );
      });
    });
  });

  afterAll(async () => {
    await server.close();
    await fixed.close();
    await rm(directory, {recursive: true, force: true});
  });

  async function run(args: string[], options: Run = {}) {
    const stdout = new Collector(options.tty ?? false, options.slow);
    const stderr = new Collector(options.stderrTty ?? options.tty ?? false);
    const code = await runRequestCommand(args, {
      stdout,
      stderr,
      stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
      cwd: options.cwd ?? directory,
      askPassword: options.askPassword ?? (() => Promise.resolve('')),
      defaults: options.defaults,
    });
    return {code, stdout, stderr};
  }

  describe('prints what curl prints', () => {
    it('streams the body byte for byte to a pipe, with nothing on stderr', async () => {
      const {code, stdout, stderr} = await run([`${server.origin}/bytes`]);
      expect(code).toBe(0);
      expect(stdout.bytes()).toEqual(allBytes);
      expect(stderr.text()).toBe('');
    });

    it('adds one line of status and timings when stderr is a terminal', async () => {
      const {stderr} = await run([`${server.origin}/bytes`], {stderrTty: true});
      expect(stderr.lines()).toHaveLength(1);
      expect(stderr.lines()[0]).toMatch(
        /^200 OK · 256 B · dns — · connect [\d.]+ ms · tls — · .*first byte [\d.]+ ms · download [\d.]+ ms · total [\d.]+ m?s$/,
      );
    });

    it('prints nothing but the body with -s, even on a terminal', async () => {
      const {code, stdout, stderr} = await run(['-s', `${server.origin}/bytes`], {
        stderrTty: true,
      });
      expect(code).toBe(0);
      expect(stdout.bytes()).toEqual(allBytes);
      expect(stderr.text()).toBe('');
    });

    it('prints the transcript and the timings on stderr with -v', async () => {
      const {stdout, stderr} = await run(['-v', `${server.origin}/bytes`]);
      expect(stdout.bytes()).toEqual(allBytes);
      const lines = stderr.lines();
      expect(lines).toContain('> GET /bytes HTTP/1.1');
      expect(lines).toContain('< HTTP/1.1 200 OK');
      expect(lines.at(-1)).toMatch(/^dns — {2}connect [\d.]+ ms {2}tls — .*total [\d.]+ m?s$/);
    });

    it('includes the head with -i exactly as curl does', async () => {
      const url = `${fixed.origin}/`;
      const ours = await run(['-i', url]);
      const theirs = await curl(['-s', '-i', url]);
      expect(ours.code).toBe(theirs.code);
      expect(ours.stdout.bytes().toString('latin1')).toBe(theirs.stdout.toString('latin1'));
    });

    it('prints the head alone with -I, even with -X GET, as curl', async () => {
      const url = `${fixed.origin}/`;
      for (const args of [['-I'], ['-I', '-X', 'GET']]) {
        const ours = await run([...args, url]);
        const theirs = await curl(['-s', ...args, url]);
        expect(ours.code).toBe(theirs.code);
        expect(ours.stdout.text()).toBe(theirs.stdout.toString());
      }
    });

    it('prints -w as curl does, after the body', async () => {
      const url = `${fixed.origin}/a`;
      const format =
        '[%{http_code}] [%{response_code}] %{size_download} %{num_redirects} %{content_type} %{remote_ip} %{remote_port} %{url_effective} %% 100%\\t\\n';
      const ours = await run(['-w', format, url]);
      const theirs = await curl(['-s', '-w', format, url]);
      expect(ours.stdout.text()).toBe(theirs.stdout.toString());
      const timed = await run([
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}',
        url,
      ]);
      const times = timed.stdout.text().split(' ').map(Number);
      expect(timed.stdout.text()).toMatch(/^(\d+\.\d{6} ){5}\d+\.\d{6}$/);
      expect(times[2]).toBe(0);
      // Each moment is at or after the one before (appconnect is 0 without TLS, as in curl).
      const [lookup = 0, connect = 0, , pre = 0, start = 0, total = 0] = times;
      expect(lookup <= connect && connect <= pre && pre <= start && start <= total).toBe(true);
    });

    it('names an unknown -w variable on stderr and prints nothing for it, as curl', async () => {
      const url = `${fixed.origin}/`;
      const ours = await run(['-s', '-o', '-', '-w', '<%{nope}>', url]);
      const theirs = await curl(['-s', '-w', '<%{nope}>', url]);
      expect(ours.stdout.text()).toBe(theirs.stdout.toString());
      expect(ours.stderr.lines()).toEqual(["porthole: unknown --write-out variable: 'nope'"]);
    });

    it('writes -o - to stdout', async () => {
      const url = `${fixed.origin}/`;
      const ours = await run(['-o', '-', url]);
      expect(ours.stdout.text()).toBe((await curl(['-s', '-o', '-', url])).stdout.toString());
    });

    it('exits 0 for any HTTP status, and 22 with -f as curl, without the body', async () => {
      const url = `${fixed.origin}/missing`;
      const plain = await run([url]);
      expect(plain.code).toBe(0);
      expect(plain.stdout.text()).toBe('nope\n');
      const failed = await run(['-f', '-w', '%{http_code}', url]);
      expect(failed.code).toBe(22);
      const theirs = await curl(['-s', '-f', '-w', '%{http_code}', url]);
      expect(theirs.code).toBe(22);
      expect(failed.stdout.text()).toBe(theirs.stdout.toString());
      expect(failed.stderr.lines()).toEqual(['porthole: the server answered 404 Not Found (-f)']);
      expect((await run(['-sf', url])).stderr.text()).toBe('');
      const withBody = await run(['-s', '--fail-with-body', '-w', '[%{http_code}]', url]);
      const theirsWithBody = await curl(['-s', '--fail-with-body', '-w', '[%{http_code}]', url]);
      expect(withBody.code).toBe(22);
      expect(theirsWithBody.code).toBe(22);
      expect(withBody.stdout.text()).toBe(theirsWithBody.stdout.toString());
      expect((await run(['-sSf', url])).stderr.lines()).toHaveLength(1);
    });
  });

  describe('-v over TLS', () => {
    let secure: http2.Http2SecureServer;
    let port = 0;
    const sessions = new Set<http2.ServerHttp2Session>();
    const sockets = new Set<net.Socket>();
    beforeAll(async () => {
      const certificate = selfSignedCertificate();
      secure = http2.createSecureServer({...certificate, allowHTTP1: true}, (_request, response) =>
        response.end('secure\n'),
      );
      secure.on('session', (session) => sessions.add(session));
      secure.on('secureConnection', (socket: net.Socket) => sockets.add(socket));
      await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
      const address = secure.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      port = address.port;
    });
    afterAll(async () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => secure.close(resolve));
    });

    /** The lines of curl -v's TLS summary, as curl 7.88 and porthole both print them. */
    const summary = (lines: string[]) =>
      lines.filter((line) =>
        /^\* (SSL connection using|ALPN: server accepted|Server certificate:|\s(subject|start date|expire date|issuer|SSL certificate verify result):)/.test(
          line,
        ),
      );

    it('prints the DNS answers and the TLS summary as curl does', async () => {
      const url = `https://localhost:${port}/`;
      const {code, stdout, stderr} = await run(['-v', '-k', url]);
      expect(code).toBe(0);
      expect(stdout.text()).toBe('secure\n');
      const lines = stderr.lines();
      expect(lines).toContain('* Host localhost was resolved.');
      expect(lines.find((line) => line.startsWith('* IPv4: '))).toMatch(/\b127\.0\.0\.1\b/);
      expect(lines).toContain('* ALPN: server accepted h2');
      expect(lines).toContain('*  subject: CN=localhost');
      expect(lines).toContain(
        '*  SSL certificate verify result: self-signed certificate (18), continuing anyway.',
      );
      expect(lines).toContain('> GET / HTTP/2');
      expect(lines).toContain('< HTTP/2 200 ');
      const theirs = await execFileAsync('curl', ['-sv', '-k', url]);
      const curlLines = theirs.stderr.split('\n');
      expect(summary(curlLines).length).toBeGreaterThanOrEqual(7);
      expect(summary(lines)).toEqual(summary(curlLines));
    });

    it('prints -w as curl does over HTTP/2: version, scheme, connections, local address', async () => {
      const url = `https://127.0.0.1:${port}/`;
      const format = '%{http_version} %{scheme} %{num_connects} %{local_ip} %{remote_ip}\\n';
      const ours = await run(['-s', '-k', '-o', '/dev/null', '-w', format, url]);
      const theirs = await execFileAsync('curl', [
        '-s',
        '-k',
        '-o',
        '/dev/null',
        '-w',
        format,
        url,
      ]);
      expect(ours.stdout.text()).toBe(theirs.stdout);
      expect(ours.stdout.text()).toBe('2 HTTPS 1 127.0.0.1 127.0.0.1\n');
      const local = await run(['-s', '-k', '-o', '/dev/null', '-w', '%{local_port}', url]);
      expect(Number(local.stdout.text())).toBeGreaterThan(0);
      const plain = await run(['-s', '-w', '%{scheme} %{num_connects}', `${fixed.origin}/`]);
      expect(plain.stdout.text()).toBe('hi\nHTTP 1');
    });

    it('names the reason a certificate is refused without -k', async () => {
      const {code, stderr} = await run(['-v', `https://localhost:${port}/`]);
      expect(code).toBe(1);
      expect(stderr.lines()).toContain('* Host localhost was resolved.');
      expect(stderr.lines().at(-1)).toMatch(
        /^porthole: .*self-signed.* \(pass -k to skip verification\)$/,
      );
    });
  });

  describe('terminals', () => {
    it('streams a large body to a slow pipe whole', async () => {
      const {code, stdout} = await run([`${server.origin}/large`], {slow: true});
      expect(code).toBe(0);
      expect(stdout.bytes().length).toBe(3 * 1024 * 1024);
      expect(stdout.bytes().every((byte) => byte === 0x61)).toBe(true);
      expect(stdout.maxBuffered).toBeLessThan(256 * 1024);
    });

    it('makes the body safe on a terminal', async () => {
      const {code, stdout, stderr} = await run([`${server.origin}/sneaky`], {tty: true});
      expect(code).toBe(0);
      expect(stdout.text()).not.toMatch(terminalControls);
      expect(stdout.text()).toBe('^[]0;pwned^G^[[2Jhello \\x9b31m world\n');
      expect(stderr.text()).not.toMatch(terminalControls);
    });

    it('shows a binary body on a terminal as a summary and hex', async () => {
      const {stdout} = await run([`${server.origin}/bytes`], {tty: true});
      expect(stdout.lines()[0]).toBe('binary, application/octet-stream, 256 B');
      expect(stdout.text()).not.toMatch(terminalControls);
    });

    it('notes a body too large to show whole on a terminal', async () => {
      const {stdout} = await run([`${server.origin}/large`], {tty: true});
      expect(stdout.lines().at(-1)).toBe('… 2.0 MiB of 3.0 MiB shown');
    });

    it('makes escapes in the head safe on a terminal, with -i and -v', async () => {
      const raw = await rawServer((socket) => {
        socket.once('data', () =>
          socket.end('HTTP/1.1 200 O\u001b]0;pwned\u0007K\r\nContent-Length: 2\r\n\r\nhi'),
        );
      });
      try {
        const {code, stdout, stderr} = await run(['-i', '-v', raw.origin], {tty: true});
        expect(code).toBe(0);
        expect(stdout.lines()[0]).toBe('HTTP/1.1 200 O^[]0;pwned^GK');
        expect(stderr.lines()).toContain('< HTTP/1.1 200 O^[]0;pwned^GK');
        expect(stdout.text() + stderr.text()).not.toMatch(terminalControls);
      } finally {
        await raw.close();
      }
    });
  });

  describe('sends what curl sends', () => {
    it('reads curl arguments in any order: method, headers and data', async () => {
      const {stdout} = await run(['-d', 'a=1', `${server.origin}/echo`, '-H', 'X-One: 1']);
      expect(stdout.text()).toBe('POST application/x-www-form-urlencoded 1 a=1');
      const put = await run([
        '-X',
        'PUT',
        `${server.origin}/echo`,
        '--data-raw',
        '@x',
        '-H',
        'Content-Type: text/plain',
      ]);
      expect(put.stdout.text()).toBe('PUT text/plain - @x');
    });

    it('reads -d @- and --data-binary @FILE', async () => {
      const piped = await run(['-d', '@-', `${server.origin}/echo`], {stdin: 'from stdin'});
      expect(piped.stdout.text()).toBe('POST application/x-www-form-urlencoded - from stdin');
      const file = path.join(directory, 'body.json');
      await writeFile(file, '{"a":1}\n');
      const binary = await run([
        '--data-binary',
        `@${file}`,
        '-H',
        'Content-Type: application/json',
        `${server.origin}/echo`,
      ]);
      expect(binary.stdout.text()).toBe('POST application/json - {"a":1}\n');
    });

    it('takes a URL without a scheme as http', async () => {
      const {code, stdout} = await run([`127.0.0.1:${server.port}/missing`]);
      expect(code).toBe(0);
      expect(stdout.text()).toBe('nothing here\n');
    });

    it('asks for the password of -u NAME and sends it', async () => {
      const asked: string[] = [];
      const {stdout} = await run(['-u', 'bob', `${server.origin}/auth`], {
        askPassword: (user) => {
          asked.push(user);
          return Promise.resolve('pw');
        },
      });
      expect(asked).toEqual(['bob']);
      expect(stdout.text()).toBe(`Basic ${Buffer.from('bob:pw').toString('base64')}`);
    });

    it('exits 130 when the password prompt is cancelled, sending nothing', async () => {
      const before = seen.length;
      const {code, stdout, stderr} = await run(['-u', 'bob', `${server.origin}/auth`], {
        askPassword: () => Promise.resolve(undefined),
      });
      expect(code).toBe(130);
      expect(stdout.text()).toBe('');
      expect(stderr.lines()).toEqual(['porthole: no password given; nothing was sent']);
      expect(seen.length).toBe(before);
    });

    it('says on stderr that --http2 on http:// goes out as HTTP/1.1, and sends it', async () => {
      const {code, stdout, stderr} = await run(['--http2', `${server.origin}/echo`]);
      expect(code).toBe(0);
      expect(stdout.text()).toBe('GET - - ');
      expect(stderr.lines()).toEqual([
        'porthole: --http2 on http:// is sent as HTTP/1.1; use --http2-prior-knowledge for h2c',
      ]);
      expect((await run(['-s', '--http2', `${server.origin}/echo`])).stderr.text()).toBe('');
    });

    it('takes the config timeout when -m is not given, and -m over it', async () => {
      const configured = await run([`${server.origin}/silent`], {defaults: {timeoutMs: 300}});
      expect(configured.code).toBe(1);
      expect(configured.stderr.lines().at(-1)).toMatch(/^porthole: .*0\.3 s/);
      const flagged = await run(['-m', '0.2', `${server.origin}/silent`], {
        defaults: {timeoutMs: 600_000},
      });
      expect(flagged.code).toBe(1);
      expect(flagged.stderr.lines().at(-1)).toMatch(/^porthole: .*0\.2 s/);
    });
  });

  describe('files', () => {
    it('writes the body to a private file with -o and nothing to stdout', async () => {
      const file = path.join(directory, 'out.bin');
      const {code, stdout} = await run([`${server.origin}/bytes`, '-o', file], {tty: true});
      expect(code).toBe(0);
      expect(stdout.bytes().length).toBe(0);
      expect(await readFile(file)).toEqual(allBytes);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('refuses -o into a folder that does not exist, creating nothing and sending nothing', async () => {
      const before = seen.length;
      const file = path.join(directory, 'no-such', 'deeper', 'out.bin');
      const {code, stderr} = await run(['-o', file, `${server.origin}/bytes`]);
      expect(code).toBe(2);
      expect(stderr.lines()).toEqual([`porthole: cannot write ${file}: no such directory`]);
      expect(await readdir(directory)).not.toContain('no-such');
      expect(seen.length).toBe(before);
    });

    it('names the file after the URL with -O, and refuses a URL with no file name', async () => {
      const cwd = await mkdtemp(path.join(directory, 'remote-'));
      const named = await run(['-O', `${server.origin}/files/report.txt?x=1`], {cwd});
      expect(named.code).toBe(0);
      expect(await readFile(path.join(cwd, 'report.txt'), 'utf8')).toBe('report\n');
      const none = await run(['-O', `${server.origin}/files/`], {cwd});
      expect(none.code).toBe(2);
      expect(none.stderr.lines()).toEqual([
        `porthole: -O: the URL has no file name to save as: ${server.origin}/files/`,
      ]);
    });

    it('leaves no file when the exchange fails', async () => {
      const port = await closedPort();
      const file = path.join(directory, 'never.bin');
      const {code} = await run(['-o', file, `http://127.0.0.1:${port}/`]);
      expect(code).toBe(1);
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
    });
  });

  describe('bad input gets one line', () => {
    it('exits 1 with one line for a transport error, and none with -s', async () => {
      const port = await closedPort();
      const {code, stdout, stderr} = await run([`http://127.0.0.1:${port}/`]);
      expect(code).toBe(1);
      expect(stdout.bytes().length).toBe(0);
      expect(stderr.lines()).toEqual([`porthole: connection refused by 127.0.0.1:${port}`]);
      const silent = await run(['-s', `http://127.0.0.1:${port}/`]);
      expect(silent.code).toBe(1);
      expect(silent.stderr.text()).toBe('');
      expect((await run(['-sS', `http://127.0.0.1:${port}/`])).stderr.lines()).toHaveLength(1);
    });

    it.each([
      [['--frobnicate', 'http://127.0.0.1/'], /^porthole: unsupported curl option --frobnicate/],
      [['http://127.0.0.1/', '-H'], /^porthole: .*-H.*/],
      [['-H', 'NoColonHere', 'http://127.0.0.1/'], /NoColonHere/],
      [['http://exa mple.test/'], /^porthole: bad URL .*space/],
      [['http://127.0.0.1:99999/'], /^porthole: bad URL .*port/],
      [['-d', '@/no/such/file', 'http://127.0.0.1/'], /\/no\/such\/file/],
      [['ftp://127.0.0.1/'], /^porthole: unsupported scheme ftp/],
      [['--cert-type', 'DER', 'https://127.0.0.1/'], /only PEM is supported/],
      [['--capath', '/no/such/dir', 'https://127.0.0.1/'], /--capath directory \/no\/such\/dir/],
      [['-E', '/no/such/cert.pem', 'https://127.0.0.1/'], /cannot read --cert file/],
      [['--pinnedpubkey', 'sha256//nope', 'https://127.0.0.1/'], /bad --pinnedpubkey/],
      [[], /^porthole: /],
    ])('refuses %j with exit 2 and one line, sending nothing', async (args, message) => {
      const before = seen.length;
      const {code, stdout, stderr} = await run(args);
      expect(code).toBe(2);
      expect(stdout.text()).toBe('');
      expect(stderr.lines()).toHaveLength(1);
      expect(stderr.text()).toMatch(message);
      expect(seen.length).toBe(before);
    });

    it('refuses a -T file it cannot read', async () => {
      const file = path.join(directory, 'locked.txt');
      await writeFile(file, 'secret');
      await chmod(file, 0o000);
      const {code, stderr} = await run(['-T', file, `${server.origin}/echo`]);
      // root reads any file: then the upload goes through.
      if (process.getuid?.() === 0) expect(code).toBe(0);
      else {
        expect(code).toBe(2);
        expect(stderr.lines()).toHaveLength(1);
      }
      const missing = await run(['-T', path.join(directory, 'absent'), `${server.origin}/echo`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.lines()).toHaveLength(1);
      expect(missing.stderr.text()).toMatch(/absent/);
    });

    it('sanitizes the error line too', async () => {
      const {code, stderr} = await run(['http://bad\u001b]0;x\u0007host/']);
      expect(code).toBe(2);
      expect(stderr.text()).not.toMatch(terminalControls);
    });

    it('lists every curl option it reads with --help', async () => {
      const {code, stdout} = await run(['--help']);
      expect(code).toBe(0);
      for (const flag of [
        '-u, --user',
        '-w, --write-out',
        '-o, --output',
        '-F, --form',
        '--http2 ',
        '--http2-prior-knowledge',
        '--capath DIR',
        '-E, --cert FILE[:PASSWORD]',
        '--key FILE',
        '--pass PHRASE',
        '--pinnedpubkey HASHES|FILE',
      ]) {
        expect(stdout.text()).toContain(flag);
      }
    });
  });
});
