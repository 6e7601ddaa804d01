/**
 * The Request pane sends from the host of the listener it was opened from: through that host's
 * via (an SSH channel in the dashboard; a plain loopback stream here), and from this machine
 * when the URL was typed or pasted.
 */
import {execFileSync} from 'node:child_process';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {createPortholeStore} from '../../source/store/store.js';
import {createRequestController} from '../../source/request/controller.js';
import {openRequest} from '../../source/ui/request/request-actions.js';
import type {Via} from '../../source/request/types.js';
import {httpServer} from '../helpers/servers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('requests from another host', () => {
  it('copy as curl as the same curl run on that host, which a shell reads back whole', () => {
    const store = createPortholeStore();
    const copied: string[] = [];
    const controller = createRequestController(store, {
      historyPath: null,
      copy: (text) => copied.push(text),
    });
    cleanups.push(() => controller.dispose());
    openRequest(store, "http://127.0.0.1:8080/it's", 'GET', 'web-1');
    controller.copyAsCurl();
    expect(copied[0]).toMatch(/^ssh web-1 -- 'curl /);
    // What ssh would run on the host: the one word after `--`, as this machine's shell reads it.
    const inner = execFileSync('sh', ['-c', `ssh() { shift 2; printf %s "$1"; }; ${copied[0]}`], {
      encoding: 'utf8',
    });
    expect(inner).toMatch(/^curl /);
    // And what the host's shell makes of it: curl with the URL as one argument.
    const args = execFileSync('sh', ['-c', `curl() { printf '%s\\n' "$@"; }; ${inner}`], {
      encoding: 'utf8',
    });
    expect(args.trim().split('\n').at(-1)).toBe("http://127.0.0.1:8080/it's");
    openRequest(store, 'http://127.0.0.1:8080/', 'GET');
    controller.copyAsCurl();
    expect(copied[1]).toMatch(/^curl /);
  });

  it('go through the via of the host the request was opened from, and typed ones go direct', async () => {
    const server = await httpServer((_request, response) => response.end('ok'));
    cleanups.push(() => server.close());
    const asked: Array<[string, string, number]> = [];
    const viaFor = (id: string): Via | undefined =>
      id === 'web-1'
        ? {
            label: `ssh ${id}`,
            open: (host, port) => {
              asked.push([id, host, port]);
              // The far side's view of host:port is, here, this machine's loopback server.
              const socket = net.connect(server.port, '127.0.0.1');
              return new Promise((resolve, reject) => {
                socket.once('connect', () => resolve(socket));
                socket.once('error', reject);
              });
            },
          }
        : undefined;
    const store = createPortholeStore();
    const controller = createRequestController(store, {historyPath: null, via: viaFor});
    cleanups.push(() => controller.dispose());

    openRequest(store, 'http://127.0.0.1:8080/', 'GET', 'web-1');
    controller.send();
    await controller.settled();
    const remote = store.getState().request.result;
    expect(remote?.response?.status).toBe(200);
    expect(remote?.connection?.via).toBe('ssh web-1');
    expect(asked).toEqual([['web-1', '127.0.0.1', 8080]]);
    expect(store.getState().ownConnections).toEqual([]);

    openRequest(store, `${server.origin}/`, 'GET');
    controller.send();
    await controller.settled();
    const direct = store.getState().request.result;
    expect(direct?.response?.status).toBe(200);
    expect(direct?.connection?.via).toBeUndefined();
    expect(asked).toHaveLength(1);
  });
});
