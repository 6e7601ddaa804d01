import {chmod, mkdtemp, readFile, rm, stat, writeFile, mkdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
  appendHistory,
  historyFile,
  historyLimit,
  loadHistory,
  readHistory,
  type HistoryEntry,
} from '../../source/request/history.js';

function entry(index: number): HistoryEntry {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    method: 'GET',
    url: `http://127.0.0.1:8080/${index}`,
    headers: 'Accept: */*',
    body: '',
    status: 200,
  };
}

describe('history', () => {
  let state: string;

  beforeEach(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'porthole-state-'));
  });

  afterEach(async () => {
    await rm(state, {recursive: true, force: true});
  });

  it('lives under XDG_STATE_HOME, or ~/.local/state', () => {
    expect(historyFile({XDG_STATE_HOME: state})).toBe(
      path.join(state, 'porthole', 'history.jsonl'),
    );
    expect(historyFile({HOME: '/home/someone'})).toBe(
      '/home/someone/.local/state/porthole/history.jsonl',
    );
    expect(historyFile({HOME: '/home/someone', XDG_STATE_HOME: 'relative'})).toBe(
      '/home/someone/.local/state/porthole/history.jsonl',
    );
  });

  it('starts empty when there is no file', async () => {
    expect(await loadHistory(historyFile({XDG_STATE_HOME: state}))).toEqual([]);
  });

  it('keeps the newest 200 entries in a private file in a private directory', async () => {
    const file = historyFile({XDG_STATE_HOME: state});
    for (let index = 0; index < historyLimit + 5; index++) {
      expect(await appendHistory(file, entry(index))).toBeUndefined();
    }
    const loaded = await loadHistory(file);
    expect(loaded).toHaveLength(200);
    expect(loaded[0]).toEqual(entry(5));
    expect(loaded.at(-1)).toEqual(entry(historyLimit + 4));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('keeps every entry of concurrent appends', async () => {
    const file = historyFile({XDG_STATE_HOME: state});
    await Promise.all([1, 2, 3, 4, 5].map((index) => appendHistory(file, entry(index))));
    expect((await loadHistory(file)).map((each) => each.url).sort()).toEqual(
      [1, 2, 3, 4, 5].map((index) => `http://127.0.0.1:8080/${index}`),
    );
  });

  it('makes an existing file private', async () => {
    const file = historyFile({XDG_STATE_HOME: state});
    await mkdir(path.dirname(file), {recursive: true});
    await writeFile(file, JSON.stringify(entry(1)) + '\n', {mode: 0o644});
    await chmod(file, 0o644);
    await appendHistory(file, entry(2));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadHistory(file)).toEqual([entry(1), entry(2)]);
  });

  it('skips corrupt lines', async () => {
    const file = historyFile({XDG_STATE_HOME: state});
    await mkdir(path.dirname(file), {recursive: true});
    const error = {...entry(3), status: undefined, error: 'connection refused by 127.0.0.1:9'};
    await writeFile(
      file,
      [
        JSON.stringify(entry(1)),
        '{"torn": ',
        '42',
        JSON.stringify({method: 'GET'}),
        JSON.stringify(error),
      ].join('\n'),
    );
    const loaded = await loadHistory(file);
    expect(loaded).toEqual(
      [entry(1), {...entry(3), status: undefined, error: error.error}].map(withoutUndefined),
    );
    expect(await readFile(file, 'utf8')).toContain('{"torn": ');
  });

  it('returns a message instead of throwing when it cannot write', async () => {
    const blocker = path.join(state, 'file');
    await writeFile(blocker, 'not a directory');
    const problem = await appendHistory(path.join(blocker, 'porthole', 'history.jsonl'), entry(1));
    expect(problem).toMatch(/^cannot write history .*: /);
    const read = await readHistory(blocker + '/history.jsonl');
    expect(read.entries).toEqual([]);
    expect(read.error).toMatch(/^cannot read history /);
  });
});

function withoutUndefined(value: HistoryEntry): HistoryEntry {
  return JSON.parse(JSON.stringify(value)) as HistoryEntry;
}
