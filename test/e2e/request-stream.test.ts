/**
 * A WebSocket in the built dashboard in a real terminal (tmux) at 80x24: opened from --url in the
 * Request pane, its pushed messages shown as they arrive, then quit with the terminal restored.
 * Needs `npm run build` first (npm test does it).
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';
import {startWsServer, type WsFixture} from '../helpers/ws-server.js';

const ready = hasTmux() && existsSync(cliPath);
let terminal: Terminal | undefined;
let server: WsFixture | undefined;
let state: string | undefined;

beforeAll(() => {
  if (!ready) throw new Error('end-to-end tests need tmux and dist/cli.js (npm run build)');
});

afterEach(async () => {
  terminal?.close();
  terminal = undefined;
  await server?.close();
  server = undefined;
  if (state) rmSync(state, {recursive: true, force: true});
  state = undefined;
});

describe.runIf(process.platform === 'linux')('a WebSocket in a real terminal', () => {
  it('opens ws://…/push in the Request pane at 80x24, shows the messages as they come, and quits cleanly', async () => {
    server = await startWsServer();
    state = mkdtempSync(path.join(os.tmpdir(), 'porthole-e2e-state-'));
    terminal = openTerminal(80, 24);
    terminal.runCli(`--interval 500ms --url "${server.url}/push?n=400&everyMs=100"`, {
      XDG_STATE_HOME: state,
    });
    await terminal.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    terminal.keys('Enter');
    const first = await terminal.waitForScreen(
      (s) => s.includes('101 Switching') && /\{"n":[3-9]\}/.test(s),
      'the handshake and the first messages',
      10_000,
    );
    expect(first).toMatch(/^open · ↓ \d+ msgs/m);
    expect(first).toMatch(/← text +7 B {2}\{/);
    expect(first).toContain('message›');
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // Still arriving: a later count on a later screen.
    const count = (screen: string) => Number(/↓ (\d+) msgs/.exec(screen)?.[1] ?? 0);
    const later = await terminal.waitForScreen(
      (s) => count(s) >= count(first) + 3,
      'more messages',
      10_000,
    );
    expect(later.split('\n').length).toBeLessThanOrEqual(25);

    // Esc leaves the message line (q would be typed there), q quits.
    terminal.keys('Escape');
    await terminal.waitForScreen((s) => s.includes('x close'), 'the stream keys in the footer');
    terminal.type('q');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'EXITED 0');
    expect(terminal.format('#{alternate_on}')).toBe('0');
    expect(terminal.format('#{cursor_flag}')).toBe('1');
  });
});
