/**
 * Responses that break HTTP's rules, written byte for byte by a raw server: each is read as curl
 * reads it, with a warning for what was wrong, and only bytes that are not HTTP at all are an error.
 */
import type {Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestResult} from '../../source/request/types.js';
import {rawServer, readRequestHead, type Loopback} from '../helpers/servers.js';
import type net from 'node:net';

const prefixes = {info: '*', out: '>', in: '<'} as const;

function lines(result: RequestResult): string[] {
  return result.transcript.map(({kind, text}) => `${prefixes[kind]} ${text}`.trimEnd());
}

function bodyText(result: RequestResult): string {
  return Buffer.from(result.response?.body ?? []).toString('latin1');
}

let server: Loopback<net.Server> | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers the first request with exactly these bytes and closes. */
async function answering(...parts: Array<string | Buffer>): Promise<string> {
  server = await rawServer((socket) => {
    void readRequestHead(socket).then(() => {
      for (const part of parts.slice(0, -1)) socket.write(part);
      socket.end(parts.at(-1) ?? '');
    });
  });
  return `${server.origin}/`;
}

describe('sendRequest reading responses that break the rules', () => {
  it('shows a header value with a control character and names the header in a warning', async () => {
    const url = await answering(
      'HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\nok',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.headers).toContainEqual(['X-Bad', 'a\u0001b']);
    expect(result.response?.warnings).toEqual([
      'header X-Bad: value has a control character (0x01)',
    ]);
    expect(lines(result)).toContain('< X-Bad: a\u0001b');
    expect(lines(result)).toContain(
      '* Warning: header X-Bad: value has a control character (0x01)',
    );
    expect(bodyText(result)).toBe('ok');
  });

  it('joins an obsolete folded line to the header before it', async () => {
    const url = await answering(
      'HTTP/1.1 200 OK\r\nX-Long: first\r\n  second\r\nContent-Length: 0\r\n\r\n',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.headers).toContainEqual(['X-Long', 'first second']);
    expect(result.response?.warnings).toEqual([
      'header X-Long: obsolete line folding (joined to the line before)',
    ]);
    expect(lines(result)).toEqual(expect.arrayContaining(['< X-Long: first', '<   second']));
  });

  it('reads header lines that end in a bare LF', async () => {
    const url = await answering(
      'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 3\n\nabc',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(result.response?.contentType).toBe('text/plain');
    expect(bodyText(result)).toBe('abc');
    expect(result.response?.warnings).toEqual(['header lines end in a bare LF, not CRLF']);
  });

  it('reads a status line without a reason phrase', async () => {
    const url = await answering('HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n');
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(404);
    expect(result.response?.statusText).toBe('');
    expect(result.response?.statusClass).toBe('client error');
    expect(result.response?.warnings).toEqual([]);
    expect(lines(result)).toContain('< HTTP/1.1 404');
  });

  it('keeps a body to its Content-Length and warns of the bytes after it', async () => {
    const url = await answering('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA');
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(bodyText(result)).toBe('hello');
    expect(result.response?.warnings).toEqual([
      "5 bytes after the body's Content-Length of 5 were ignored",
    ]);
  });

  it('keeps the part of a body cut short, with a warning and a reset error', async () => {
    const url = await answering('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    const result = await sendRequest({url});
    expect(result.error?.code).toBe('reset');
    expect(result.error?.message).toBe(
      `connection to 127.0.0.1:${server?.port} closed before the body was complete (received 3 B of 10 B)`,
    );
    expect(result.response?.status).toBe(200);
    expect(bodyText(result)).toBe('abc');
    expect(result.response?.warnings).toEqual([
      'the body is 7 bytes shorter than its Content-Length of 10',
    ]);
  });

  it('uses the first valid Content-Length when they conflict, and says so', async () => {
    const url = await answering(
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(bodyText(result)).toBe('abc');
    expect(result.response?.warnings).toEqual([
      'Content-Length given as 3, 5: the first valid one, 3, was used',
      "2 bytes after the body's Content-Length of 3 were ignored",
    ]);
  });

  it('calls garbage a protocol error and shows the bytes that came', async () => {
    const url = await answering(Buffer.from('\u0000\u0001garbage\r\nsecond line\r\n', 'latin1'));
    const result = await sendRequest({url});
    expect(result.error?.code).toBe('protocol');
    expect(result.error?.message).toBe(
      `malformed response from 127.0.0.1:${server?.port}: not an HTTP response (no status line)`,
    );
    expect(result.response).toBeUndefined();
    expect(result.transcript).toContainEqual({kind: 'in', text: '\u0000\u0001garbage'});
  });

  it('tells a 1xx response and reads the final one after it', async () => {
    const url = await answering(
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(result.response?.headers).toEqual([['Content-Length', '4']]);
    expect(bodyText(result)).toBe('done');
    const told = lines(result);
    expect(told.indexOf('< HTTP/1.1 103 Early Hints')).toBeLessThan(
      told.indexOf('< HTTP/1.1 200 OK'),
    );
    expect(told).toContain('< Link: </style.css>; rel=preload');
  });

  it('reads a chunked body with chunk extensions and trailers', async () => {
    const url = await answering(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      '5;name=value\r\nhello\r\n',
      '6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n',
    );
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(bodyText(result)).toBe('hello world');
    expect(result.response?.wireBytes).toBe(11);
    expect(result.response?.warnings).toEqual([]);
    expect(lines(result)).toContain('< X-Checksum: abc');
  });

  it('reads a body to the end of the connection when nothing frames it', async () => {
    const url = await answering('HTTP/1.0 200 OK\r\n\r\n', 'to the ', 'end');
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.httpVersion).toBe('1.0');
    expect(bodyText(result)).toBe('to the end');
  });

  it('keeps reading a head that comes one byte at a time', async () => {
    const head = 'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nok';
    const url = await answering(...head.split('').map((character) => character));
    const result = await sendRequest({url});
    expect(result.error).toBeUndefined();
    expect(result.response?.headers).toContainEqual(['X-A', '1']);
    expect(bodyText(result)).toBe('ok');
  });
});

describe('sendRequest with Expect: 100-continue', () => {
  /** Reads the head, then acts; collects every byte the client sent. */
  async function continuing(act: (socket: Socket, sent: () => string) => void): Promise<string> {
    server = await rawServer((socket) => {
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      void readRequestHead(socket).then(() => act(socket, () => received));
    });
    return `${server.origin}/upload`;
  }

  it('sends the body once the server says 100 Continue', async () => {
    let seen = '';
    const url = await continuing((socket, sent) => {
      expect(sent()).not.toContain('payload');
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      socket.on('data', () => {
        if (!sent().endsWith('payload')) return;
        seen = sent();
        socket.end('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
      });
    });
    const result = await sendRequest({url, method: 'PUT', body: 'payload', expectContinue: true});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(201);
    expect(seen).toMatch(/\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\npayload$/);
    expect(lines(result)).toContain('< HTTP/1.1 100 Continue');
    expect(result.timings.send).toBeGreaterThanOrEqual(0);
  });

  it('does not send the body when the server answers at once', async () => {
    let received: () => string = () => '';
    const url = await continuing((socket, sent) => {
      received = sent;
      socket.end('HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n');
    });
    const result = await sendRequest({url, method: 'PUT', body: 'payload', expectContinue: true});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(417);
    expect(received()).not.toContain('payload');
    expect(lines(result)).toContain(
      '* the server answered before the body was sent: it was not sent',
    );
  });

  it('sends the body after a second without an answer', async () => {
    const url = await continuing((socket, sent) => {
      socket.on('data', () => {
        if (sent().endsWith('payload')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    const result = await sendRequest({url, method: 'PUT', body: 'payload', expectContinue: true});
    expect(result.error).toBeUndefined();
    expect(result.response?.status).toBe(200);
    expect(lines(result)).toContain('* Done waiting for 100-continue');
  });
});
