import {afterEach, describe, expect, it, onTestFinished} from 'vitest';
import chalk from 'chalk';
import {cleanup} from 'ink-testing-library';
import {keys, renderApp, type Rendered} from '../helpers/render-app.js';
import {addFleet} from '../helpers/fleet-fixture.js';

afterEach(() => cleanup());

const lines = (screen: string) => screen.split('\n');
/** The first line below the header with the text. */
const lineWith = (screen: string, text: string) =>
  lines(screen)
    .slice(1)
    .find((l) => l.includes(text));
/** A host's row in the Hosts pane: the current-host mark, then the name. */
const hostLine = (screen: string, name: string) =>
  lines(screen).find(
    (l) =>
      l.replace(/\u001B\[[0-9;]*m/g, '').startsWith(`▸ ${name} `) ||
      l.replace(/\u001B\[[0-9;]*m/g, '').startsWith(`  ${name} `),
  );
const titleIndex = (screen: string, title: string) =>
  lines(screen).findIndex((line) => /^[▶ ] /.test(line) && line.slice(2).startsWith(title));
const focusedPane = (screen: string) => /▶ (\w+)/.exec(screen)?.[1];

async function fleetApp(options: Parameters<typeof renderApp>[0] = {}, more = false) {
  const app = await renderApp({columns: 160, rows: 50, ...options});
  addFleet(app.store, {more});
  await app.waitForScreen((s) => s.includes('db-2'), 'the Hosts pane');
  return app;
}

/** Focuses a pane by Tab, the way a person would. */
async function focus(app: Rendered, pane: string) {
  for (let tries = 0; tries < 5 && focusedPane(app.screen()) !== pane; tries++) {
    await app.press(keys.tab);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(focusedPane(app.screen())).toBe(pane);
}

describe('Hosts pane', () => {
  it('is not there with one host', async () => {
    const app = await renderApp();
    expect(titleIndex(app.screen(), 'Hosts')).toBe(-1);
    expect(app.screen()).not.toContain('hosts up');
  });

  it('shows one row per host, first above Addresses: state, round trip, age, listeners, new, states', async () => {
    const app = await fleetApp();
    const screen = app.screen();
    expect(titleIndex(screen, 'Hosts')).toBeGreaterThanOrEqual(0);
    expect(titleIndex(screen, 'Hosts')).toBeLessThan(titleIndex(screen, 'Addresses'));
    const local = hostLine(screen, 'testhost')!;
    // This machine is the shown one: marked.
    expect(local).toMatch(/▸ testhost\s+up/);
    // 5 listeners in the fixture; 3 of them beyond loopback (22, 53 on all, 8080 on one address).
    expect(local).toMatch(/\s5\s+3\s+0\s/);
    const web = hostLine(screen, 'web-1')!;
    expect(web).toContain('up');
    expect(web).toContain('12.3 ms');
    // 3 listeners: postgres and node_exporter on all interfaces, redis on loopback; 1 new.
    expect(web).toMatch(/\s3\s+2\s+1\s/);
    expect(web).toContain('ESTAB 12 · LISTEN 3 · TIME-WAIT 3');
    const db = hostLine(screen, 'db-2')!;
    expect(db).toContain('down: connection refused');
    // Its last reading is kept, and its age shows how old it is.
    expect(db).toMatch(/4[2-4]s/);
    expect(db).toContain('LISTEN 1');
  });

  it('draws a down host in the error colour', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const app = await fleetApp({color: true});
    const db = hostLine(app.screen(), 'db-2')!;
    const web = hostLine(app.screen(), 'web-1')!;
    // Red (31) on the down host's name; not on a host that is up.
    expect(db).toMatch(/\u001B\[31m[^\u001B]*db-2/);
    expect(web).not.toMatch(/\u001B\[31m[^\u001B]*web-1/);
  });

  it('Enter on a row shows that host in the other panes, titles naming it', async () => {
    const app = await fleetApp();
    await app.press(keys.shiftTab);
    await app.waitForScreen((s) => focusedPane(s) === 'Hosts', 'Hosts focused');
    await app.press('j', keys.enter);
    const screen = await app.waitForScreen(
      (s) => s.includes('Sockets — web-1'),
      'the Sockets pane showing web-1',
    );
    expect(app.store.getState().currentHost).toBe('web-1');
    expect(screen).toContain('Addresses — web-1');
    // web-1's listeners, not this machine's.
    expect(screen).toContain('0.0.0.0:5432');
    expect(screen).toContain('0.0.0.0:9100');
    expect(screen).not.toContain('sshd');
    expect(screen).not.toContain('dnsmasq');
    expect(hostLine(screen, 'web-1')).toMatch(/^▸ web-1/);
    expect(hostLine(screen, 'testhost')).toMatch(/^ {2}testhost/);
    // And back.
    await app.press('k', keys.enter);
    await app.waitForScreen((s) => s.includes('sshd') && !s.includes('Sockets —'), 'local again');
  });

  it('is in the focus order while shown: Tab from Request comes to it', async () => {
    const app = await fleetApp();
    await focus(app, 'Request');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Hosts', 'Hosts after Request');
    await app.press(keys.tab);
    await app.waitForScreen((s) => focusedPane(s) === 'Addresses', 'then Addresses');
  });

  it('counts the hosts in the header', async () => {
    const app = await fleetApp({}, true);
    const header = lines(app.screen())[0]!;
    expect(header).toContain('3 hosts up · 1 down');
  });

  it('names the host of the newest exposure anywhere in the header', async () => {
    const app = await fleetApp();
    const header = lines(app.screen())[0]!;
    expect(header).toContain('! web-1: new listener on all interfaces: LISTEN 0.0.0.0:9100');
  });

  it('shows escape sequences in a host name as text, never raw', async () => {
    const app = await renderApp({columns: 160, rows: 50});
    addFleet(app.store, {evilName: 'ev\u001B]0;pwned\u0007il\u001B[2J'});
    const screen = await app.waitForScreen((s) => s.includes('il^['), 'the host named');
    // The Hosts pane cuts it to its column; the header's count does not name it.
    expect(screen).toContain('ev^[]0;pwned^Gil^[');
    expect(screen).not.toContain('\u001B');
    expect(screen).not.toContain('\u0007');
  });
});

describe('every host in one table', () => {
  it('H shows every host with a HOST column; :5432 finds postgres on every host', async () => {
    const app = await fleetApp();
    await focus(app, 'Sockets');
    await app.press('H');
    let screen = await app.waitForScreen((s) => s.includes('Sockets — all hosts'), 'all hosts');
    const header = lineWith(screen, 'PROTO')!;
    expect(header.trimStart().startsWith('HOST')).toBe(true);
    expect(lineWith(screen, 'sshd 10')).toMatch(/^\s*testhost\s/);
    expect(lineWith(screen, 'node_exporter 902')).toMatch(/^\s*web-1\s/);
    await app.press('/', ':5432', keys.enter);
    screen = await app.waitForScreen((s) => s.includes('1-3 of 3'), 'three rows on 5432');
    const rows = lines(screen).filter((line) => /^\s*\S+\s+tcp\s.*:5432/.test(line));
    // Sorted as one table (by port, then address), each row naming its host.
    expect(rows.map((line) => line.trim().split(/\s+/)[0])).toEqual(['web-1', 'db-2', 'testhost']);
    expect(screen).not.toContain('sshd');
  });

  it('the filter matches the host name, and x says what is exposed anywhere', async () => {
    const app = await fleetApp();
    await focus(app, 'Sockets');
    await app.press('H', 'x');
    let screen = await app.waitForScreen((s) => s.includes('exposed only'), 'exposed only');
    // Loopback listeners (local 5432 and 6379, web-1's redis) are not exposed.
    expect(screen).not.toContain('redis');
    expect(screen).not.toContain('127.0.0.1:5432');
    expect(screen).toContain('0.0.0.0:9100');
    await app.press('/', 'web-1', keys.enter);
    screen = await app.waitForScreen((s) => s.includes('1-2 of 2'), "web-1's two");
    expect(screen).toContain('0.0.0.0:5432');
    expect(screen).toContain('0.0.0.0:9100');
    expect(screen).not.toContain('sshd');
  });

  it('Enter on another host’s listener opens a request naming that host', async () => {
    const app = await fleetApp();
    await focus(app, 'Sockets');
    await app.press('H', '/', 'node_exporter', keys.enter);
    await app.waitForScreen((s) => s.includes('1-1 of 1'), 'one row');
    await app.press(keys.enter);
    await app.waitForScreen((s) => focusedPane(s) === 'Request', 'the Request pane');
    const {request} = app.store.getState();
    expect(request.url).toBe('http://127.0.0.1:9100/');
    expect(request.requestHost).toBe('web-1');
    expect(app.screen()).toContain('Request — web-1');
  });

  it('a local row opens a request for this machine', async () => {
    const app = await fleetApp();
    await focus(app, 'Sockets');
    await app.press('H', '/', 'sshd', keys.enter);
    await app.waitForScreen((s) => s.includes('1-1 of 1'), 'one row');
    await app.press(keys.enter);
    await app.waitForScreen((s) => focusedPane(s) === 'Request', 'the Request pane');
    expect(app.store.getState().request.requestHost).toBeUndefined();
    expect(app.screen()).not.toContain('Request —');
  });
});

describe('four hosts on the screen', () => {
  for (const [columns, rows] of [
    [80, 24],
    [200, 60],
  ] as const) {
    it(`lays out at ${columns}x${rows}: every host listed, no line too long or too many`, async () => {
      const app = await renderApp({columns, rows});
      addFleet(app.store, {more: true});
      const screen = await app.waitForScreen((s) => s.includes('cache-3'), 'four hosts');
      const drawn = lines(screen);
      expect(drawn.length).toBeLessThanOrEqual(rows - 1);
      for (const line of drawn) expect(line.length).toBeLessThanOrEqual(columns);
      for (const host of ['testhost', 'web-1', 'db-2', 'cache-3'])
        expect(screen, host).toContain(host);
      for (const title of ['Hosts', 'Addresses', 'Sockets', 'Request'])
        expect(titleIndex(screen, title), title).toBeGreaterThanOrEqual(0);
      expect(lines(screen)[0]).toContain('3 hosts up · 1 down');
    });
  }
});
