/**
 * Where the history cannot be written (no HOME, a read-only disk, a state directory of another
 * user), the Request pane says so once and keeps the history for the run, and requests go on.
 */
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createPortholeStore} from '../../source/store/store.js';
import {createRequestController} from '../../source/request/controller.js';
import {httpServer} from '../helpers/servers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a history that cannot be written', () => {
  it('is said once, and the requests and their history in memory go on', async () => {
    const loopback = await httpServer((_request, response) => response.end('ok'));
    cleanups.push(() => loopback.close());
    const directory = mkdtempSync(path.join(tmpdir(), 'porthole-history-'));
    cleanups.push(() => rmSync(directory, {recursive: true, force: true}));
    // A file where the state directory should be: no one, root included, can make a folder in it.
    const blocker = path.join(directory, 'state');
    writeFileSync(blocker, '');
    chmodSync(blocker, 0o400);
    const store = createPortholeStore({request: {url: `${loopback.origin}/`}});
    const controller = createRequestController(store, {
      historyPath: path.join(blocker, 'porthole', 'history.jsonl'),
    });
    cleanups.push(() => controller.dispose());
    const notices: string[] = [];
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.notice && state.notice !== previous.notice) notices.push(state.notice.text);
    });
    cleanups.push(unsubscribe);

    for (let sent = 0; sent < 3; sent++) {
      controller.send();
      await controller.settled();
      expect(store.getState().request.result?.response?.status).toBe(200);
    }
    const historyNotices = notices.filter((text) => text.includes('history'));
    expect(historyNotices).toHaveLength(1);
    expect(historyNotices[0]).toMatch(/^history off \(kept for this run only\): /);
    expect(store.getState().request.history).toHaveLength(1);
  });
});
