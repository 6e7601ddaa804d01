import dns from 'node:dns';
import type {IncomingMessage} from 'node:http';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {describeBody} from '../../source/request/body-view.js';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult} from '../../source/request/types.js';
import {version} from '../../source/version.js';
import {
  closedPort,
  httpServer,
  rawServer,
  readRequestHead,
  type Loopback,
} from '../helpers/servers.js';
import {lookedUpName} from '../helpers/names.js';
import type http from 'node:http';

const prefixes = {info: '*', out: '>', in: '<'} as const;

function transcriptText(result: RequestResult): string[] {
  return result.transcript.map(({kind, text}) => `${prefixes[kind]} ${text}`.trimEnd());
}

function bodyText(result: RequestResult): string {
  return Buffer.from(result.response?.body ?? []).toString('utf8');
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const terminalControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('sendRequest over plain HTTP', () => {
  let server: Loopback<http.Server>;
  let other: Loopback<http.Server>;
  const seenByOther: IncomingMessage['headers'][] = [];

  beforeAll(async () => {
    other = await httpServer((request, response) => {
      seenByOther.push(request.headers);
      response.end('landed');
    });
    server = await httpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      void (async () => {
        const body = await readAll(request);
        switch (url.pathname) {
          case '/':
            response.setHeader('Content-Type', 'text/plain');
            response.end('hello');
            return;
          case '/echo':
            response.setHeader('Content-Type', request.headers['content-type'] ?? 'none');
            response.end(`${request.method} ${body.toString()}`);
            return;
          case '/raw':
            response.end(body);
            return;
          case '/head':
            response.setHeader('Content-Length', '100');
            response.end();
            return;
          case '/status': {
            const code = Number(url.searchParams.get('code'));
            if (code === 301) response.setHeader('Location', '/');
            response.statusCode = code;
            response.end();
            return;
          }
          case '/a':
            response.writeHead(302, {Location: '/b'}).end('to b');
            return;
          case '/b':
            response.writeHead(301, {Location: `${server.origin}/c`}).end();
            return;
          case '/c':
            response.end('done');
            return;
          case '/loop':
            response.writeHead(302, {Location: '/loop'}).end();
            return;
          case '/form':
            response.writeHead(303, {Location: '/echo'}).end();
            return;
          case '/keep':
            response.writeHead(307, {Location: '/echo'}).end();
            return;
          case '/away':
            response.writeHead(302, {Location: `${other.origin}/landed`}).end();
            return;
          case '/reset':
            response.writeHead(200, {'Content-Length': '100'});
            response.write('x'.repeat(10), () => response.socket?.destroy());
            return;
          case '/endless': {
            response.writeHead(200, {'Content-Type': 'text/plain'});
            let ticks = 0;
            const timer = setInterval(() => {
              if (++ticks > 500) response.end();
              else response.write('tick\n');
            }, 20);
            response.on('close', () => clearInterval(timer));
            return;
          }
          default:
            response.statusCode = 404;
            response.end();
        }
      })();
    });
  });

  afterAll(async () => {
    await server.close();
    await other.close();
  });

  it('gets a page with every phase timed in order and a transcript like curl -vv', async () => {
    const result = await sendRequest({url: `${server.origin}/`});
    expect(result.error).toBeUndefined();
    const response = result.response;
    expect(response?.status).toBe(200);
    expect(response?.statusText).toBe('OK');
    expect(response?.statusClass).toBe('success');
    expect(response?.remoteAddress).toBe('127.0.0.1');
    expect(response?.remotePort).toBe(server.port);
    expect(response?.contentType).toBe('text/plain');
    expect(bodyText(result)).toBe('hello');
    expect(response?.bodyBytes).toBe(5);
    expect(response?.wireBytes).toBe(5);
    expect(response?.bodyTruncated).toBe(false);

    const {timings} = result;
    expect(timings.dns).toBeUndefined(); // an address needs no lookup
    expect(timings.tls).toBeUndefined();
    expect(timings.connect).toBeGreaterThan(0);
    expect(timings.firstByte).toBeGreaterThanOrEqual(0);
    expect(timings.download).toBeGreaterThanOrEqual(0);
    const phases = (timings.connect ?? 0) + (timings.firstByte ?? 0) + (timings.download ?? 0);
    expect(timings.total).toBeGreaterThanOrEqual(phases);

    const lines = transcriptText(result);
    expect(lines).toEqual(
      expect.arrayContaining([
        `* Trying 127.0.0.1:${server.port}...`,
        expect.stringMatching(
          new RegExp(
            `^\\* Connected to 127\\.0\\.0\\.1 \\(127\\.0\\.0\\.1\\) port ${server.port} \\(#\\d+\\) from local port \\d+$`,
          ),
        ),
        '> GET / HTTP/1.1',
        `> Host: 127.0.0.1:${server.port}`,
        `> User-Agent: porthole/${version}`,
        '> Accept: */*',
        '< HTTP/1.1 200 OK',
        '< Content-Type: text/plain',
        expect.stringMatching(/^\* Closing connection #\d+$/),
      ]),
    );
    const requestLine = lines.indexOf('> GET / HTTP/1.1');
    const statusLine = lines.indexOf('< HTTP/1.1 200 OK');
    expect(requestLine).toBeGreaterThan(lines.indexOf(`* Trying 127.0.0.1:${server.port}...`));
    expect(lines.slice(requestLine, statusLine)).toContain('>');
    expect(statusLine).toBeGreaterThan(requestLine);
  });

  it.skipIf(lookedUpName === undefined)('times the lookup of a name', async () => {
    const name = lookedUpName ?? '';
    const result = await sendRequest({url: `http://${name}:${server.port}/`});
    expect(result.response?.status).toBe(200);
    expect(result.timings.dns).toBeGreaterThanOrEqual(0);
    expect(result.dns?.source).toBe('dns');
    expect(transcriptText(result)).toContain(`> Host: ${name}:${server.port}`);
  });

  it('answers localhost itself, as curl does: loopback, no lookup', async () => {
    const result = await sendRequest({url: `http://localhost:${server.port}/`});
    expect(result.response?.status).toBe(200);
    expect(result.timings.dns).toBeUndefined();
    expect(result.dns).toMatchObject({
      source: 'localhost',
      answers: [
        {address: '127.0.0.1', family: 4},
        {address: '::1', family: 6},
      ],
      connected: '127.0.0.1',
    });
    expect(transcriptText(result)).toContain('* IPv4: 127.0.0.1');
  });

  it('passes on live transcript lines as they happen', async () => {
    const live: string[] = [];
    const result = await sendRequest({
      url: `${server.origin}/`,
      onTranscript: (line) => live.push(line.text),
    });
    expect(live).toEqual(result.transcript.map((line) => line.text));
    expect(live.length).toBeGreaterThan(8);
  });

  it('echoes a POST body with its Content-Length', async () => {
    const result = await sendRequest({
      url: `${server.origin}/echo`,
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: 'name=porthole',
    });
    expect(bodyText(result)).toBe('POST name=porthole');
    expect(result.response?.contentType).toBe('application/x-www-form-urlencoded');
    expect(transcriptText(result)).toContain('> Content-Length: 13');
  });

  it('sends a byte body as it is', async () => {
    const bytes = Uint8Array.from([0x68, 0x69, 0xff]);
    const result = await sendRequest({url: `${server.origin}/raw`, method: 'PUT', body: bytes});
    expect(Buffer.from(result.response?.body ?? [])).toEqual(Buffer.from(bytes));
    expect(transcriptText(result)).toContain('> Content-Length: 3');
  });

  it('makes a HEAD request without waiting for a body', async () => {
    const result = await sendRequest({url: `${server.origin}/head`, method: 'HEAD'});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(result.response?.headers).toContainEqual(['Content-Length', '100']);
    expect(result.response?.bodyBytes).toBe(0);
    expect(transcriptText(result)).toContain('> HEAD /head HTTP/1.1');
  });

  it.each([
    [204, 'success', 'No Content'],
    [301, 'redirection', 'Moved Permanently'],
    [404, 'client error', 'Not Found'],
    [500, 'server error', 'Internal Server Error'],
  ])('reports status %i as %s', async (code, statusClass, reason) => {
    const result = await sendRequest({url: `${server.origin}/status?code=${code}`});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(code);
    expect(result.response?.statusClass).toBe(statusClass);
    expect(result.response?.statusText).toBe(reason);
  });

  it('does not follow redirects unless asked', async () => {
    const result = await sendRequest({url: `${server.origin}/a`});
    expect(result.response?.status).toBe(302);
    expect(result.response?.headers).toContainEqual(['Location', '/b']);
    expect(bodyText(result)).toBe('to b');
    expect(result.redirects).toEqual([]);
  });

  it('follows a chain of redirects and records each hop', async () => {
    const result = await sendRequest({url: `${server.origin}/a`, followRedirects: true});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(result.response?.url).toBe(`${server.origin}/c`);
    expect(bodyText(result)).toBe('done');
    expect(result.redirects).toEqual([
      {url: `${server.origin}/a`, status: 302, location: '/b'},
      {url: `${server.origin}/b`, status: 301, location: `${server.origin}/c`},
    ]);
    expect(transcriptText(result)).toContain(
      `* Issue another request to this URL: '${server.origin}/b'`,
    );
  });

  it('ends a redirect loop with too-many-redirects naming the count', async () => {
    const result = await sendRequest({
      url: `${server.origin}/loop`,
      followRedirects: true,
      maxRedirects: 3,
    });
    expect(result.error?.code).toBe('too-many-redirects');
    expect(result.error?.message).toContain('3');
    expect(result.redirects).toHaveLength(3);
    expect(result.response?.status).toBe(302);
  });

  it('turns a POST into a GET after 303 and keeps it after 307', async () => {
    const seeOther = await sendRequest({
      url: `${server.origin}/form`,
      method: 'POST',
      body: 'a=1',
      followRedirects: true,
    });
    expect(bodyText(seeOther)).toBe('GET ');
    const temporary = await sendRequest({
      url: `${server.origin}/keep`,
      method: 'POST',
      body: 'a=1',
      followRedirects: true,
    });
    expect(bodyText(temporary)).toBe('POST a=1');
  });

  it('keeps credentials from a redirect to another origin', async () => {
    seenByOther.length = 0;
    const result = await sendRequest({
      url: `${server.origin}/away`,
      headers: [
        ['Authorization', 'Bearer secret'],
        ['Cookie', 'session=1'],
        ['X-Trace', 'kept'],
      ],
      followRedirects: true,
    });
    expect(bodyText(result)).toBe('landed');
    expect(seenByOther).toHaveLength(1);
    expect(seenByOther[0]?.authorization).toBeUndefined();
    expect(seenByOther[0]?.cookie).toBeUndefined();
    expect(seenByOther[0]?.['x-trace']).toBe('kept');
  });

  it('keeps the partial response when the connection drops mid-body', async () => {
    const result = await sendRequest({url: `${server.origin}/reset`});
    expect(result.error?.code).toBe('reset');
    expect(result.error?.message).toBe(
      `connection to 127.0.0.1:${server.port} closed before the body was complete (received 10 B of 100 B)`,
    );
    expect(result.response?.status).toBe(200);
    expect(bodyText(result)).toBe('x'.repeat(10));
  });

  it('stops an endless body at the total timeout and keeps what arrived', async () => {
    const started = performance.now();
    const result = await sendRequest({url: `${server.origin}/endless`, timeoutMs: 500});
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.error?.code).toBe('timeout');
    expect(result.error?.message).toMatch(
      /^no complete response within 0\.5 s \(received \d+ B of body\)$/,
    );
    expect(result.response?.status).toBe(200);
    expect(bodyText(result)).toMatch(/^(tick\n)+$/);
  });
});

