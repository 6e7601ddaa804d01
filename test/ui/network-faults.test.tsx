/**
 * Servers that misbehave, on loopback, against the real request controller: each fault must end
 * in one clear error line or a bounded result within the timeout, and the dashboard must keep
 * answering keys while the request is in flight.
 */
import type {Server} from 'node:http';
import type {Server as TcpServer} from 'node:net';
import zlib from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {httpServer, rawServer, readRequestHead, type Loopback} from '../helpers/servers.js';
import {keys, renderApp, type Rendered} from '../helpers/render-app.js';

const servers: Array<Loopback<Server> | Loopback<TcpServer>> = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  cleanup();
  for (const timer of timers.splice(0)) clearInterval(timer);
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function track<S extends Loopback<Server> | Loopback<TcpServer>>(
  server: Promise<S>,
): Promise<S> {
  const started = await server;
  servers.push(started);
  return started;
}

/** Holds a server back until the test has seen the dashboard answer a key. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {opened, open};
}

const maxBodyBytes = 2 * 1024 * 1024;

async function send(
  url: string,
  options: {timeoutMs?: number; follow?: boolean; curlOptions?: string} = {},
) {
  const app = await renderApp({
    focus: 'request',
    request: {
      url,
      caret: url.length,
      followRedirects: options.follow ?? false,
      options: options.curlOptions ?? '',
    },
    controller: {timeoutMs: options.timeoutMs},
  });
  await app.press(keys.enter);
  await app.waitForScreen((s) => s.includes('Esc cancels'), 'the request in flight');
  return app;
}

/** While the request is in flight, p pauses and resumes: the screen changes both times. */
async function answersKeys(app: Rendered) {
  await app.press('p');
  await app.waitForScreen((s) => s.includes('PAUSED'), 'p to pause during the request');
  await app.press('p');
  await app.waitForScreen((s) => !s.includes('PAUSED'), 'p to resume during the request');
  expect(app.store.getState().request.inFlight).toBeDefined();
}

/** The pane ends with exactly one error line, and it says `pattern`. */
async function oneErrorLine(app: Rendered, pattern: RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!app.screen().includes('✗ ') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const errors = app
    .screen()
    .split('\n')
    .filter((line) => line.includes('✗ '));
  expect(errors, app.screen()).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(app.store.getState().request.inFlight).toBeUndefined();
  return errors[0] ?? '';
}

