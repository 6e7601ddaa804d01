/** Reading a response in the Request pane: search, the last screenful, long lines, progress, copy as curl. */
import type {Server} from 'node:http';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {httpServer, rawServer, type Loopback} from '../helpers/servers.js';
import {keys, renderApp} from '../helpers/render-app.js';

const numbered = Array.from({length: 200}, (_, index) => `line ${index}`).join('\n');
const longLine = 'x'.repeat(300) + 'FARNEEDLE' + 'y'.repeat(50);
let release: (() => void) | undefined;
let server: Loopback<Server>;

beforeAll(async () => {
  server = await httpServer((request, response) => {
    if (request.url === '/long') response.end(`short\n${longLine}\n`);
    else if (request.url === '/drip') {
      response.write('z'.repeat(5000));
      release = () => response.end('done');
    } else response.end(`${numbered}\nneedle one\nmiddle\nneedle two\n${request.url}\n`);
  });
});
afterAll(() => server.close());
afterEach(() => cleanup());

const at = (path: string, rest: Record<string, unknown> = {}) => ({
  focus: 'request' as const,
  rows: 30,
  request: {url: `${server.origin}${path}`, ...rest},
});

describe('the response area', () => {
  it('G shows the last screenful, n goes on to the next match, and a new response clears the search', async () => {
    const app = await renderApp(at('/a'));
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('line 0'), 'the body');
    await app.press('G');
    const bottom = await app.waitForScreen(
      (s) => s.includes('/a\n') || s.endsWith('/a'),
      'the end',
    );
    expect(bottom).toContain('needle two');
    expect(bottom).toContain('line 199');
    await app.press('g', '/', 'needle', keys.enter);
    await app.waitForScreen(
      (s) => s.includes('needle one') && !s.includes('line 0\n'),
      'first match',
    );
    await app.press('n');
    await app.waitForScreen((s) => s.includes('needle two'), 'the next match');
    expect(app.screen()).toContain('/needle (n next)');
    await app.press(keys.enter);
    await app.requests.settled();
    const fresh = await app.waitForScreen(
      (s) => s.includes('line 0'),
      'the new response from its top',
    );
    expect(fresh).not.toContain('/needle');
  });

  it('scrolls sideways to a match beyond the width, and wraps long lines with W', async () => {
    const app = await renderApp({...at('/long'), columns: 80});
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('short'), 'the body');
    expect(app.screen()).not.toContain('FARNEEDLE');
    await app.press('/', 'farneedle', keys.enter);
    await app.waitForScreen(
      (s) => s.includes('FARNEEDLE') && s.includes('→ col'),
      'scrolled to the match',
    );
    await app.press('g', 'W');
    await app.waitForScreen(
      (s) => s.includes('FARNEEDLE') && s.includes('short') && !s.includes('→ col'),
      'wrapped',
    );
    await app.press('W', '\u001B[C');
    await app.waitForScreen((s) => s.includes('→ col 41'), 'scrolled right by half a width');
  });

  it('shows the bytes so far and the rate while the body downloads', async () => {
    const app = await renderApp(at('/drip'));
    await app.press(keys.enter);
    const live = await app.waitForScreen((s) => s.includes('4.9 KiB so far'), 'the bytes so far');
    // The live transcript is tagged with its layers, as the transcript tab is.
    expect(live).toMatch(/^HTTP > Accept: \*\/\*$/m);
    expect(live).toMatch(/^HTTP < HTTP\/1\.1 200 OK$/m);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.waitForScreen((s) => /so far · [\d.]+ (B|KiB|MiB)\/s/.test(s), 'the rate');
    release?.();
    await app.waitForScreen((s) => s.includes('200 OK'), 'done');
  });

  it('shows response warnings under the status line, sanitized', async () => {
    const bad = await rawServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\nContent-Length: 2\r\n\r\nok'),
      );
    });
    const app = await renderApp({focus: 'request', request: {url: `${bad.origin}/`}});
    await app.press(keys.enter);
    const screen = await app.waitForScreen((s) => s.includes('200 OK'), 'the response');
    const warnings = app.store.getState().request.result?.response?.warnings ?? [];
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(screen).toContain(`⚠ ${warning.slice(0, 20)}`);
    expect(app.frames.join('')).not.toContain('\u0001');
    await bad.close();
  });
});

describe('copy as curl', () => {
  it('shows the command one option per line, masked on screen, real in the clipboard; r reveals', async () => {
    const copied: string[] = [];
    const app = await renderApp({
      ...at('/c', {headers: 'Authorization: Bearer sekrit-token\nX-A: 1', options: '-u bob:pw'}),
      controller: {copy: (text) => copied.push(text)},
    });
    await app.press('c');
    const screen = await app.waitForScreen((s) => s.includes('copied as curl'), 'the command');
    expect(screen).toContain(`curl ${server.origin}/c \\`);
    expect(screen).toContain("-H 'Authorization: Bearer ••••••••' \\");
    expect(screen).toContain("-u 'bob:••••'");
    expect(screen).not.toContain('sekrit-token');
    expect(screen).toContain('shown in the response area');
    expect(copied[0]).toContain("-H 'Authorization: Bearer sekrit-token'");
    expect(copied[0]).toContain('-u bob:pw');
    await app.press('r');
    await app.waitForScreen((s) => s.includes('sekrit-token'), 'revealed');
    await app.press('r');
    await app.waitForScreen((s) => !s.includes('sekrit-token'), 'masked again');
  });
});
