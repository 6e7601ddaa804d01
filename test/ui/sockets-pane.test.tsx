import {applyHostPatch} from '../../source/store/store.js';
import {socketChangesOf} from '../../source/collect/collectors.js';
import chalk from 'chalk';
import {afterEach, describe, expect, it, onTestFinished} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {trackSocketChanges} from '../../source/collect/sockets/changes.js';
import {fixtureInterfaces, fixtureSockets, keys, renderApp, socket} from '../helpers/render-app.js';
import type {NetworkInterface} from '../../source/model.js';

afterEach(() => cleanup());

const socketsFocused = {focus: 'sockets' as const};
const tableRows = (screen: string) =>
  screen.split('\n').filter((line) => /^\s*[+-]?\s*(tcp|udp)6?\s/.test(line));

describe('sockets pane', () => {
  it('shows listeners by default, like ss -l, with who can reach each in words', async () => {
    const app = await renderApp(socketsFocused);
    // The first frame may be drawn at the test terminal's 100 columns, before it is 120 wide.
    const screen = await app.waitForScreen((s) => s.includes('SEND-Q'), 'the 120-column table');
    // eth0's one IPv4 address is private: a wildcard listener answers the LAN there.
    expect(screen).toMatch(
      /tcp\s+LISTEN\s+0\s+128\s+0\.0\.0\.0:22\s+ssh\s+LAN 192\.168\.1\.20\s.*sshd 10/,
    );
    expect(screen).toMatch(/127\.0\.0\.1:5432\s+postgresql\s+this host/);
    expect(screen).toMatch(/tcp6\s+LISTEN.*\[::1\]:6379\s+redis\s+this host/);
    expect(screen).toMatch(/192\.168\.1\.20:8080\s+http-alt\s+LAN 192\.168\.1\.20\s/);
    expect(screen).toMatch(/udp\s+UNCONN.*0\.0\.0\.0:53\s+dns\s+LAN 192\.168\.1\.20\s/);
    expect(screen).toContain('REACH');
    expect(screen).not.toContain('EXPOSURE');
    expect(screen).not.toContain('ESTAB  ');
    expect(screen).not.toMatch(/TIME-WAIT\s+\d+\s+\d+/);
    expect(tableRows(screen)).toHaveLength(5);
  });

  it('says filtered where the firewall drops a reachable port, and nothing of a loopback one', async () => {
    const app = await renderApp(socketsFocused);
    await app.waitForScreen((s) => s.includes('SEND-Q'), 'the 120-column table');
    const rule = (port: number) => ({
      protocol: 'tcp' as const,
      ports: [port],
      verdict: 'drop' as const,
      conditional: false,
      text: `tcp dport ${port} drop`,
    });
    applyHostPatch(app.store, 'local', {
      firewall: {
        checked: true,
        source: 'nft',
        chains: [
          {
            family: 'inet',
            table: 'filter',
            name: 'input',
            policy: 'accept',
            rules: [rule(22), rule(5432)],
          },
        ],
      },
    });
    const screen = await app.waitForScreen((s) => s.includes('filtered'), 'the filtered mark');
    expect(screen).toMatch(/0\.0\.0\.0:22\s+ssh\s+LAN 192\.168\.1\.20 · filtered\s/);
    expect(screen).toMatch(/127\.0\.0\.1:5432\s+postgresql\s+this host\s/);
    expect(screen).toMatch(/192\.168\.1\.20:8080\s+http-alt\s+LAN 192\.168\.1\.20\s/);
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
    // Non-listeners keep the short word for their bind.
    expect(app.screen()).toMatch(/ESTAB.*192\.168\.1\.20:22\s.*eth0 only/);
    expect(app.screen()).toMatch(/TIME-WAIT.*127\.0\.0\.1:5432\s.*local only/);
    await app.press('a', 'x');
    // The two wildcard listeners and the one bound to eth0's address.
    await app.waitForScreen((s) => tableRows(s).length === 3, 'the three exposed listeners');
    for (const row of tableRows(app.screen())) expect(row).toContain('LAN 192.168.1.20');
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
      /\+7\.0s\s+closed\s+LAN 192\.168\.1\.20\s+LISTEN 0\.0\.0\.0:8081 \(node 4121\)/,
    );
    expect(screen).toMatch(
      /\+4\.2s\s+opened\s+LAN 192\.168\.1\.20\s+LISTEN 0\.0\.0\.0:8081 \(node 4121\)/,
    );
    expect(screen).toMatch(/CHANGE\s+REACH\s+SOCKET/);
    expect(screen.indexOf('closed  LAN')).toBeLessThan(screen.indexOf('opened  LAN'));
  });

  // The events view showed only times since launch, no exposure, and the table's footer keys
  // (/ filter · a all · x exposed · s sort), none of which worked there.
  it('shows wall-clock time and reach in the events view, and only keys that work there', async () => {
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
    expect(screen).toMatch(
      /09:01:24 \+1m24s\s+opened\s+LAN 192\.168\.1\.20\s+LISTEN 0\.0\.0\.0:8081/,
    );
    expect(screen).toMatch(/09:01:30 \+1m30s\s+opened\s+this host\s+LISTEN 127\.0\.0\.1:8082/);
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
    expect(screen).toMatch(/0\.0\.0\.0:80\s.*LAN 192\.168\.1\.20\s+-/);
  });

  it('keeps process names with escape sequences inert', async () => {
    const app = await renderApp({
      ...socketsFocused,
      sockets: [socket({process: '\u001B]0;owned\u0007x\u009B2J'})],
    });
    expect(app.screen()).toContain('^[]0;owned^Gx');
    expect(app.frames.join('')).not.toMatch(/\u001B\]0;owned|\u009B/);
  });

  it('says which rows it shows of how many: 1-N of M, moving as the table scrolls', async () => {
    const many = Array.from({length: 136}, (_, index) =>
      socket({localPort: 10_000 + index, pid: 1000 + index, inode: 100 + index}),
    );
    const app = await renderApp({...socketsFocused, sockets: many, columns: 120, rows: 40});
    const first = await app.waitForScreen(
      // The first frames may be drawn at the test process's own terminal size.
      (s) => / of 136/.test(s) && s.split('\n').length === 39,
      'the position at 120x40',
    );
    const shown = tableRows(first).length;
    expect(first).toContain(`· 1-${shown} of 136`);
    expect(first).not.toContain('136 shown');
    await app.press('G');
    await app.waitForScreen(
      (s) => s.includes(`· ${136 - shown + 1}-136 of 136`) && s.includes(':10135 '),
      'the last rows',
    );
    await app.press('/', 'nothing-matches-this', keys.enter);
    await app.waitForScreen((s) => s.includes('· 0 of 0'), 'an empty table');
  });

  it('puts the Request pane right under a short table, the rest blank above the footer', async () => {
    const app = await renderApp({...socketsFocused, columns: 120, rows: 40});
    const screen = await app.waitForScreen((s) => s.includes('SEND-Q'), 'the table');
    const lines = screen.split('\n');
    const last = lines.findLastIndex((line) => line.includes('192.168.1.20:8080'));
    expect(lines[last + 1]).toMatch(/^ {2}Request/);
    expect(lines).toHaveLength(39);
    expect(lines.at(-1)).toContain('q quit');
    expect(lines.at(-2)).toBe('');
  });

  it('names the layer each pane shows, and drops those words first when narrow', async () => {
    const app = await renderApp({...socketsFocused, columns: 120, rows: 40});
    const wide = await app.waitForScreen((s) => s.includes('SEND-Q'), 'the table');
    expect(wide).toMatch(/^ {2}Addresses \(network · IP\) {2}3 interfaces/m);
    expect(wide).toMatch(/^▶ Sockets \(transport · TCP\/UDP\) {2}listening · /m);
    expect(wide).toMatch(/^ {2}Request \(application · HTTP\)/m);
    app.resize(80, 24);
    const narrow = await app.waitForScreen((s) => !s.includes('SEND-Q'), 'the 80-column frame');
    const title = narrow.split('\n').find((line) => line.startsWith('▶ Sockets')) ?? '';
    // The summary's facts stay whole; the layer words give way.
    expect(title).toBe('▶ Sockets  listening · tcp+udp · v4+v6 · sort port · 1-5 of 5');
    expect(narrow).toContain('Addresses (network · IP)');
  });

  it('tells who can reach a listener: the internet loudest, then a network, then this host', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const interfaces: NetworkInterface[] = [
      ...fixtureInterfaces,
      {
        name: 'tailscale0',
        up: true,
        mac: null,
        mtu: 1280,
        speed: null,
        defaultRoute: false,
        addresses: [{address: '100.101.1.2', family: 4, prefixLength: 32, kind: 'cgnat'}],
      },
      {
        name: 'ens3',
        up: true,
        mac: null,
        mtu: 1500,
        speed: null,
        defaultRoute: false,
        addresses: [{address: '93.184.215.14', family: 4, prefixLength: 24, kind: 'public'}],
      },
    ];
    const sockets = [
      socket({localPort: 80, inode: 2}),
      socket({localAddress: '100.101.1.2', localPort: 41641, exposure: 'address', inode: 3}),
      socket({localAddress: '127.0.0.1', localPort: 5432, exposure: 'loopback', inode: 4}),
    ];
    const app = await renderApp({...socketsFocused, interfaces, sockets, color: true});
    const screen = await app.waitForScreen((s) => s.includes(':41641'), 'the table');
    const line = (port: string) => screen.split('\n').find((l) => l.includes(port)) ?? '';
    // Red and bold for the internet, yellow for a network, green for this host.
    expect(line('0.0.0.0:80 ')).toMatch(/\u001B\[1m\u001B\[31minternet/);
    expect(line(':41641')).toMatch(/\u001B\[33mtailnet 100\.101\.1\.2/);
    expect(line(':5432')).toMatch(/\u001B\[32mthis host/);
  });

  it('keeps the reach in words without colour (NO_COLOR)', async () => {
    const app = await renderApp({
      ...socketsFocused,
      sockets: [socket({localAddress: '127.0.0.1', exposure: 'loopback'})],
    });
    const screen = await app.waitForScreen((s) => s.includes('127.0.0.1:80'), 'the table');
    expect(screen).toMatch(/127\.0\.0\.1:80\s+http\s+this host\s+nginx 100/);
    expect(app.frames.join('')).not.toMatch(/\u001B\[3\dm/);
  });

  // A service that stopped accepting: its accept queue (Recv-Q) fills up to the backlog (Send-Q).
  it('shows a listener whose queue reaches 80 % of its backlog in the warning colour, bold', async () => {
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const sockets = [
      socket({localPort: 8001, recvQ: 103, sendQ: 128, inode: 2}),
      socket({localPort: 8002, recvQ: 102, sendQ: 128, inode: 3}),
      socket({localPort: 8003, recvQ: 5, sendQ: 0, inode: 4}),
    ];
    const app = await renderApp({...socketsFocused, sockets, color: true});
    const screen = await app.waitForScreen((s) => s.includes('SEND-Q'), 'the table');
    const line = (port: string) =>
      screen.split('\n').find((l) => l.includes(port) && l.includes('tcp')) ?? '';
    const warned = /\u001B\[1m\u001B\[33m\s*\d+/;
    expect(line(':8001')).toMatch(/\u001B\[1m\u001B\[33m\s*103!\u001B/);
    expect(line(':8002')).not.toMatch(warned);
    // An unknown backlog (0) warns of nothing.
    expect(line(':8003')).not.toMatch(warned);
    // Said in words on the count line, which every width shows.
    // The colours taken off, to read the words.
    expect(screen.replace(/\u001B\[[\d;]*m/g, '')).toContain(
      '! accept queue full: 0.0.0.0:8001 (103 of 128) · ',
    );
  });

  it('says a full accept queue in words at 80 columns and without colour', async () => {
    const sockets = [
      socket({localPort: 8001, recvQ: 128, sendQ: 128, inode: 2}),
      socket({localPort: 8002, recvQ: 4, sendQ: 5, inode: 3}),
    ];
    const app = await renderApp({...socketsFocused, sockets, columns: 80});
    const screen = await app.waitForScreen((s) => s.includes('accept queues'), 'the count line');
    expect(screen).toContain('! 2 accept queues full · ');
  });

  it('gives SERVICE and PEER width only where they have something to say', async () => {
    // Listeners on ports without a service name, and a peerless view: LOCAL and PROCESS get it.
    const sockets = Array.from({length: 8}, (_, index) =>
      socket({
        family: 6,
        localAddress: `2001:db8:85a3::8a2e:370:${7330 + index}`,
        localPort: 40_000 + index,
        process: 'a-rather-long-process-name',
        pid: 7000 + index,
        exposure: 'address',
        inode: 2 + index,
      }),
    );
    sockets.push(socket({localPort: 22, process: 'sshd', pid: 10, inode: 20}));
    const app = await renderApp({...socketsFocused, sockets, columns: 120, rows: 40});
    const at120 = await app.waitForScreen(
      (s) => s.includes('[2001:db8:85a3::8a2e:370:7337]:40007'),
      'whole addresses at 120 columns',
    );
    expect(at120).not.toContain('SERVICE');
    expect(at120).not.toContain('PEER ADDRESS');
    for (const [columns, rows] of [
      [200, 60],
      [80, 24],
    ] as const) {
      app.resize(columns, rows);
      const screen = await app.waitForScreen(
        (s) =>
          columns === 200 ? s.includes('a-rather-long-process-name 7007') : !s.includes('SEND-Q'),
        `${columns} columns`,
      );
      for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(columns);
      expect(screen).not.toContain('PEER ADDRESS');
      if (columns === 200) {
        // Room for everything: the few services show, every process name is whole.
        expect(screen).toMatch(/SERVICE/);
        expect(screen).toMatch(/0\.0\.0\.0:22\s+ssh\s/);
        expect(screen).toContain('a-rather-long-process-name 7007');
      }
      if (columns === 80) {
        expect(screen).not.toContain('SERVICE');
        // The address loses its middle, never its port.
        expect(screen).toMatch(/\[2001:db8:…:7337\]:40007|\[2001[^\s]*…[^\s]*\]:40007/);
      }
    }
  });

  it('drops a SERVICE column no drawn row has, and shows PEER once a row is connected', async () => {
    const sockets = [
      socket({localPort: 40_001, inode: 2}),
      socket({localPort: 40_002, inode: 3}),
      socket({
        state: 'ESTAB',
        localAddress: '192.168.1.20',
        localPort: 40_001,
        peerAddress: '192.168.1.7',
        peerPort: 50_123,
        exposure: 'address',
        inode: 4,
      }),
    ];
    const app = await renderApp({...socketsFocused, sockets, columns: 200, rows: 60});
    const listening = await app.waitForScreen(
      (s) => s.includes(':40002') && s.includes('MAC'),
      'the 200-column table',
    );
    expect(listening).not.toContain('SERVICE');
    expect(listening).not.toContain('PEER ADDRESS');
    await app.press('a');
    const all = await app.waitForScreen((s) => s.includes('all states'), 'every state');
    expect(all).toMatch(/PEER ADDRESS:PORT/);
    expect(all).toMatch(/ESTAB.*192\.168\.1\.20:40001\s.*192\.168\.1\.7:50123/);
    expect(all).not.toContain('SERVICE');
  });
});