describe('network faults, with the dashboard answering keys meanwhile', () => {
  it('a connection reset in the middle of the body', async () => {
    const released = gate();
    const server = await track(
      rawServer((socket) => {
        void readRequestHead(socket).then(async () => {
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n',
          );
          socket.write('partial body '.repeat(2000));
          await released.opened;
          socket.resetAndDestroy();
        });
      }),
    );
    const app = await send(`${server.origin}/`);
    await answersKeys(app);
    released.open();
    await oneErrorLine(
      app,
      /✗ connection to 127\.0\.0\.1:\d+ closed before the body was complete \(received [\d.]+ KiB of [\d.]+ KiB\)/,
    );
  });

  it('response headers trickling in one byte a second, with a short timeout', async () => {
    const server = await track(
      rawServer((socket) => {
        void readRequestHead(socket).then(() => {
          const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          let sent = 0;
          const timer = setInterval(() => {
            if (socket.destroyed || sent >= head.length) return clearInterval(timer);
            socket.write(head.subarray(sent, ++sent));
          }, 1000);
          timers.push(timer);
        });
      }),
    );
    const app = await send(`${server.origin}/`, {timeoutMs: 2000});
    await answersKeys(app);
    await oneErrorLine(
      app,
      /✗ no complete response within 2\.0 s \(response headers incomplete after [1-3] bytes\)/,
    );
  });

  it('an endless body, cut by the timeout with at most 2 MiB kept', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'endless ');
    const server = await track(
      httpServer((_request, response) => {
        response.setHeader('Content-Type', 'text/plain');
        const more = () => {
          while (!response.destroyed && response.write(chunk));
        };
        response.on('drain', more);
        more();
      }),
    );
    const app = await send(`${server.origin}/`, {timeoutMs: 1500});
    await answersKeys(app);
    await oneErrorLine(
      app,
      /✗ no complete response within 1\.5 s \(received [\d.]+ [KMG]iB of body\)/,
    );
    const response = app.store.getState().request.result?.response;
    expect(response?.bodyTruncated).toBe(true);
    expect(response?.body.length).toBeLessThanOrEqual(maxBodyBytes);
  });

  it('a redirect loop, with following turned on by f', async () => {
    let hops = 0;
    const server = await track(
      httpServer((_request, response) => {
        hops++;
        // A little slow, so that the loop is still going while keys are pressed.
        setTimeout(() => {
          response.writeHead(302, {Location: '/loop'});
          response.end();
        }, 60);
      }),
    );
    const url = `${server.origin}/loop`;
    const app = await renderApp({focus: 'request', request: {url, caret: url.length}});
    await app.press('f');
    await app.waitForScreen((s) => s.includes('follow redirects'), 'following turned on');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('Esc cancels'), 'the request in flight');
    await answersKeys(app);
    await oneErrorLine(app, /✗ too many redirects: stopped after following 50$/);
    expect(hops).toBe(51);
  });

  it('10,000 response headers', async () => {
    const released = gate();
    const server = await track(
      rawServer((socket) => {
        void readRequestHead(socket).then(async () => {
          socket.write('HTTP/1.1 200 OK\r\nX-First: 1\r\n');
          await released.opened;
          const headers = Array.from({length: 10_000}, (_, index) => `X-H${index}: ${index}\r\n`);
          socket.end(headers.join('') + 'Content-Length: 0\r\n\r\n');
        });
      }),
    );
    const app = await send(`${server.origin}/`);
    await answersKeys(app);
    released.open();
    await oneErrorLine(app, /✗ response headers exceed 16 KiB$/);
  });

  it('a gzip bomb: 1 GiB of zeros in 1 MiB on the wire, decoded no further than 2 MiB', async () => {
    // Gzip members may follow one another; 1024 copies of 1 MiB of zeros is 1 GiB decoded.
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024), {level: 9});
    const bomb = Buffer.concat(Array.from({length: 1024}, () => member));
    const released = gate();
    const server = await track(
      rawServer((socket) => {
        void readRequestHead(socket).then(async () => {
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n' +
              `Content-Length: ${bomb.length}\r\n\r\n`,
          );
          socket.write(bomb.subarray(0, 100));
          await released.opened;
          socket.end(bomb.subarray(100));
        });
      }),
    );
    // As curl, the body is decoded only with --compressed.
    const app = await send(`${server.origin}/`, {curlOptions: '--compressed'});
    await answersKeys(app);
    released.open();
    const screen = await app.waitForScreen((s) => s.includes('200 OK · success'), 'the response');
    expect(screen).toMatch(/200 OK · success · 2\.0 MiB \(truncated\)/);
    // The note closes the body: G shows the last screenful.
    await app.press('G');
    await app.waitForScreen((s) => s.includes('the rest was not decoded'), 'the truncation note');
    expect(screen).not.toContain('✗ ');
    const response = app.store.getState().request.result?.response;
    expect(response?.body.length).toBeLessThanOrEqual(maxBodyBytes);
    expect(response?.wireBytes).toBe(bomb.length);
  });

  it('a body that is one long line of wide characters and emoji', async () => {
    const line = '字幕 テキスト 👍🏽 '.repeat(10_000) + 'the end';
    const server = await track(
      httpServer((_request, response) => {
        response.setHeader('Content-Type', 'text/plain; charset=utf-8');
        response.end(line);
      }),
    );
    const app = await send(`${server.origin}/`);
    const screen = await app.waitForScreen((s) => s.includes('200 OK · success'), 'the response');
    expect(screen).toContain('字幕 テキスト 👍🏽 字幕');
    await answersKeysAfter(app);
  });
});

/** After the response: Tab still moves the focus. */
async function answersKeysAfter(app: Rendered) {
  await app.press(keys.tab);
  await app.waitForScreen((s) => s.includes('▶ Addresses'), 'Tab to move the focus');
}
