/** The Request pane's form never lies: what it shows is what goes, and what came back names its request. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Server} from 'node:http';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {keys, renderApp, socket} from '../helpers/render-app.js';

/** Answers with what it got: method, path and the credentials that reached it. */
function echoServer() {
  return httpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () =>
      response.end(
        `${request.method} ${request.url} auth=${request.headers.authorization ?? '-'} cookie=${request.headers.cookie ?? '-'} body=${body || '-'}`,
      ),
    );
  });
}

let first: Loopback<Server>;
let second: Loopback<Server>;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-form-'));

beforeAll(async () => {
  first = await echoServer();
  second = await echoServer();
});
afterAll(async () => {
  await first.close();
  await second.close();
  rmSync(scratch, {recursive: true, force: true});
});
afterEach(() => cleanup());

const requestFocused = (url = '', rest: Record<string, unknown> = {}) => ({
  focus: 'request' as const,
  request: {url, caret: url.length, ...rest},
});

describe('opening a listener from the Sockets pane', () => {
  it('starts a fresh GET: the last request’s method, token, body and options stay behind', async () => {
    const app = await renderApp({
      focus: 'sockets',
      sockets: [socket({localAddress: '127.0.0.1', localPort: first.port, process: 'echo'})],
      request: {
        method: 'POST',
        url: 'http://other.test/api',
        headers: 'Authorization: Bearer other-service-token',
        body: 'a=1',
        options: '--compressed',
      },
    });
    await app.press(keys.enter);
    const screen = await app.waitForScreen(
      (s) => s.includes(`› URL     http://127.0.0.1:${first.port}/`),
      'the Request pane at the listener',
    );
    expect(screen).toMatch(/Method {2}GET/);
    expect(screen).toContain('Headers (none)');
    expect(screen).toContain('Body    (empty)');
    expect(screen).toContain('Options (none');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('GET / auth=- cookie=- body=-'), 'a bare GET sent');
  });
});

describe('credentials and the host', () => {
  it('drops Authorization when the URL is edited to another host, and says so', async () => {
    const app = await renderApp(requestFocused());
    await app.press('e', `${first.origin}/a`, keys.escape);
    await app.press('j', 'e', 'Authorization: Bearer sekrit', keys.escape);
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('auth=Bearer sekrit'), 'sent to its own host');
    // Now the URL is edited to another host (another port is another origin, as curl judges it).
    await app.press('k', 'e', '\u0015', `${second.origin}/b`, keys.enter);
    const screen = await app.waitForScreen(
      (s) => s.includes('GET /b auth=-'),
      'sent to the other host without the token',
    );
    expect(screen).toContain(
      `dropped Authorization: the host changed from 127.0.0.1:${first.port} to 127.0.0.1:${second.port}`,
    );
    expect(screen).toContain('Headers (none)');
  });

  it('keeps credentials typed after the URL changed: they were entered for the new host', async () => {
    const app = await renderApp(requestFocused(`${first.origin}/a`));
    await app.press('e', '\u0015', `${second.origin}/b`, keys.escape);
    await app.press('j', 'e', 'Cookie: sid=1', keys.escape, keys.enter);
    const screen = await app.waitForScreen((s) => s.includes('GET /b'), 'the response');
    expect(screen).toContain('cookie=sid=1');
    expect(screen).not.toContain('dropped');
  });
});

describe('the response names its request', () => {
  it('shows method, masked URL and time, and marks it out of date once the form changes', async () => {
    const app = await renderApp(requestFocused(`${first.origin}/x?token=abc123`));
    await app.press(keys.enter);
    const screen = await app.waitForScreen((s) => s.includes('200 OK'), 'the response');
    expect(screen).toMatch(
      new RegExp(`answers GET ${first.origin}/x\\?token=•••• · \\d\\d:\\d\\d:\\d\\d`),
    );
    expect(screen.split('\n').find((line) => line.startsWith('answers'))).not.toContain('abc123');
    expect(screen).not.toContain('(form changed since)');
    await app.press('m');
    await app.waitForScreen((s) => s.includes('(form changed since)'), 'marked out of date');
    await app.press('M');
    await app.waitForScreen((s) => !s.includes('(form changed since)'), 'the same form again');
  });
});

describe('history', () => {
  it('shows each entry with its own response and position, without consecutive duplicates', async () => {
    const app = await renderApp(requestFocused(`${first.origin}/one`));
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('GET /one auth'), 'first');
    app.store.setState({request: {...app.store.getState().request, url: `${first.origin}/two`}});
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('GET /two auth'), 'second');
    await app.press(keys.enter);
    await app.requests.settled();
    await app.press('[');
    await app.waitForScreen((s) => s.includes('· 2 of 2'), 'the newest of two entries');
    await app.press('[');
    const older = await app.waitForScreen((s) => s.includes('· 1 of 2'), 'the older entry');
    expect(older).toContain('GET /one auth');
    expect(older).not.toContain('GET /two auth');
    await app.press('[');
    expect(app.screen()).toContain('· 1 of 2');
    await app.press(']');
    await app.waitForScreen((s) => s.includes('· 2 of 2') && s.includes('GET /two auth'), 'newer');
  });

  it('says when an entry read from disk has no response kept', async () => {
    const historyPath = path.join(scratch, 'history.jsonl');
    writeFileSync(
      historyPath,
      JSON.stringify({
        at: '2026-01-01T10:00:00.000Z',
        method: 'DELETE',
        url: `${first.origin}/old`,
        headers: '',
        body: '',
      }) + '\n',
    );
    const app = await renderApp({...requestFocused(), controller: {historyPath}});
    await app.requests.loadHistory();
    await app.press('[');
    const screen = await app.waitForScreen(
      (s) => s.includes('no response kept for this entry'),
      'the entry without a response',
    );
    expect(screen).toContain('· 1 of 1');
    expect(screen).toMatch(/Method {2}DELETE/);
  });
});
