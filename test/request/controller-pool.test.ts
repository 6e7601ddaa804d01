/**
 * The Request pane's controller keeps connections open per origin while keep-alive is on, so the
 * next request goes on the same connection; it records its connections for the Sockets pane.
 */
import http from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {
  createPortholeStore,
  type OwnConnection,
  type PortholeStore,
} from '../../source/store/store.js';
import {createRequestController, type RequestController} from '../../source/request/controller.js';
import {
  ownClosedKeptMs,
  ownConnectionsKept,
  pruned,
  withClosed,
  withOpened,
} from '../../source/request/own-connections.js';
import type {ConnectionInfo} from '../../source/request/types.js';
import {httpServer, type Loopback} from '../helpers/servers.js';
import {waitFor} from '../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A keep-alive HTTP/1.1 server that counts the connections it accepts. */
async function countingServer(): Promise<Loopback<http.Server> & {connections: Socket[]}> {
  const loopback = await httpServer((_request, response) => {
    response.setHeader('content-type', 'text/plain');
    response.end('ok');
  });
  const connections: Socket[] = [];
  loopback.server.on('connection', (socket) => connections.push(socket));
  loopback.server.keepAliveTimeout = 30_000;
  cleanups.push(() => loopback.close());
  return Object.assign(loopback, {connections});
}

function controllerFor(url: string, keepAlive: boolean) {
  const store = createPortholeStore({request: {url, keepAlive}});
  const controller = createRequestController(store, {historyPath: null});
  cleanups.push(() => controller.dispose());
  return {store, controller};
}

async function sendOnce(controller: RequestController, store: PortholeStore) {
  controller.send();
  await controller.settled();
  const {result} = store.getState().request;
  expect(result?.error).toBeUndefined();
  expect(result?.response?.status).toBe(200);
  return result!;
}

describe('connection reuse in the dashboard', () => {
  it('sends two requests on one connection with keep-alive on', async () => {
    const server = await countingServer();
    const {store, controller} = controllerFor(`${server.origin}/`, true);
    const first = await sendOnce(controller, store);
    const second = await sendOnce(controller, store);
    expect(server.connections).toHaveLength(1);
    expect(first.connection?.localPort).toBeGreaterThan(0);
    expect(second.connection?.localPort).toBe(first.connection?.localPort);
    expect(second.connection?.reused).toBe(true);
    const own = store.getState().ownConnections;
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      localPort: server.connections[0]?.remotePort,
      remotePort: server.port,
      remoteAddress: '127.0.0.1',
    });
    // Still open, in the pool.
    expect(own[0]?.closedAt).toBeUndefined();

    // Turned off: the kept connection closes, and is remembered as closed.
    controller.setKeepAlive(false);
    expect(store.getState().request.keepAlive).toBe(false);
    expect(store.getState().ownConnections[0]?.closedAt).toBeGreaterThan(0);
    await waitFor(() => server.connections[0]?.closed === true, 'the server to see it close');
  });

  it('opens a connection per request with keep-alive off', async () => {
    const server = await countingServer();
    const {store, controller} = controllerFor(`${server.origin}/`, false);
    const first = await sendOnce(controller, store);
    const second = await sendOnce(controller, store);
    expect(server.connections).toHaveLength(2);
    expect(second.connection?.localPort).not.toBe(first.connection?.localPort);
    const own = store.getState().ownConnections;
    expect(own.map((each) => each.localPort)).toEqual([
      first.connection?.localPort,
      second.connection?.localPort,
    ]);
    // Both closed with their requests.
    for (const each of own) expect(each.closedAt).toBeGreaterThan(0);
  });

  it('closes kept connections when the dashboard leaves', async () => {
    const server = await countingServer();
    const {store, controller} = controllerFor(`${server.origin}/`, true);
    await sendOnce(controller, store);
    expect(store.getState().ownConnections[0]?.closedAt).toBeUndefined();
    controller.dispose();
    expect(store.getState().ownConnections[0]?.closedAt).toBeGreaterThan(0);
    await waitFor(() => server.connections[0]?.closed === true, 'the server to see it close');
  });

  it('closes the kept connections after the request in flight when turned off during it', async () => {
    let answer: (() => void) | undefined;
    const loopback = await httpServer((_request, response) => {
      answer = () => response.end('late');
    });
    cleanups.push(() => loopback.close());
    const {store, controller} = controllerFor(`${loopback.origin}/`, true);
    controller.send();
    await waitFor(() => answer !== undefined, 'the request to arrive');
    controller.setKeepAlive(false);
    answer?.();
    await controller.settled();
    expect(store.getState().request.result?.response?.status).toBe(200);
    expect(store.getState().ownConnections[0]?.closedAt).toBeGreaterThan(0);
  });

  it('records no connection for a Unix socket, which is not TCP', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'porthole-unix-'));
    cleanups.push(() => rmSync(directory, {recursive: true, force: true}));
    const socketPath = path.join(directory, 'server.sock');
    const server = http.createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    );
    const store = createPortholeStore({
      request: {url: 'http://localhost/', options: `--unix-socket ${socketPath}`, keepAlive: true},
    });
    const controller = createRequestController(store, {historyPath: null});
    cleanups.push(() => controller.dispose());
    await sendOnce(controller, store);
    expect(store.getState().ownConnections).toEqual([]);
  });
});

describe('the list of own connections', () => {
  const info = (id: number, localPort: number): ConnectionInfo => ({
    id,
    reused: false,
    protocol: 'http/1.1',
    localAddress: '127.0.0.1',
    localPort,
    remoteAddress: '127.0.0.1',
    remotePort: 8080,
    openedAt: 1000,
    requests: 1,
  });

  it('forgets a closed connection 90 s after it closed, not before', () => {
    let list: readonly OwnConnection[] = withOpened([], info(0, 40000));
    list = withOpened(list, info(1, 40001));
    list = withClosed(list, [0], 5000);
    expect(pruned(list, 5000 + ownClosedKeptMs)).toHaveLength(2);
    expect(pruned(list, 5001 + ownClosedKeptMs).map((each) => each.id)).toEqual([1]);
    // A connection taken again is open again.
    expect(withOpened(list, {...info(0, 40000), reused: true})[0]?.closedAt).toBeUndefined();
  });

  it('keeps at most 64, dropping the oldest closed first', () => {
    let list: readonly OwnConnection[] = [];
    for (let id = 0; id < 70; id++) list = withOpened(list, info(id, 40000 + id));
    list = withClosed(list, [60, 61, 62, 63, 64, 65, 66, 67], 2000);
    list = withClosed(list, [0], 3000);
    const kept = pruned(list, 3000);
    expect(kept).toHaveLength(ownConnectionsKept);
    expect(kept.map((each) => each.id)).not.toContain(60);
    expect(kept.map((each) => each.id)).toContain(0);
    expect(kept.map((each) => each.id)).toContain(69);
  });

  it('skips Unix-socket connections', () => {
    expect(withOpened([], {...info(0, 0), unixSocket: '/run/x.sock'})).toEqual([]);
  });
});
