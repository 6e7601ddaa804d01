/**
 * Hostile text in a real terminal (tmux): a server and a process name that carry escape sequences
 * to set the title, clear the screen, move the cursor and write the clipboard. Each terminal is
 * first shown to obey those sequences when they are written raw, so every check here can fail.
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import type {Server} from 'node:net';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';
import {rawServer, readRequestHead, type Loopback} from '../helpers/servers.js';
import {waitFor} from '../helpers/wait.js';

const ready = hasTmux() && existsSync(cliPath);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-hostile-'));
const cliEnv = {XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch};
const execFileAsync = promisify(execFile);
const runCli = (args: string[]) =>
  execFileAsync(process.execPath, [cliPath, ...args], {
    env: {...process.env, CI: 'false', ...cliEnv},
    maxBuffer: 64 * 1024 * 1024,
  });

let terminal: Terminal | undefined;
let child: ChildProcess | undefined;
let hostile: Loopback<Server>;

const bytes = (...values: number[]) => Buffer.from(values);

/** A body that is mostly ordinary words (so it is shown as text), with escapes on every line. */
const hostileBody = Buffer.concat([
  Buffer.from('an ordinary first line of words, as any page would start with\n'),
  Buffer.from('title \u001B]0;PWNED\u0007 \u001B]2;PWNED\u0007 end\n'),
  Buffer.from('clear \u001B[2J move \u001B[10;10H end\n'),
  Buffer.from('clip \u001B]52;c;aGk=\u0007 end\n'),
  // C1 controls spelt in UTF-8 (U+009B CSI, U+009D OSC), then as raw bytes, then broken UTF-8.
  Buffer.from('c1 '),
  bytes(0xc2, 0x9b),
  Buffer.from('31m '),
  bytes(0xc2, 0x9d),
  Buffer.from('0;PWNED end\n'),
  Buffer.from('raw '),
  bytes(0x9b),
  Buffer.from('31m '),
  bytes(0x9d),
  Buffer.from(' bad '),
  bytes(0xff, 0xfe, 0xc3),
  Buffer.from(' end\n'),
  Buffer.from('and a last line of ordinary words so that the body reads as text\n'),
]);

/** What the body must look like on screen: every control visible and inert. */
const safeBodyLines = [
  'title ^[]0;PWNED^G ^[]2;PWNED^G end',
  'clear ^[[2J move ^[[10;10H end',
  'clip ^[]52;c;aGk=^G end',
  'c1 \\x9b31m \\x9d0;PWNED end',
  'raw \uFFFD31m \uFFFD bad \uFFFD\uFFFD\uFFFD end',
];

const safeStatus = '200 OK ^[]0;PWNED^G^[]2;PWNED^G^[[2J';

function hostileResponse(): Buffer {
  return Buffer.concat([
    // Node's HTTP parser takes ESC in the reason phrase, so it reaches the screen from there.
    Buffer.from('HTTP/1.1 200 OK \u001B]0;PWNED\u0007\u001B]2;PWNED\u0007\u001B[2J\r\n'),
    // It refuses ESC, BEL and other C0 bytes in header values ("Invalid header value char"),
    // so a header can carry only C1 bytes and other obs-text, which it hands on as latin1.
    Buffer.from('X-C1: a'),
    bytes(0x9b),
    Buffer.from('2J'),
    bytes(0x9d),
    Buffer.from('0;PWNED b\r\n'),
    Buffer.from(`Content-Type: text/plain\r\nContent-Length: ${hostileBody.length}\r\n\r\n`),
    hostileBody,
  ]);
}

beforeAll(async () => {
  if (!ready) throw new Error('end-to-end tests need tmux and dist/cli.js (npm run build)');
  hostile = await rawServer((socket) => {
    void readRequestHead(socket).then((head) => {
      if (head.startsWith('GET /esc-header ')) {
        socket.end('HTTP/1.1 200 OK\r\nX-Evil: \u001B]2;PWNED\u0007\r\nContent-Length: 0\r\n\r\n');
      } else {
        socket.end(hostileResponse());
      }
    });
  });
});

afterEach(() => {
  terminal?.close();
  terminal = undefined;
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid);
  child = undefined;
});

afterAll(async () => {
  await hostile?.close();
  rmSync(scratch, {recursive: true, force: true});
});

