import {applyHostPatch} from '../../source/store/store.js';
import {socketChangesOf} from '../../source/collect/collectors.js';
import chalk from 'chalk';
import {afterEach, describe, expect, it, onTestFinished} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {trackSocketChanges} from '../../source/collect/sockets/changes.js';
import {fixtureSockets, keys, renderApp, socket} from '../helpers/render-app.js';

afterEach(() => cleanup());

const socketsFocused = {focus: 'sockets' as const};
const tableRows = (screen: string) =>
  screen.split('\n').filter((line) => /^\s*[+-]?\s*(tcp|udp)6?\s/.test(line));

describe('sockets pane', () => {
  it('shows listeners by default, like ss -l, with exposure in words', async () => {
    const app = await renderApp(socketsFocused);
    const screen = app.screen();
    expect(screen).toMatch(
      /tcp\s+LISTEN\s+0\s+128\s+0\.0\.0\.0:22\s+ssh\s+all interfaces.*sshd 10/,
    );
    expect(screen).toMatch(/127\.0\.0\.1:5432\s+postgresql\s+local only/);
    expect(screen).toMatch(/tcp6\s+LISTEN.*\[::1\]:6379\s+redis\s+local only/);
    expect(screen).toMatch(/192\.168\.1\.20:8080.*eth0 only/);
    expect(screen).toMatch(/udp\s+UNCONN.*0\.0\.0\.0:53\s+dns\s+all interfaces/);
    expect(screen).not.toContain('ESTAB  ');
    expect(screen).not.toMatch(/TIME-WAIT\s+\d+\s+\d+/);
    expect(tableRows(screen)).toHaveLength(5);
  });

  it('counts sockets per state on the summary line', async () => {
    const app = await renderApp(socketsFocused);
    expect(app.screen()).toContain('LISTEN 4 · ESTAB 1 · TIME-WAIT 1 · UNCONN 1');
  });

  it('shows every state after a, and only exposed listeners after x', async () => {
    const app = await renderApp(socketsFocused);
    await app.press('a');
    await app.waitForScreen((s) => tableRows(s).length === 7, 'all seven sockets');
    expect(app.screen()).toMatch(/ESTAB.*192\.168\.1\.7:50123/);
    await app.press('a', 'x');
    await app.waitForScreen((s) => tableRows(s).length === 2, 'the two exposed listeners');
    for (const row of tableRows(app.screen())) expect(row).toContain('all interfaces');
  });

  it('toggles TCP, UDP, IPv4 and IPv6', async () => {
    const app = await renderApp(socketsFocused);
    await app.press('t');
    await app.waitForScreen((s) => tableRows(s).length === 1 && s.includes('UNCONN'), 'udp only');
    await app.press('t', 'u', '4');
    await app.waitForScreen(
      (s) => tableRows(s).length === 1 && s.includes('[::1]:6379'),
      'tcp6 only',
    );
    await app.press('6');
    await app.waitForScreen((s) => s.includes('no socket matches this view'), 'nothing');
  });

  it('filters with / by port, process or state, and Esc clears the filter', async () => {
    const app = await renderApp(socketsFocused);
    await app.press('/', '5432', keys.enter);
    await app.waitForScreen(
      (s) => tableRows(s).length === 1 && s.includes('postgres 20'),
      'the postgres row',
    );
    await app.press(
      '/',
      keys.backspace,
      keys.backspace,
      keys.backspace,
      keys.backspace,
      'redis',
      keys.enter,
    );
    await app.waitForScreen(
      (s) => tableRows(s).length === 1 && s.includes('redis-server 30'),
      'the redis row',
    );
    await app.press('/', keys.escape);
    await app.waitForScreen((s) => tableRows(s).length === 5, 'all listeners again');
  });

  it('types q into the filter instead of quitting', async () => {
    const app = await renderApp(socketsFocused);
    await app.press('/', 'q');
    await app.waitForScreen((s) => s.includes('/q'), 'q in the filter');
    expect(app.store.getState().socketsView.filter).toBe('q');
  });

  it('sorts by port, state, process or queue with s', async () => {
    const app = await renderApp(socketsFocused);
    const ports = () => tableRows(app.screen()).map((row) => /:(\d+)\s/.exec(row)?.[1]);
    expect(ports()).toEqual(['22', '53', '5432', '6379', '8080']);
    await app.press('s', 's');
    await app.waitForScreen((s) => s.includes('sort process'), 'sort by process');
    expect(tableRows(app.screen()).map((row) => /(\S+) \d+\s*$/.exec(row)?.[1])).toEqual([
      'dnsmasq',
      'node',
      'postgres',
      'redis-server',
      'sshd',
    ]);
  });

  it('moves the selection with j/k and G, and Enter opens a request to the listener', async () => {
    const app = await renderApp(socketsFocused);
    await app.press('G');
    await app.press('k');
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    expect(app.store.getState().request.url).toBe('http://[::1]:6379/');
  });

  it('sends wildcard listeners to loopback and says when a row cannot take a request', async () => {
    const app = await renderApp(socketsFocused);
    await app.press(keys.enter);
    await app.waitForScreen((s) => s.includes('▶ Request'), 'the Request pane');
    expect(app.store.getState().request.url).toBe('http://127.0.0.1:22/');
    await app.press(keys.tab, keys.tab);
    await app.waitForScreen((s) => s.includes('▶ Sockets'), 'back to sockets');
    await app.press('j', keys.enter);
    await app.waitForScreen(
      (s) => s.includes('requests go to TCP listeners'),
      'the notice for udp',
    );
  });

  it('highlights a socket that just appeared and dims a listener that just closed', async () => {
    const app = await renderApp(socketsFocused);
    const start = Date.now();
    let tracker = trackSocketChanges(undefined, fixtureSockets, start - 100);
    const fresh = socket({localPort: 9000, process: 'python3', pid: 60, inode: 9});
    const withoutSsh = fixtureSockets.filter((s) => s.localPort !== 22 || s.state !== 'LISTEN');
    const next = [...withoutSsh, fresh];
    tracker = trackSocketChanges(tracker, next, start);
    applyHostPatch(app.store, 'local', {
      sockets: tracker.listing.sockets,
      socketChanges: socketChangesOf(tracker),
    });
    const screen = await app.waitForScreen((s) => s.includes(':9000'), 'the new listener');
    expect(screen).toMatch(/\+ tcp\s+LISTEN.*0\.0\.0\.0:9000/);
    expect(screen).toMatch(/- tcp\s+closed.*0\.0\.0\.0:22/);
    expect(screen.split('\n')[0]).toContain(
      'new listener on all interfaces: LISTEN 0.0.0.0:9000 (python3 60)',
    );
  });

  it('lists listeners opened and closed, with times since launch, in the events view', async () => {
    const startedAt = Date.now() - 10_000;
    const app = await renderApp({...socketsFocused, startedAt});
    let tracker = trackSocketChanges(undefined, fixtureSockets, startedAt + 1000);
    const fresh = socket({localPort: 8081, process: 'node', pid: 4121, inode: 10});
    tracker = trackSocketChanges(tracker, [...fixtureSockets, fresh], startedAt + 4200);
    tracker = trackSocketChanges(tracker, fixtureSockets, startedAt + 7000);
    applyHostPatch(app.store, 'local', {socketChanges: socketChangesOf(tracker)});
    await app.press('e');
    const screen = await app.waitForScreen((s) => s.includes('events'), 'the events view');
    expect(screen).toMatch(
      /\+7\.0s\s+closed\s+all interfaces\s+LISTEN 0\.0\.0\.0:8081 \(node 4121\)/,
    );
    expect(screen).toMatch(
      /\+4\.2s\s+opened\s+all interfaces\s+LISTEN 0\.0\.0\.0:8081 \(node 4121\)/,
    );
    expect(screen.indexOf('closed  all')).toBeLessThan(screen.indexOf('opened  all'));
  });

  // The events view showed only times since launch, no exposure, and the table's footer keys
  // (/ filter · a all · x exposed · s sort), none of which worked there.
  it('shows wall-clock time and exposure in the events view, and only keys that work there', async () => {
    const startedAt = new Date(2026, 11, 1, 9, 0, 0).getTime();
    const app = await renderApp({...socketsFocused, startedAt});
    let tracker = trackSocketChanges(undefined, fixtureSockets, startedAt + 1000);
    const wide = socket({localPort: 8081, process: 'node', pid: 4121, inode: 10});
    const local = socket({
      localPort: 8082,
      localAddress: '127.0.0.1',
      exposure: 'loopback',
      inode: 11,
    });
    tracker = trackSocketChanges(tracker, [...fixtureSockets, wide], startedAt + 84_000);
    tracker = trackSocketChanges(tracker, [...fixtureSockets, wide, local], startedAt + 90_000);
    applyHostPatch(app.store, 'local', {socketChanges: socketChangesOf(tracker)});
    await app.press('e');
    const screen = await app.waitForScreen((s) => s.includes('events'), 'the events view');
    expect(screen).toMatch(/09:01:24 \+1m24s\s+opened\s+all interfaces\s+LISTEN 0\.0\.0\.0:8081/);
    expect(screen).toMatch(/09:01:30 \+1m30s\s+opened\s+local only\s+LISTEN 127\.0\.0\.1:8082/);
    const footer = screen.trimEnd().split('\n').at(-1) ?? '';
    expect(footer).toContain('e table');
    expect(footer).toContain('/ filter');
    expect(footer).toContain('x exposed');
    expect(footer).not.toContain('a all');
    expect(footer).not.toContain('s sort');

    await app.press('x');
    await app.waitForScreen(
      (s) => s.includes('exposed only') && s.includes('1 of 2 events') && !s.includes(':8082'),
      'exposed only applied to the events',
    );
    await app.press('x', '/', ':8082', keys.enter);
    await app.waitForScreen(
      (s) => s.includes('/:8082') && s.includes(':8082') && !s.includes(':8081 '),
      'the filter applied to the events',
    );
    await app.press('e');
    await app.waitForScreen((s) => s.includes('sort port'), 'the table again');
  });

  it('marks a closed listener as plainly as a new one, in colour too', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const app = await renderApp({...socketsFocused, color: true});
    const start = Date.now();
    let tracker = trackSocketChanges(undefined, fixtureSockets, start - 100);
    const withoutSsh = fixtureSockets.filter((s) => s.localPort !== 22 || s.state !== 'LISTEN');
    tracker = trackSocketChanges(tracker, withoutSsh, start);
    applyHostPatch(app.store, 'local', {
      sockets: tracker.listing.sockets,
      socketChanges: socketChangesOf(tracker),
    });
    const screen = await app.waitForScreen((s) => s.includes('closed'), 'the closed listener');
    const line = screen.split('\n').find((l) => l.includes('closed') && l.includes(':22')) ?? '';
    // The marker is bold and coloured, not only dimmed with the row.
    expect(line).toMatch(/\u001B\[1m[^-]*-/);
  });

  // "3 new, latest …": the callout named only the last of several new listeners.
  it('names every new listener on all interfaces in the header, as many as fit', async () => {
    const start = Date.now();
    const app = await renderApp({...socketsFocused, startedAt: start - 1000, columns: 200});
    let tracker = trackSocketChanges(undefined, fixtureSockets, start - 500);
    const opened = [9001, 9002, 9003].map((port) =>
      socket({localPort: port, process: 'node', pid: port, inode: port}),
    );
    tracker = trackSocketChanges(tracker, [...fixtureSockets, ...opened], start);
    applyHostPatch(app.store, 'local', {
      sockets: tracker.listing.sockets,
      socketChanges: socketChangesOf(tracker),
    });
    const wide = await app.waitForScreen((s) => s.includes('3 new listeners'), 'the callout');
    const header = wide.split('\n')[0] ?? '';
    for (const port of [9001, 9002, 9003]) expect(header).toContain(`0.0.0.0:${port}`);

    app.resize(80, 24);
    const narrow = await app.waitForScreen(
      (s) => /! 3 new .*0\.0\.0\.0:900\d.* and \d more · /.test(s.split('\n')[0] ?? ''),
      'the callout cut to what fits',
    );
    expect(narrow.split('\n')[0]).toContain('0.0.0.0:900');
  });

  it('says once, in the footer, that root is needed to see every owner', async () => {
    const app = await renderApp({
      ...socketsFocused,
      sockets: [socket({pid: null, process: null})],
    });
    expect(app.screen()).not.toContain('run as root');
    applyHostPatch(app.store, 'local', {ownersHidden: true});
    const screen = await app.waitForScreen((s) => s.includes('run as root'), 'the hint');
    expect(screen.match(/run as root/g)).toHaveLength(1);
    expect(screen).toMatch(/0\.0\.0\.0:80\s.*all interfaces\s+-/);
  });

  it('keeps process names with escape sequences inert', async () => {
    const app = await renderApp({
      ...socketsFocused,
      sockets: [socket({process: '\u001B]0;owned\u0007x\u009B2J'})],
    });
    expect(app.screen()).toContain('^[]0;owned^Gx');
    expect(app.frames.join('')).not.toMatch(/\u001B\]0;owned|\u009B/);
  });
});
