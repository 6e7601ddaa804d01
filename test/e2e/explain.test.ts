/**
 * The explain panel in a real terminal at 80x24, on a listener the test opens itself (filtered to
 * its port, so other listeners on a busy host do not matter). Needs `npm run build` first.
 */
import net from 'node:net';
import {existsSync} from 'node:fs';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath, hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

const ready = hasTmux() && existsSync(cliPath);
let terminal: Terminal | undefined;
let server: net.Server | undefined;

beforeAll(() => {
  if (!ready) throw new Error('end-to-end tests need tmux and dist/cli.js (npm run build)');
});

afterEach(async () => {
  terminal?.close();
  terminal = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe.runIf(process.platform === 'linux')('explain panel in a real terminal', () => {
  it('explains a loopback listener at 80x24: LISTEN and its queues, reach this host; Esc closes', async () => {
    server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', 7, resolve));
    const {port} = server.address() as net.AddressInfo;
    terminal = openTerminal(80, 24);
    terminal.runCli('--interval 200ms');
    await terminal.waitForScreen(
      (s) => s.includes('Sockets') && s.includes('porthole'),
      'the dashboard',
    );
    terminal.keys('Tab');
    terminal.type('/');
    terminal.type(`:${port}`);
    terminal.keys('Enter');
    await terminal.waitForScreen(
      (s) => s.includes(`127.0.0.1:${port}`) && s.includes('1-1 of 1'),
      'the test listener alone',
      10_000,
    );
    terminal.type('i');
    const panel = await terminal.waitForScreen(
      (s) => s.includes('Explain · Esc closes'),
      'the explain panel',
    );
    expect(panel).toContain(`tcp 127.0.0.1:${port} LISTEN`);
    expect(panel).toContain('reach: this host');
    expect(panel).toContain('queues: 0 waiting of a backlog of 7');
    expect(panel).toMatch(/Esc close · ↑\/↓ scroll/);
    // Nothing scrolled the header off: it is still on the first row, the footer the last drawn.
    const lines = panel.replace(/\n+$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toContain('porthole');
    expect(lines.at(-1)).toContain('Esc close');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(panel).toContain('From elsewhere, go through ssh -L.');
    // What LISTEN means comes last: ↓ scrolls to it when the panel is longer than the room.
    for (let step = 0; step < 10; step++) terminal.keys('Down');
    await terminal.waitForScreen(
      (s) => s.includes('Waiting for connections.') && s.includes('RFC 9293 §3.3.2'),
      'scrolled to the state',
    );
    terminal.keys('Escape');
    await terminal.waitForScreen(
      (s) => !s.includes('Explain · Esc closes') && s.includes(`127.0.0.1:${port}`),
      'the Sockets pane back',
    );
    terminal.keys('C-c');
    await terminal.waitForScreen((s) => s.includes('EXITED 0'), 'EXITED 0');
  });
});
