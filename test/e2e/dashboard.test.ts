/**
 * The built CLI in a real terminal (tmux): what a person sees and does, from launch to quit.
 * Needs `npm run build` first (npm test does it).
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {existsSync} from 'node:fs';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait.js';

const ready = hasTmux() && existsSync(cliPath);
let terminal: Terminal | undefined;
let server: http.Server | undefined;

afterEach(async () => {
  terminal?.close();
  terminal = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

beforeAll(() => {
  if (!ready) throw new Error('end-to-end tests need tmux and dist/cli.js (npm run build)');
});

function dashboardShown(screen: string): boolean {
  return screen.includes('Addresses') && screen.includes('Sockets') && screen.includes('porthole');
}

async function restored(term: Terminal, exitCode: string): Promise<string> {
  const screen = await term.waitForScreen(
    (s) => s.includes(`EXITED ${exitCode}`),
    `EXITED ${exitCode}`,
  );
  expect(term.format('#{alternate_on}')).toBe('0');
  expect(term.format('#{cursor_flag}')).toBe('1');
  expect(screen).not.toContain('▶ Addresses');
  // Raw mode is off again: the shell reads lines, with echo.
  term.type('stty -a | tr " " "\\n" | grep -x -e icanon -e echo | tr "\\n" " "; echo');
  term.keys('Enter');
  await term.waitForScreen((s) => /icanon echo|echo icanon/.test(s), 'cooked mode (icanon, echo)');
  return screen;
}

describe.runIf(process.platform === 'linux')('dashboard in a real terminal', () => {
  it('shows addresses and listeners, finds a new listener, sends it a request, and quits cleanly', async () => {
    server = http.createServer((_request, response) => response.end('hello from the test\n'));
    terminal = openTerminal(100, 30);
    terminal.runCli('--interval 200ms');
    // On a busy host the first frames may come before the interfaces are read: wait for them.
    const first = await terminal.waitForScreen(
      (s) => dashboardShown(s) && /127\.0\.0\.1\/8\s+loopback/.test(s),
      'the loopback address',
    );
    expect(first).toMatch(/127\.0\.0\.1\/8\s+loopback/);
    expect(terminal.format('#{alternate_on}')).toBe('1');

    await new Promise<void>((resolve) => server?.listen(0, '0.0.0.0', resolve));
    const {port} = server.address() as AddressInfo;
    // Filtered to the test's own port: on a busy host the new row may sort below the pane's end.
    terminal.keys('Tab');
    terminal.type('/');
    terminal.type(`:${port}`);
    terminal.keys('Enter');
    // Who can reach it, in words: this machine's farthest-reaching address (or the internet).
    const row = new RegExp(
      `0\\.0\\.0\\.0:${port}\\s.*\\s(internet|this host|[A-Za-z-]+ [\\d.:a-f]+)(\\s|$)`,
    );
    await terminal.waitForScreen(
      (s) => row.test(s) && s.includes(`/:${port}`) && s.includes('1-1 of 1'),
      'the new listener with its exposure',
      3000,
    );
    terminal.keys('Enter');
    const opened = await terminal.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    expect(opened).toContain(`http://127.0.0.1:${port}/`);
    terminal.keys('Enter');
    const answered = await terminal.waitForScreen((s) => s.includes('200 OK'), 'the response');
    expect(answered).toContain('hello from the test');

    terminal.type('?');
    await terminal.waitForScreen((s) => s.includes('Keys') && s.includes('quit'), 'the help');
    terminal.keys('Escape');
    await terminal.waitForScreen(
      (s) => !s.includes('close the help') && s.includes('▶ Request'),
      'the help to close',
    );

    terminal.type('q');
    await restored(terminal, '0');
  });

  it('keeps its layout through a resize to 60x15 and back', async () => {
    terminal = openTerminal(100, 30);
    terminal.runCli('--interval 200ms');
    await terminal.waitForScreen(dashboardShown, 'the first frame');
    terminal.resize(60, 15);
    const small = await terminal.waitForScreen(
      (s) => s.split('\n').length <= 16 && s.includes('Sockets') && s.includes('porthole'),
      'the small layout',
    );
    for (const line of small.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    terminal.resize(30, 8);
    await terminal.waitForScreen((s) => s.includes('need 40x10'), 'the too-small message');
    terminal.resize(100, 30);
    const big = await terminal.waitForScreen(
      (s) => dashboardShown(s) && /127\.0\.0\.1\/8\s+loopback/.test(s),
      'the full layout again',
    );
    expect(big.split('\n').filter((line) => line.startsWith('porthole'))).toHaveLength(1);
    terminal.keys('C-c');
    await restored(terminal, '0');
  });

  // Ctrl-Z was ignored: the dashboard could not be put in the background as a shell job.
  it('suspends on Ctrl-Z with the terminal restored, and fg draws it again as it was', async () => {
    terminal = openTerminal(100, 30);
    terminal.type(`env CI=false node ${cliPath} --interval 200ms`);
    terminal.keys('Enter');
    await terminal.waitForScreen(dashboardShown, 'the first frame');
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Sockets'), 'the Sockets pane focused');

    terminal.keys('C-z');
    await terminal.waitForScreen((s) => /Stopped/.test(s), 'the shell to say the job stopped');
    expect(terminal.format('#{alternate_on}')).toBe('0');
    expect(terminal.format('#{cursor_flag}')).toBe('1');
    terminal.type('stty -a | tr " " "\\n" | grep -x -e icanon -e echo | tr "\\n" " "; echo');
    terminal.keys('Enter');
    await terminal.waitForScreen(
      (s) => /icanon echo|echo icanon/.test(s),
      'cooked mode (icanon, echo)',
    );

    terminal.type('fg');
    terminal.keys('Enter');
    const resumed = await terminal.waitForScreen(
      (s) => dashboardShown(s) && s.includes('▶ Sockets'),
      'the dashboard drawn again, Sockets still focused',
    );
    expect(terminal.format('#{alternate_on}')).toBe('1');
    expect(resumed.split('\n').filter((line) => line.startsWith('porthole'))).toHaveLength(1);
    terminal.type('q');
    await terminal.waitForScreen((s) => s.trimEnd().endsWith('$'), 'the shell prompt again');
    terminal.type('echo EXITED $?');
    terminal.keys('Enter');
    await restored(terminal, '0');
  });

  it('says so on Ctrl-Z where no shell could resume it, and keeps running', async () => {
    terminal = openTerminal(100, 30);
    // The dashboard as the pane's own process: a session leader, with no job control above it.
    terminal.tmux(
      'respawn-pane',
      '-k',
      '-t',
      'main',
      `env CI=false node ${cliPath} --interval 200ms`,
    );
    await terminal.waitForScreen(dashboardShown, 'the first frame');
    // A key read means raw mode is on: before that, Ctrl-Z is the terminal's, not the dashboard's.
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Sockets'), 'the first key read');
    terminal.keys('C-z');
    await terminal.waitForScreen(
      (s) => s.includes('Ctrl-Z: no shell with job control to suspend to; q quits'),
      'the notice',
    );
    expect(terminal.format('#{alternate_on}')).toBe('1');
    terminal.keys('Tab');
    await terminal.waitForScreen((s) => s.includes('▶ Request'), 'keys still working');
    terminal.type('q');
    // q ends it (tmux 3.3 does not always report a dead pane's exit status; other tests check it).
    await waitFor(() => terminal?.format('#{pane_dead}') === '1', 'q to end the dashboard');
  });

  it.each([
    ['SIGTERM', '143'],
    ['SIGHUP', '129'],
  ] as const)('restores the terminal when killed with %s', async (signal, code) => {
    terminal = openTerminal(100, 30);
    terminal.runCli('--interval 200ms');
    await terminal.waitForScreen(dashboardShown, 'the first frame');
    process.kill(await terminal.pid(), signal);
    await restored(terminal, code);
  });
});