const title = () => terminal?.format('#{pane_title}') ?? '';
const buffers = (term: Terminal) => term.tmux('list-buffers').trim();

/**
 * A terminal whose title and clipboard are watched: it is first shown that raw OSC 2 changes the
 * pane title, OSC 52 fills a tmux buffer and CSI 2 J clears the screen. Then the title is set to
 * "before", the buffers emptied and the screen cleared.
 */
async function watchedTerminal(columns: number, rows: number): Promise<Terminal> {
  const term = openTerminal(columns, rows);
  term.tmux('set-option', '-g', 'set-clipboard', 'on');
  term.tmux('select-pane', '-t', 'main', '-T', 'before');
  term.type("echo visible-mark; printf '\\033]2;PWNED\\007\\033]52;c;aGk=\\007'");
  term.keys('Enter');
  await waitFor(() => term.format('#{pane_title}') === 'PWNED', 'raw OSC 2 to set the title');
  await waitFor(() => buffers(term) !== '', 'raw OSC 52 to fill a buffer');
  term.type("printf '\\033[2J'");
  term.keys('Enter');
  await term.waitForScreen((s) => !s.includes('visible-mark'), 'raw CSI 2 J to clear the screen');
  term.tmux('delete-buffer');
  term.tmux('select-pane', '-t', 'main', '-T', 'before');
  expect(term.format('#{pane_title}')).toBe('before');
  expect(buffers(term)).toBe('');
  return term;
}

function expectUntouched(term: Terminal) {
  expect(term.format('#{pane_title}')).toBe('before');
  expect(buffers(term)).toBe('');
}

