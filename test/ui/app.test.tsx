import {applyHostPatch} from '../../source/store/store.js';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {keys, renderApp} from '../helpers/render-app.js';

afterEach(() => cleanup());

const focusedPane = (screen: string) => /▶ (\w+)/.exec(screen)?.[1];

describe('dashboard shell', () => {
  it('shows the host, counts and the poll interval in the header', async () => {
    const app = await renderApp({intervalMs: 2000});
    const header = app.screen().split('\n')[0] ?? '';
    expect(header).toContain('porthole testhost');
    expect(header).toContain('3 interfaces');
    expect(header).toContain('5 listening / 7 sockets');
    expect(header).toContain('every 2s');
  });

  it('moves the focus with Tab and Shift-Tab, and the footer follows', async () => {
    const app = await renderApp();
    expect(focusedPane(app.screen())).toBe('Addresses');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Sockets', 'Sockets focused');
    expect(app.screen()).toContain('/ filter');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Request', 'Request focused');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Addresses', 'back to Addresses');
    await app.press(keys.shiftTab);
    await app.waitForScreen((s) => focusedPane(s) === 'Request', 'Shift-Tab goes back');
  });

  it('opens the help with ? listing every binding, and closes it with Esc', async () => {
    const app = await renderApp({rows: 60, columns: 160});
    await app.press('?');
    const help = await app.waitForScreen((s) => s.includes('Keys'), 'the help');
    for (const text of [
      'quit',
      'focus the next pane',
      'pause or resume polling',
      'filter by port',
      'copy as curl',
    ]) {
      expect(help).toContain(text);
    }
    await app.press(keys.escape);
    await app.waitForScreen(
      (s) => !s.includes('focus the next pane') && s.includes('Addresses'),
      'help closed',
    );
  });

  it('pauses and resumes polling with p', async () => {
    const app = await renderApp();
    await app.press('p');
    await app.waitForScreen((s) => s.includes('PAUSED'), 'the paused marker');
    expect(app.store.getState().paused).toBe(true);
    await app.press('p');
    await app.waitForScreen((s) => !s.includes('PAUSED'), 'the marker gone');
  });

  it('quits with q: the app unmounts and draws no more', async () => {
    const app = await renderApp();
    await app.press('q');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frames = app.frames.length;
    applyHostPatch(app.store, 'local', {name: 'changed-after-quit'});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.frames.length).toBe(frames);
    expect(app.screen()).not.toContain('changed-after-quit');
  });

  // It had two wordings: "too small: need 40x10" and "terminal too small (need 40x10)".
  it('asks for a bigger terminal below the minimum size in one wording, and comes back after', async () => {
    const app = await renderApp();
    app.resize(30, 8);
    await app.waitForScreen(
      (s) => s.trim() === 'terminal too small: need 40x10',
      'the full message',
    );
    app.resize(25, 30);
    await app.waitForScreen((s) => s.trim() === 'too small: need 40x10', 'the short message');
    app.resize(20, 5);
    await app.waitForScreen((s) => s.trim() === 'need 40x10', 'the shortest message');
    app.resize(80, 24);
    await app.waitForScreen((s) => s.includes('Addresses'), 'the dashboard again');
  });

  it('never draws more rows than the terminal has, nor wider lines', async () => {
    for (const [columns, rows] of [
      [80, 24],
      [200, 60],
      [40, 10],
      [60, 15],
    ] as const) {
      const app = await renderApp({columns, rows});
      const fits = (s: string) =>
        s.split('\n').length <= rows - 1 && s.split('\n').every((line) => line.length <= columns);
      await app.waitForScreen(
        (s) => fits(s) && s.includes('Sockets'),
        `a ${columns}x${rows} frame`,
      );
      applyHostPatch(app.store, 'local', {name: `resized-${columns}`});
      const screen = await app.waitForScreen(
        (s) => s.includes(`resized-${columns}`),
        'a later frame',
      );
      expect(fits(screen)).toBe(true);
      cleanup();
    }
  });
});

describe('addresses pane', () => {
  it('labels every address with its kind and marks the default route', async () => {
    const app = await renderApp();
    const screen = app.screen();
    expect(screen).toMatch(/eth0\s+up default\s+192\.168\.1\.20\/24\s+private/);
    expect(screen).toMatch(/2001:db8::20\/64\s+reserved/);
    expect(screen).toMatch(/lo\s+up\s+127\.0\.0\.1\/8\s+loopback/);
    expect(screen).toMatch(/wg0\s+down\s+no address/);
  });

  it('shows "—" for rates until two samples exist, then the rate', async () => {
    const app = await renderApp();
    expect(app.screen()).toMatch(/loopback\s+—\s+—/);
    applyHostPatch(app.store, 'local', {
      traffic: {
        eth0: {
          rx: 10,
          tx: 20,
          rxRate: 2048,
          txRate: 512,
          rxHistory: [1, 2048],
          txHistory: [1, 512],
        },
      },
    });
    await app.waitForScreen((s) => s.includes('2.0 KiB/s') && s.includes('512 B/s'), 'the rates');
  });

  it('keeps the last good data and says what went wrong when its collector fails', async () => {
    const app = await renderApp();
    applyHostPatch(app.store, 'local', {
      health: {interfaces: {error: 'cannot read /sys/class/net: EACCES', since: Date.now()}},
    });
    const screen = await app.waitForScreen((s) => s.includes('stale'), 'the stale marker');
    expect(screen).toContain('stale: cannot read /sys/class/net: EACCES');
    expect(screen).toContain('192.168.1.20/24');
  });

  it('shows escape sequences in interface names as text, never raw', async () => {
    const app = await renderApp({
      interfaces: [
        {
          name: 'ev\u001B]0;pwned\u0007il\u001B[2J',
          up: true,
          mac: null,
          mtu: 1500,
          speed: null,
          defaultRoute: false,
          addresses: [],
        },
      ],
    });
    const screen = app.screen();
    expect(screen).toContain('ev^[]0;pw');
    expect(app.frames.join('')).not.toContain('\u001B]0;pwned');
    expect(app.frames.join('')).not.toContain('\u001B[2J');
  });
});
