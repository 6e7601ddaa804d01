import {mkdtempSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {httpServer, rawServer, type Loopback} from '../helpers/servers.js';
import {keys, renderApp} from '../helpers/render-app.js';
import type {Server} from 'node:http';

let server: Loopback<Server>;
let hits = 0;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-pane-'));

beforeAll(async () => {
  server = await httpServer((request, response) => {
    hits++;
    if (request.url === '/json') {
      response.setHeader('Content-Type', 'application/json');
      response.end('{"ok":true,"items":[1,2]}');
    } else if (request.url === '/slow') {
      setTimeout(() => response.end('late'), 5000).unref();
    } else if (request.url?.startsWith('/echo')) {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () =>
        response.end(`${request.method} ${body} auth=${request.headers.authorization ?? ''}`),
      );
    } else {
      response.end('hello\n');
    }
  });
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, {recursive: true, force: true});
});
afterEach(() => cleanup());

const requestFocused = (url = '') => ({
  focus: 'request' as const,
  request: {url, caret: url.length},
});

describe('request pane', () => {
  it('shows the URL broken into parts and flags a malformed one before sending', async () => {
    const app = await renderApp(requestFocused('https://example.test/a?b=1'));
    expect(app.screen()).toContain('https · host example.test · port 443 (default) · /a?b=1');
    app.store.setState({request: {...app.store.getState().request, url: 'example.test:8080'}});
    await app.waitForScreen(
      (s) => s.includes('http (added, as curl does) · host example.test · port 8080'),
      'a URL without a scheme read as curl reads it',
    );
    app.store.setState({request: {...app.store.getState().request, url: 'ftp://example.test/'}});
    await app.waitForScreen((s) => s.includes('✗ unsupported scheme ftp:'), 'the URL flagged');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('not sent: unsupported scheme'), 'refused to send');
    expect(hits).toBe(0);
  });

  it('sends with Enter and shows status, meaning, timing and body', async () => {
    const app = await renderApp(requestFocused(`${server.origin}/json`));
    await app.press(keys.enter);
    const screen = await app.waitForScreen((s) => s.includes('200 OK'), 'the response');
    expect(screen).toMatch(
      /200 OK · success · 25 B · [\d.]+ ms · HTTP\/1\.1 from 127\.0\.0\.1:\d+ · the request worked/,
    );
    expect(screen).toMatch(
      /dns — · connect [\d.]+ ms · tls — · (?:request sent [\d.]+ ms · )?first byte [\d.]+ ms/,
    );
    expect(screen).toContain('"items": [');
    await app.press('v');
    await app.waitForScreen((s) => /Content-Type: application\/json/i.test(s), 'the headers tab');
    await app.press('v');
    await app.waitForScreen(
      (s) => s.includes('first byte') && s.includes('█'),
      'the timing waterfall',
    );
    await app.press('v'); // the tls tab, empty for http
    await app.press('v');
    const transcript = await app.waitForScreen(
      (s) => s.includes('> GET /json HTTP/1.1'),
      'the transcript',
    );
    expect(transcript).toContain('* Connected to 127.0.0.1');
    expect(transcript).toContain('< HTTP/1.1 200 OK');
  });

  it('edits fields: e to type, Esc to stop, and q typed into the URL does not quit', async () => {
    const app = await renderApp(requestFocused());
    await app.press('e', `${server.origin}/echo?q=1`);
    await app.waitForScreen((s) => s.includes('/echo?q=1'), 'typed URL');
    await app.press(keys.escape, 'j', 'e', 'Authorization: Bearer sekrit-token', keys.escape);
    await app.press('j', 'e', 'line one', keys.enter, 'line two', keys.escape, 'm', 'm');
    const form = await app.waitForScreen(
      (s) => s.includes('POST') && s.includes('neither safe nor idempotent'),
      'POST',
    );
    expect(form).toContain('Authorization: Bearer ••••');
    expect(form).not.toContain('sekrit-token');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('200 OK'), 'the response');
    expect(app.screen()).toContain('POST line one');
    expect(app.store.getState().request.body).toBe('line one\nline two');
  });

  it('asks before re-sending a request that is not idempotent', async () => {
    const app = await renderApp({
      ...requestFocused(`${server.origin}/echo`),
      request: {url: `${server.origin}/echo`, method: 'POST', body: 'x'},
    });
    const before = hits;
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('200 OK'), 'the first response');
    await app.press(keys.enter);
    await app.waitForScreen(
      (s) => s.includes('POST is not idempotent: send it again?'),
      'the question',
    );
    expect(hits).toBe(before + 1);
    await app.press('y');
    await app.waitForScreen(() => hits === before + 2, 'the second request');
  });

  it('shows the request in flight and cancels it with Esc, while the rest keeps answering keys', async () => {
    const app = await renderApp(requestFocused(`${server.origin}/slow`));
    await app.press(keys.enter);
    await app.waitForScreen(
      (s) => s.includes('sending GET') && s.includes('Esc cancels'),
      'in flight',
    );
    const before = hits;
    await app.press(keys.enter);
    await app.waitForScreen(
      (s) => s.includes('a request is in flight: Esc cancels it'),
      'no second send',
    );
    expect(hits).toBe(before);
    await app.press(keys.tab);
    await app.waitForScreen((s) => s.includes('▶ Addresses'), 'the focus moved during the request');
    await app.press(keys.tab, keys.tab, keys.escape);
    await app.waitForScreen(
      (s) => /✗ request (aborted|cancelled)/.test(s),
      'the cancelled request',
    );
  });

  it('shows a connection failure as one clear line', async () => {
    const closed = await httpServer(() => {});
    const url = `${closed.origin}/`;
    await closed.close();
    const app = await renderApp(requestFocused(url));
    await app.press(keys.enter);
    const screen = await app.waitForScreen((s) => s.includes('✗ '), 'the error');
    expect(screen).toMatch(/✗ connection refused by 127\.0\.0\.1:\d+/);
  });

  it('keeps hostile status text, headers and bodies inert', async () => {
    const hostile = await rawServer((socket) => {
      socket.once('data', () => {
        const body = Buffer.concat([
          Buffer.from('body \u001B]52;c;aGk=\u0007 '),
          Buffer.from([0x9b, 0x33, 0x31, 0x6d, 0x20, 0xff, 0xfe]),
          Buffer.from(' end of a text that is mostly ordinary words, as a hostile page would be\n'),
        ]);
        socket.end(
          Buffer.concat([
            Buffer.from('HTTP/1.1 200 OK\u001B]0;pwned\u0007\r\n'),
            Buffer.from('X-Evil: a'),
            Buffer.from([0xe2, 0x80, 0xae, 0xc2, 0x9b]),
            Buffer.from(
              'b\r\nContent-Type: text/plain\r\nContent-Length: ' + body.length + '\r\n\r\n',
            ),
            body,
          ]),
        );
      });
    });
    const app = await renderApp(requestFocused(`${hostile.origin}/`));
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('200 OK^[]0;pwned^G'), 'the status shown safely');
    expect(app.screen()).toContain('body ^[]52;c;aGk=^G \uFFFD31m \uFFFD\uFFFD end of a text');
    await app.press('v');
    await app.waitForScreen((s) => /X-Evil: a.*b/.test(s), 'the header shown safely');
    const everything = app.frames.join('');
    expect(everything).not.toContain('\u001B]0;pwned');
    expect(everything).not.toContain('\u001B]52');
    expect(everything).not.toMatch(/[\u0080-\u009f]/);
    await hostile.close();
  });

  it('fills the whole form from a pasted curl command', async () => {
    const app = await renderApp(requestFocused());
    await app.press('e', `curl -X PUT '${server.origin}/echo' -H 'X-A: 1' --data-raw 'v=2' -L`);
    await app.waitForScreen(
      (s) => s.includes('form filled from the pasted curl command'),
      'the notice',
    );
    const {request} = app.store.getState();
    expect(request).toMatchObject({
      method: 'PUT',
      url: `${server.origin}/echo`,
      headers: 'X-A: 1',
      body: 'v=2',
      followRedirects: true,
    });
  });

  it('copies as curl: shown in the pane and handed to the clipboard', async () => {
    const copied: string[] = [];
    const app = await renderApp({
      ...requestFocused(`${server.origin}/x`),
      controller: {copy: (text) => copied.push(text)},
    });
    await app.press('c');
    await app.waitForScreen((s) => s.includes(`curl ${server.origin}/x`), 'the command');
    expect(copied).toEqual([`curl ${server.origin}/x`]);
  });

  it('keeps history in a 0600 file and recalls it with [ and ]', async () => {
    const historyPath = path.join(scratch, 'state', 'history.jsonl');
    const app = await renderApp({
      ...requestFocused(`${server.origin}/one`),
      controller: {historyPath},
    });
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('200 OK'), 'first');
    app.store.setState({request: {...app.store.getState().request, url: `${server.origin}/two`}});
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('200 OK') && s.includes('/two'), 'second');
    await app.requests.settled();
    expect(statSync(historyPath).mode & 0o777).toBe(0o600);
    await app.press('[', '[');
    await app.waitForScreen(
      () => app.store.getState().request.url.endsWith('/one'),
      'the older request',
    );
    await app.press(']');
    await app.waitForScreen(
      () => app.store.getState().request.url.endsWith('/two'),
      'the newer request',
    );
  });

  it('searches the body with / and n', async () => {
    const lines = Array.from({length: 200}, (_, index) => `line ${index}`).join('\n');
    const big = await httpServer((_request, response) => response.end(lines + '\nneedle here\n'));
    const app = await renderApp({...requestFocused(`${big.origin}/`), rows: 30});
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('line 0'), 'the body');
    await app.press('/', 'needle', keys.enter);
    await app.waitForScreen(
      (s) => s.includes('needle here') && !s.includes('line 0\n'),
      'scrolled to the match',
    );
    await big.close();
  });
});
