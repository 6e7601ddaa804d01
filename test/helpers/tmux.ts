/** A real terminal for end-to-end tests: a private tmux server running a shell. */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {waitFor} from './wait.js';

let sessions = 0;

export const cliPath = path.resolve(import.meta.dirname, '../../dist/cli.js');

export type Terminal = {
  /** The screen as text, one string per row. */
  screen(): string;
  /** The screen and every line scrolled off above it (tmux keeps 2,000). */
  scrollback(): string;
  /** Types text literally. */
  type(text: string): void;
  /** Sends tmux key names: 'Tab', 'BTab', 'Enter', 'Escape', 'C-c', 'Down', ... */
  keys(...names: string[]): void;
  /** A tmux format value: '#{alternate_on}', '#{pane_title}', '#{cursor_flag}'. */
  format(format: string): string;
  resize(columns: number, rows: number): void;
  /** Any other tmux command on this terminal's server: `set-option`, `list-buffers`, ... */
  tmux(...args: string[]): string;
  waitForScreen(
    test: (screen: string) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<string>;
  /** The pid written by `runCli`, once it is running. */
  pid(): Promise<number>;
  /** Starts the built CLI in the shell (its pid recorded), echoing EXITED <code> when it ends. */
  runCli(args: string, env?: Record<string, string>): void;
  close(): void;
};

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

export function openTerminal(columns = 100, rows = 30): Terminal {
  const socket = `porthole-test-${process.pid}-${++sessions}`;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-tmux-'));
  const pidFile = path.join(scratch, 'pid');
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], {encoding: 'utf8'});
  tmux(
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    String(columns),
    '-y',
    String(rows),
    'env',
    'PS1=$ ',
    'TERM=xterm-256color',
    'sh',
  );
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  const paneTty = tmux('display-message', '-p', '-t', 'main', '#{pane_tty}').trim();
  /**
   * Set by `runCli`: the first key sent after it waits until the CLI reads keys one by one (the
   * terminal out of canonical mode), or has ended. A key typed before that is cooked by the line
   * discipline (Enter arrives as LF, not CR) and a busy machine can leave that window open.
   */
  let starting = false;
  const waitUntilReadingKeys = () => {
    if (!starting) return;
    starting = false;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const mode = execFileSync('stty', ['-F', paneTty, '-a'], {encoding: 'utf8'});
      if (/(^|\s)-icanon(\s|$)/.test(mode)) return;
      if (/^EXITED \d+$/m.test(tmux('capture-pane', '-p', '-t', 'main'))) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  };
  const terminal: Terminal = {
    screen: () => tmux('capture-pane', '-p', '-t', 'main'),
    scrollback: () => tmux('capture-pane', '-p', '-S', '-', '-t', 'main'),
    type(text) {
      waitUntilReadingKeys();
      tmux('send-keys', '-t', 'main', '-l', text);
    },
    keys(...names) {
      waitUntilReadingKeys();
      tmux('send-keys', '-t', 'main', ...names);
    },
    format: (format) => tmux('display-message', '-p', '-t', 'main', format).trim(),
    resize: (c, r) => void tmux('resize-window', '-t', 'main', '-x', String(c), '-y', String(r)),
    tmux,
    async waitForScreen(test, what, timeoutMs = 8000) {
      let last = '';
      try {
        await waitFor(() => test((last = terminal.screen())), what, timeoutMs);
      } catch (error) {
        throw new Error(`${(error as Error).message}; the screen was:\n${last}`);
      }
      return last;
    },
    async pid() {
      let pid = 0;
      await waitFor(() => {
        try {
          pid = Number(readFileSync(pidFile, 'utf8').trim());
        } catch {
          pid = 0;
        }
        return pid > 0;
      }, 'the CLI to start');
      return pid;
    },
    runCli(args, env = {}) {
      const assignments = Object.entries({CI: 'false', ...env})
        .map(([name, value]) => `${name}="${value}"`)
        .join(' ');
      const line = `sh -c 'echo $$ > ${pidFile}; exec env ${assignments} node ${cliPath} ${args}'; echo EXITED $?`;
      terminal.type(line);
      terminal.keys('Enter');
      starting = true;
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      rmSync(scratch, {recursive: true, force: true});
    },
  };
  return terminal;
}
