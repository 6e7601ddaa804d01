import {hostSink} from '../../source/fleet/fleet.js';
/**
 * The Request pane's own connections marked in the Sockets pane, read from this machine's /proc by
 * the real socket collector: exactly the registered connection's row, ESTAB and after it closed.
 */
import {accessSync} from 'node:fs';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {socketsCollector} from '../../source/collect/collectors.js';
import type {OwnConnection} from '../../source/store/store.js';
import {ownSockets, plainAddress} from '../../source/ui/sockets/own-connections.js';
import {keys, renderApp, socket, type Rendered} from '../helpers/render-app.js';
import {httpServer} from '../helpers/servers.js';
import {waitFor} from '../helpers/wait.js';

afterEach(() => cleanup());

const procNetReadable = (() => {
  try {
    accessSync('/proc/net/tcp');
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

type ScreenRow = {mark: string; state: string; local: string; peer: string; line: string};

/** The table's rows as they read: the mark, the state and the two endpoints, local first. */
function screenRows(screen: string): ScreenRow[] {
  const rows: ScreenRow[] = [];
  for (const line of screen.split('\n')) {
    const found =
      /^[│ ]*(\S?)\s*tcp6?\s+(\S+)\s+\d+\s+\d+\s+(\S+:\d+)\b.*?\s(\S+:(?:\d+|\*))\s/.exec(line);
    if (found) {
      const [, mark = '', state = '', local = '', peer = ''] = found;
      rows.push({mark, state, local, peer, line});
    }
  }
  return rows;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const client = net.connect(port, '127.0.0.1', () => resolve(client));
    client.once('error', reject);
  });
}

describe('own connections in the Sockets pane', () => {
  it('spells an address one way: IPv4-mapped IPv6 is the IPv4 address', () => {
    expect(plainAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(plainAddress('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(plainAddress('2001:db8:0:0::1')).toBe(plainAddress('2001:db8::1'));
    expect(plainAddress('fe80::1%eth0')).toBe('fe80::1');
    const own = ownSockets([
      {
        id: 0,
        protocol: 'http/1.1',
        localAddress: '::ffff:127.0.0.1',
        localPort: 40001,
        remoteAddress: '::ffff:127.0.0.1',
        remotePort: 8080,
        openedAt: 0,
      },
    ]);
    const estab = socket({state: 'ESTAB', localPort: 40001, peerAddress: '127.0.0.1'});
    expect(own.has({...estab, peerPort: 8080})).toBe(true);
    expect(own.has({...estab, peerPort: 8081})).toBe(false);
    expect(own.has({...estab, peerPort: 8080, localPort: 40002})).toBe(false);
    expect(own.has({...estab, peerPort: 8080, peerAddress: '127.0.0.2'})).toBe(false);
    expect(own.has({...estab, peerPort: 8080, protocol: 'udp'})).toBe(false);
    // A dual-stack socket's row names the peer IPv4-mapped.
    const mapped = {...estab, family: 6 as const, peerPort: 8080, peerAddress: '::ffff:127.0.0.1'};
    expect(own.has(mapped)).toBe(true);
  });

  it.skipIf(!procNetReadable)(
    'marks the registered connection read from /proc, ESTAB and then closing, and no other',
    async () => {
      const server = net.createServer();
      const accepted: net.Socket[] = [];
      server.on('connection', (peer) => {
        accepted.push(peer);
        // The client closes first; this side answers, so the client's socket goes to TIME-WAIT.
        peer.on('end', () => peer.end());
        peer.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = portOf(server);
      const mine = await connect(port);
      const other = await connect(port);
      let app: Rendered | undefined;
      try {
        await waitFor(() => accepted.length === 2, 'both connections accepted');
        app = await renderApp({
          focus: 'sockets',
          sockets: [],
          columns: 160,
          rows: 40,
          // Only this test's sockets: the listener, two clients and the server's two ends.
          socketsView: {showAll: true, filter: `:${port}`},
        });
        const {store} = app;
        const registered: OwnConnection = {
          id: 0,
          protocol: 'http/1.1',
          localAddress: mine.localAddress ?? '',
          localPort: mine.localPort ?? 0,
          // As a dual-stack socket names it; /proc says 127.0.0.1.
          remoteAddress: `::ffff:${mine.remoteAddress ?? ''}`,
          remotePort: port,
          openedAt: Date.now(),
        };
        store.setState({ownConnections: [registered]});
        const collector = socketsCollector(hostSink(store, 'local'), {
          procRoot: '/proc',
          socketSource: 'proc',
        });
        const poll = async () => (await collector.run())?.();
        const mineLocal = `127.0.0.1:${mine.localPort}`;
        const otherLocal = `127.0.0.1:${other.localPort}`;
        const rowOf = (local: string) =>
          screenRows(app?.screen() ?? '').find((row) => row.local === local);

        await waitFor(async () => {
          await poll();
          return rowOf(mineLocal) !== undefined && rowOf(otherLocal) !== undefined;
        }, 'both client sockets on the screen');
        const rows = screenRows(app.screen());
        const marked = rows.filter((row) => row.mark === '*');
        expect(marked.map((row) => row.local)).toEqual([mineLocal]);
        expect(rowOf(mineLocal)).toMatchObject({state: 'ESTAB', peer: `127.0.0.1:${port}`});
        expect(rowOf(mineLocal)?.line).toMatch(/\bporthole \d+/);
        // The other client, the listener and the server's ends of both are not ours.
        expect(rowOf(otherLocal)?.mark).toBe('');
        expect(rowOf(otherLocal)?.line).not.toContain('porthole');
        expect(rows.filter((row) => row.local === `127.0.0.1:${port}`)).toHaveLength(3);
        expect(app.screen()).toContain("* porthole's own 1");

        // Closed: its TIME-WAIT (FIN-WAIT on the way there) is still ours until it is pruned.
        mine.end();
        store.setState({ownConnections: [{...registered, closedAt: Date.now()}]});
        await waitFor(async () => {
          await poll();
          const row = rowOf(mineLocal);
          return row !== undefined && row.state !== 'ESTAB';
        }, 'the closed connection in a closing state');
        const closing = rowOf(mineLocal);
        expect(closing?.state).toMatch(/^(TIME-WAIT|FIN-WAIT-1|FIN-WAIT-2)$/);
        expect(closing?.mark).toBe('*');
        expect(closing?.line).toContain('porthole');
        expect(screenRows(app.screen()).filter((row) => row.mark === '*')).toHaveLength(1);
        expect(rowOf(otherLocal)?.mark).toBe('');

        // Forgotten: no longer marked.
        store.setState({ownConnections: []});
        await app.waitForScreen(
          (s) => screenRows(s).every((row) => row.mark !== '*') && rowOf(mineLocal) !== undefined,
          'no marked row once the entry is gone',
        );
      } finally {
        app?.unmount();
        mine.destroy();
        other.destroy();
        for (const peer of accepted) peer.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('toggles keep-alive with a and steps the HTTP version in the options with 2', async () => {
    const app = await renderApp({focus: 'request', request: {url: 'http://127.0.0.1:9/'}});
    await app.waitForScreen((s) => /keep-alive · HTTP auto/.test(s), 'keep-alive on, HTTP auto');
    await app.press('a');
    await app.waitForScreen((s) => s.includes('no keep-alive · HTTP auto'), 'keep-alive off');
    expect(app.store.getState().request.keepAlive).toBe(false);
    await app.press('2');
    await app.waitForScreen(
      (s) => s.includes('no keep-alive · HTTP/1.1') && /Options\s+--http1\.1/.test(s),
      'HTTP/1.1 in the summary and the options',
    );
    await app.press('2', '2');
    await app.waitForScreen(
      (s) => s.includes('HTTP/2 prior knowledge') && s.includes('--http2-prior-knowledge'),
      'prior knowledge',
    );
    await app.press('2', 'a');
    await app.waitForScreen(
      (s) => s.includes('keep-alive · HTTP auto') && !s.includes('--http2'),
      'back to auto, keep-alive on',
    );
    expect(app.store.getState().request.options).toBe('');
  });

  it.skipIf(!procNetReadable)(
    "marks the dashboard's own request in the Sockets pane, one connection for two requests",
    async () => {
      const server = await httpServer((_request, response) => response.end('ok'));
      const accepted: number[] = [];
      server.server.on('connection', (peer: net.Socket) => accepted.push(peer.remotePort ?? 0));
      let app: Rendered | undefined;
      try {
        app = await renderApp({
          focus: 'request',
          sockets: [],
          columns: 160,
          rows: 50,
          request: {url: `${server.origin}/`},
          socketsView: {showAll: true, filter: `:${server.port}`},
        });
        const {store, requests} = app;
        for (let sent = 1; sent <= 2; sent++) {
          await app.press(keys.enter);
          await requests.settled();
          expect(store.getState().request.result?.response?.status).toBe(200);
        }
        expect(accepted).toHaveLength(1);
        const local = `127.0.0.1:${accepted[0]}`;
        const collector = socketsCollector(hostSink(store, 'local'), {
          procRoot: '/proc',
          socketSource: 'proc',
        });
        await app.press(keys.tab);
        await waitFor(async () => {
          (await collector.run())?.();
          return screenRows(app?.screen() ?? '').some((row) => row.local === local);
        }, 'the request connection in the Sockets pane');
        const rows = screenRows(app.screen());
        expect(rows.filter((row) => row.mark === '*').map((row) => row.local)).toEqual([local]);
        expect(rows.find((row) => row.local === local)).toMatchObject({
          state: 'ESTAB',
          peer: `127.0.0.1:${server.port}`,
        });
        // The server's end of it is not ours.
        expect(rows.find((row) => row.peer === local)?.mark).toBe('');
      } finally {
        app?.requests.dispose();
        app?.unmount();
        await server.close();
      }
    },
  );
});