describe.runIf(process.platform === 'linux')('hostile text in a real terminal', () => {
  it('shows a hostile response in the Request pane as visible text, title and screen untouched', async () => {
    terminal = await watchedTerminal(100, 34);
    terminal.runCli(`--url ${hostile.origin}/ --interval 500ms`, cliEnv);
    await terminal.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    terminal.keys('Enter');
    // On a busy machine the send waits for a poll in progress to finish (it is timed alone).
    const body = await terminal.waitForScreen(
      (s) => s.includes(`${safeStatus} · success`),
      'the response',
      20_000,
    );
    expect(title()).toBe('before');
    for (const line of safeBodyLines) expect(body).toContain(line);
    // Nothing cleared the screen or moved the cursor: the whole dashboard is where it belongs.
    expect(body.split('\n')[0]).toMatch(/^porthole/);
    expect(body).toContain('Addresses');
    expect(body).toContain('Sockets');
    expect(body).toMatch(/an ordinary first line of words/);

    terminal.type('v');
    const headers = await terminal.waitForScreen((s) => s.includes('X-C1: '), 'the headers tab');
    expect(headers).toContain('X-C1: a\\x9b2J\\x9d0;PWNED b');
    expect(headers).toContain(`HTTP/1.1 ${safeStatus}`);
    // Past timing and tls to the transcript.
    terminal.type('vvv');
    const transcript = await terminal.waitForScreen(
      (s) => s.includes('< HTTP/1.1'),
      'the transcript tab',
    );
    expect(transcript).toContain(`< HTTP/1.1 ${safeStatus}`);
    expect(transcript).toContain('< X-C1: a\\x9b2J\\x9d0;PWNED b');
    expectUntouched(terminal);

    terminal.type('q');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the dashboard to quit');
    expectUntouched(terminal);
  }, 45_000);

  it('prints a hostile response made safe with `porthole request` on a terminal', async () => {
    terminal = await watchedTerminal(100, 40);
    terminal.type('echo before-the-request');
    terminal.keys('Enter');
    terminal.runCli(`request -v ${hostile.origin}/`, cliEnv);
    const screen = await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the request');
    for (const line of safeBodyLines) expect(screen).toContain(line);
    expect(screen).toContain(`< HTTP/1.1 ${safeStatus}`);
    expect(screen).toContain('< X-C1: a\\x9b2J\\x9d0;PWNED b');
    // Not cleared, and the cursor not sent to row 10: the lines stay in order.
    const lines = screen.split('\n');
    const mark = lines.findIndex((line) => line === 'before-the-request');
    const firstBodyLine = lines.findIndex((line) => line.startsWith('title ^[]0;PWNED'));
    expect(mark).toBeGreaterThanOrEqual(0);
    expect(firstBodyLine).toBeGreaterThan(mark);
    expectUntouched(terminal);

    // A header value with ESC is shown, as curl shows it, made safe and named in a warning.
    terminal.type('clear');
    terminal.keys('Enter');
    terminal.runCli(`request -i ${hostile.origin}/esc-header`, cliEnv);
    const shown = await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the response');
    expect(shown).toContain('X-Evil: ^[]2;PWNED^G');
    expect(shown).toContain(
      'porthole: warning: header X-Evil: value has a control character (0x1b)',
    );
    expectUntouched(terminal);
  });

  it('shows a process whose name is an escape sequence made safe, in the dashboard and snapshots', async () => {
    // A process may rename itself (up to 15 bytes) through /proc/self/comm.
    const script = `
      require('node:fs').writeFileSync('/proc/self/comm', '\\x1b]2;PWNED\\x07');
      const server = require('node:net').createServer();
      server.listen(0, '127.0.0.1', () => console.log(server.address().port));
      setTimeout(() => process.exit(0), 60000);`;
    const started = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'pipe', 'inherit']});
    child = started;
    const port = await new Promise<number>((resolve, reject) => {
      started.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      started.once('exit', (code) => reject(new Error(`the named process exited (${code})`)));
    });
    expect(port).toBeGreaterThan(0);

    const json = await runCli(['--json']);
    const listed = (
      JSON.parse(json.stdout) as {sockets: Array<{localPort: number; process: string | null}>}
    ).sockets.find((socket) => socket.localPort === port);
    expect(listed?.process).toBe('\u001B]2;PWNED\u0007');
    const plain = await runCli([]);
    expect(plain.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} .*\\^\\[\\]2;PWNED\\^G`));
    expect(plain.stdout).not.toContain('\u001B');

    terminal = await watchedTerminal(120, 30);
    terminal.runCli('--interval 300ms', cliEnv);
    await terminal.waitForScreen((s) => s.includes('Sockets'), 'the dashboard');
    terminal.keys('Tab');
    terminal.type('/');
    terminal.type(`:${port}`);
    terminal.keys('Enter');
    const row = new RegExp(`127\\.0\\.0\\.1:${port}\\s.*\\^\\[\\]2;PWNED\\^G ${started.pid}`);
    const screen = await terminal.waitForScreen((s) => row.test(s), 'the row with the safe name');
    expect(screen.split('\n')[0]).toMatch(/^porthole/);
    expectUntouched(terminal);
    terminal.type('q');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the dashboard to quit');
    expectUntouched(terminal);
  });

  it('keeps running through keys it cannot name, and keeps emoji whole under the caret and in the filter', async () => {
    terminal = openTerminal(100, 30);
    // In colour, so that the caret is drawn in inverse video, apart from the text around it.
    terminal.runCli('--url http://127.0.0.1:9/ --interval 500ms', {...cliEnv, FORCE_COLOR: '1'});
    await terminal.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    // Ctrl+F1 arrives as ESC [1;5P, which Ink cannot name; so does a pasted ESC [6n.
    terminal.keys('C-F1');
    terminal.type('e');
    terminal.type('a\u{1F44D}\u{1F1EF}\u{1F1F5}\u001B[6nb');
    terminal.keys('Left', 'Left', 'Left');
    // Z lands at the caret, which then sits on the flag's first half.
    terminal.type('Z');
    const editing = await terminal.waitForScreen((s) => s.includes('Z'), 'Z typed at the caret');
    expect(editing).toContain('http://127.0.0.1:9/a\u{1F44D}Z\u{1F1EF}\u{1F1F5}b');
    expect(editing).not.toContain('\uFFFD');

    terminal.keys('Escape');
    await terminal.waitForScreen((s) => s.includes('› URL'), 'editing to end');
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Addresses'), 'Tab to move the focus');
    terminal.keys('Tab');
    terminal.type('/');
    terminal.type(`x${'\u{1F44D}'.repeat(60)}y`);
    const filtered = await terminal.waitForScreen(
      (s) => s.includes('\u{1F44D}y▏'),
      'the end of the filter',
    );
    expect(filtered).not.toContain('\uFFFD');
    terminal.keys('Escape');
    await terminal.waitForScreen((s) => !s.includes('y▏'), 'the filter to clear');
    terminal.type('q');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'the dashboard to quit');
  });
});
