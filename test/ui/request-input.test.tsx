/** Typing and pasting into the Request pane: one line editor everywhere, pastes as terminals send them. */
import type {Server} from 'node:http';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {keys, renderApp} from '../helpers/render-app.js';

let server: Loopback<Server>;
beforeAll(async () => {
  server = await httpServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () =>
      response.end(
        `${request.method} ${request.url} ua=${request.headers['user-agent'] ?? '-'} auth=${request.headers.authorization ?? '-'} x=${String(request.headers['x-a'] ?? '-')} body=${body || '-'}`,
      ),
    );
  });
});
afterAll(() => server.close());
afterEach(() => cleanup());

const ctrl = (letter: string) => String.fromCharCode(letter.charCodeAt(0) - 96);
const alt = (letter: string) => `\u001B${letter}`;
const bracketed = (text: string) => `\u001B[200~${text}\u001B[201~`;
const urlLine = (screen: string) => screen.split('\n').find((line) => line.includes(' URL ')) ?? '';

describe('the line editor', () => {
  it('moves and deletes by readline keys in the URL field', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('e', 'http://a.test/one two');
    await app.press(alt('b'), ctrl('k'));
    await app.waitForScreen(
      (s) => urlLine(s).includes('http://a.test/one') && !urlLine(s).includes('two'),
      'Ctrl-K after Alt-B',
    );
    await app.press(ctrl('a'), ctrl('d'), ctrl('f'), 'X', ctrl('e'), 'end');
    await app.waitForScreen(
      (s) => urlLine(s).includes('tXtp://a.test/one end'),
      'start, delete, forward, end',
    );
    await app.press(ctrl('w'));
    await app.waitForScreen(
      (s) => urlLine(s).includes('tXtp://a.test/one') && !urlLine(s).includes('end'),
      'Ctrl-W',
    );
    await app.press(alt('b'), alt('b'), alt('f'), ctrl('u'));
    await app.waitForScreen((s) => /URL {5}\/one/.test(urlLine(s)), 'Ctrl-U to the line start');
  });

  it('shows the editing keys in the footer while a field is edited', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('e');
    const screen = await app.waitForScreen((s) => s.includes('^A start'), 'the editing keys');
    expect(screen).toContain('^E end');
    expect(screen).toContain('M-b word←');
    expect(screen).toContain('^K del→');
  });

  it('edits the Sockets filter with the same keys', async () => {
    const app = await renderApp({focus: 'sockets'});
    await app.press('/', 'sshd', ctrl('a'), ctrl('d'), ctrl('e'), 'x');
    await app.waitForScreen((s) => s.includes('/shdx'), 'the filter edited mid-line');
    await app.press(ctrl('a'), ctrl('k'));
    await app.waitForScreen((s) => !s.includes('/shdx'), 'the filter cleared to its end');
  });
});

describe('the Options field', () => {
  it('sends every curl option typed there', async () => {
    const app = await renderApp({focus: 'request', request: {url: `${server.origin}/o`}});
    await app.press('j', 'j', 'j', 'e', "-A 'probe/1' --url-query q=1", keys.enter);
    await app.waitForScreen((s) => s.includes('GET /o?q=1 ua=probe/1'), 'the options sent');
  });

  it('asks for the password of -u without one, masked; Esc cancels and keeps the form', async () => {
    const app = await renderApp({
      focus: 'request',
      request: {url: `${server.origin}/p`, options: '-u bob'},
    });
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('password for bob:'), 'the prompt');
    await app.press('s', 'e', 'q', 'r', 'e', 't');
    const typed = await app.waitForScreen((s) => s.includes('••••••▏'), 'masked typing');
    expect(typed).not.toContain('seqret');
    expect(typed).toContain('porthole'); // q typed at the prompt does not quit
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('auth=Basic Ym9iOnNlcXJldA=='), 'sent with it');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('password for bob:'), 'asked again');
    await app.press(keys.escape);
    await app.waitForScreen((s) => s.includes('not sent'), 'cancelled with a note');
    expect(app.screen()).toContain('-u bob');
  });
});

describe('pasting', () => {
  it('fills the form from a bracketed multi-line paste with CR line ends, noting what it ignores', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('e');
    await app.press(
      bracketed(
        `curl -s -o out.txt -X PUT '${server.origin}/put' \\\r  -H 'X-A: 1' \\\r  --data-raw 'v=2'\r`,
      ),
    );
    const screen = await app.waitForScreen(
      (s) => s.includes('form filled from the pasted curl command'),
      'the form filled',
    );
    expect(screen).toMatch(/Method {2}PUT/);
    expect(screen).toContain(`${server.origin}/put`);
    expect(screen).toContain('Headers X-A: 1');
    expect(screen).toContain('Body    v=2');
    expect(screen).toContain("ignored here (they shape curl's own output): -s -o out.txt");
    await app.press(keys.enter);
    await app.waitForScreen(
      (s) => s.includes('PUT /put ua=curl') || s.includes('PUT /put ua='),
      'sent',
    );
    expect(app.screen()).toContain('x=1 body=v=2');
  });

  it('fills the form from a paste where no field is edited', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press(bracketed(`curl '${server.origin}/anywhere' -H 'X-A: 2'`));
    await app.waitForScreen((s) => s.includes('Headers X-A: 2'), 'the form filled');
  });

  it('keeps a paste it cannot read in the field, newlines as spaces, with the reason beside it', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('e', bracketed(`curl '${server.origin}/x\rmore`));
    const screen = await app.waitForScreen((s) => s.includes('✗ not read as curl'), 'the reason');
    expect(urlLine(screen)).toContain(`curl '${server.origin}/x more`);
  });

  it('pastes plain text (no markers) with CR line ends into the URL field without losing it', async () => {
    const app = await renderApp({focus: 'request'});
    await app.press('e', `curl '${server.origin}/plain' \\\r  -H 'X-A: 3'\r`);
    await app.waitForScreen((s) => s.includes('Headers X-A: 3'), 'the form filled');
  });
});