describe('sendRequest refusing or failing', () => {
  it('refuses an invalid URL', async () => {
    const result = await sendRequest({url: 'http://exa mple.com/'});
    expect(result.error).toEqual({
      code: 'invalid-url',
      message: 'invalid URL: http://exa mple.com/',
    });
    expect(result.response).toBeUndefined();
  });

  it('refuses schemes other than http and https', async () => {
    const result = await sendRequest({url: 'ftp://127.0.0.1/file'});
    expect(result.error?.code).toBe('unsupported-scheme');
    expect(result.error?.message).toContain('ftp:');
  });

  it('refuses a header that could not be sent', async () => {
    const result = await sendRequest({
      url: 'http://127.0.0.1:9/',
      headers: [['X-Bad', 'line\r\nInjected: yes']],
    });
    expect(result.error?.code).toBe('invalid-request');
    expect(result.transcript.some((line) => line.kind === 'out')).toBe(false);
  });

  it('says an unknown host does not resolve, without asking the network', async () => {
    const lookup = vi.spyOn(dns, 'lookup');
    try {
      const started = performance.now();
      const result = await sendRequest({url: 'http://no-such-host.porthole.invalid/'});
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.error).toEqual({
        code: 'dns',
        message: 'could not resolve host: no-such-host.porthole.invalid',
      });
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('says which address refused the connection', async () => {
    const port = await closedPort();
    const result = await sendRequest({url: `http://127.0.0.1:${port}/`});
    expect(result.error).toEqual({
      code: 'refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
    expect(transcriptText(result)).toContain(`* connection refused by 127.0.0.1:${port}`);
  });

  it('times out a server that accepts and never answers', async () => {
    const silent = await rawServer((socket) => socket.resume());
    try {
      const started = performance.now();
      const result = await sendRequest({url: `${silent.origin}/`, timeoutMs: 400});
      expect(performance.now() - started).toBeLessThan(5000);
      expect(result.error).toEqual({code: 'timeout', message: 'no response within 0.4 s'});
      expect(result.timings.total).toBeGreaterThanOrEqual(390);
    } finally {
      await silent.close();
    }
  });

  it('times out a server that trickles its headers', async () => {
    const slow = await rawServer((socket) => {
      socket.resume();
      socket.write('HTTP/1.1 200 OK\r\n');
      let lines = 0;
      const timer = setInterval(() => {
        if (++lines > 200) socket.destroy();
        else socket.write(`X-Slow-${lines}: 1\r\n`);
      }, 50);
      socket.on('close', () => clearInterval(timer));
    });
    try {
      const result = await sendRequest({url: `${slow.origin}/`, timeoutMs: 600});
      expect(result.error?.code).toBe('timeout');
      expect(result.error?.message).toMatch(
        /^no complete response within 0\.6 s \(response headers incomplete after \d+ bytes\)$/,
      );
      expect(result.response).toBeUndefined();
    } finally {
      await slow.close();
    }
  });

  it('cancels when the signal aborts', async () => {
    const controller = new AbortController();
    const silent = await rawServer((socket) => {
      socket.once('data', () => controller.abort());
    });
    try {
      const result = await sendRequest({url: `${silent.origin}/`, signal: controller.signal});
      expect(result.error).toEqual({code: 'aborted', message: 'request aborted'});
    } finally {
      await silent.close();
    }
  });

  it('does not start when the signal has already aborted', async () => {
    const result = await sendRequest({url: 'http://127.0.0.1:9/', signal: AbortSignal.abort()});
    expect(result.error?.code).toBe('aborted');
    expect(result.transcript.some((line) => line.text.startsWith('Trying'))).toBe(false);
  });

  it('refuses response headers larger than 16 KiB', async () => {
    const flood = await rawServer((socket) => {
      socket.once('data', () => {
        let head = 'HTTP/1.1 200 OK\r\n';
        for (let index = 0; index < 10_000; index++) head += `X-Header-${index}: value\r\n`;
        socket.end(head + 'Content-Length: 0\r\n\r\n');
      });
    });
    try {
      const result = await sendRequest({url: `${flood.origin}/`});
      expect(result.error).toEqual({
        code: 'headers-too-large',
        message: 'response headers exceed 16 KiB',
      });
    } finally {
      await flood.close();
    }
  });

  it('calls bytes that are not an HTTP response a protocol error and shows what came', async () => {
    const broken = await rawServer((socket) => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\nmore\n'));
    });
    try {
      const result = await sendRequest({url: `${broken.origin}/`});
      expect(result.error?.code).toBe('protocol');
      expect(result.error?.message).toBe(
        `malformed response from 127.0.0.1:${broken.port}: not an HTTP response (no status line)`,
      );
      expect(result.response).toBeUndefined();
      expect(transcriptText(result)).toContain('< SSH-2.0-OpenSSH_9.2');
    } finally {
      await broken.close();
    }
  });
});

describe('sendRequest on the wire', () => {
  it('sends exactly the request head its transcript shows, headers in the given order and spelling', async () => {
    let head = '';
    const server = await rawServer((socket) => {
      void readRequestHead(socket).then((received) => {
        head = received;
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    try {
      const result = await sendRequest({
        url: `${server.origin}/path?q=1`,
        method: 'delete',
        headers: [
          ['x-lower', 'one'],
          ['X-UPPER', 'two'],
          ['accept', 'text/html'],
        ],
      });
      expect(result.error).toBeUndefined();
      const sent = result.transcript.filter((line) => line.kind === 'out').map((line) => line.text);
      expect(head).toBe(sent.join('\r\n') + '\r\n');
      expect(sent.slice(0, 5)).toEqual([
        // As curl -X: the method as written, not upper-cased.
        'delete /path?q=1 HTTP/1.1',
        `Host: 127.0.0.1:${server.port}`,
        `User-Agent: porthole/${version}`,
        'x-lower: one',
        'X-UPPER: two',
      ]);
      expect(sent).not.toContain('Accept: */*');
    } finally {
      await server.close();
    }
  });

  it('reads header values sent as UTF-8 as text, and other bytes one character each', async () => {
    const server = await rawServer((socket) => {
      socket.once('data', () => {
        socket.end(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\r\nX-Name: '),
            Buffer.from('café ☕', 'utf8'),
            Buffer.from('\r\nX-Latin: caf\u00e9\r\nContent-Length: 0\r\n\r\n', 'latin1'),
          ]),
        );
      });
    });
    try {
      const result = await sendRequest({url: `${server.origin}/`});
      expect(result.error).toBeUndefined();
      const headers = new Map(result.response!.headers.map(([name, value]) => [name, value]));
      expect(headers.get('X-Name')).toBe('café ☕');
      expect(headers.get('X-Latin')).toBe('café');
      expect(result.transcript.map((line) => line.text)).toContain('X-Name: café ☕');
    } finally {
      await server.close();
    }
  });

  it('returns terminal escapes raw, for the views to make safe', async () => {
    const body = '\u001b[2Jcleared\u001b]0;title\u0007 and \u009b31m';
    const sneaky = await rawServer((socket) => {
      socket.once('data', () => {
        const bytes = Buffer.from(body);
        socket.end(
          Buffer.concat([
            Buffer.from(
              `HTTP/1.1 200 O\u001b]0;pwned\u0007K\r\nContent-Type: text/plain\r\nContent-Length: ${bytes.length}\r\n\r\n`,
              'latin1',
            ),
            bytes,
          ]),
        );
      });
    });
    try {
      const result = await sendRequest({url: `${sneaky.origin}/`});
      expect(result.error).toBeUndefined();
      expect(result.response?.statusText).toContain('\u001b]0;pwned');
      expect(bodyText(result)).toBe(body);
      const view = describeBody(result.response!);
      expect(view.kind).toBe('text');
      expect(view.lines.join('\n')).not.toMatch(terminalControls);
      expect(view.lines.join('\n')).toContain('^[[2Jcleared');
    } finally {
      await sneaky.close();
    }
  });
});
