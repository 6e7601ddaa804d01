/**
 * dist/porthole.mjs keeps V8's code cache of its start under $XDG_CACHE_HOME/porthole (Node 20
 * keeps none for an ES module): written by the first run, taken by the next, for the dashboard and
 * for commands apart; a damaged cache is not used, a disk that cannot be written means none, and
 * nothing of it reaches the terminal.
 */
import {execFile} from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, describe, expect, it} from 'vitest';
import {hasTmux, openTerminal} from '../helpers/tmux.js';

const root = path.resolve(import.meta.dirname, '../..');
const single = path.join(root, 'dist/porthole.mjs');
const run = promisify(execFile);
const scratches: string[] = [];
afterEach(() => {
  for (const dir of scratches.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'porthole-code-cache-'));
  scratches.push(dir);
  return dir;
}

async function version(cache: string, extra: Record<string, string> = {}) {
  const {stdout, stderr} = await run(process.execPath, [single, '--version'], {
    env: {...process.env, XDG_CACHE_HOME: cache, PORTHOLE_CODE_CACHE_REPORT: '1', ...extra},
  });
  return {stdout, report: stderr};
}

const cacheFiles = (cache: string) => readdirSync(path.join(cache, 'porthole'));

describe('the single file’s code cache', () => {
  it('is written by a first run and taken by the next', async () => {
    const cache = scratch();
    expect(await version(cache)).toMatchObject({report: 'porthole: code cache none\n'});
    const [file, ...others] = cacheFiles(cache);
    expect(others).toEqual([]);
    expect(file).toMatch(/^code-[0-9a-f]{12}-v\d+\.\d+\.\d+-\w+-command\.cache$/);
    expect(await version(cache)).toMatchObject({report: 'porthole: code cache accepted\n'});
  });

  it('is not used when damaged, and is written again', async () => {
    const cache = scratch();
    await version(cache);
    const file = path.join(cache, 'porthole', cacheFiles(cache)[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(file, bytes);
    const damaged = await version(cache);
    expect(damaged.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(damaged.report).toBe('porthole: code cache none\n');
    expect(await version(cache)).toMatchObject({report: 'porthole: code cache accepted\n'});
  });

  it('is none, quietly, where the cache folder cannot be written or is turned off', async () => {
    const cache = scratch();
    const locked = path.join(cache, 'locked');
    mkdirSync(locked);
    writeFileSync(path.join(locked, 'porthole'), ''); // a file where the folder would be
    chmodSync(locked, 0o500);
    const {stdout, stderr} = await run(process.execPath, [single, '--version'], {
      env: {...process.env, XDG_CACHE_HOME: locked},
    });
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(stderr).toBe('');
    const off = scratch();
    await version(off, {PORTHOLE_NO_CODE_CACHE: '1'});
    expect(readdirSync(off)).toEqual([]);
  });

  it.skipIf(!hasTmux())(
    'keeps a dashboard’s start apart, and the next dashboard takes it',
    async () => {
      const cache = scratch();
      const report = path.join(cache, 'report');
      for (const expected of ['none', 'accepted']) {
        const terminal = openTerminal(100, 30);
        try {
          terminal.type(
            `XDG_CACHE_HOME=${cache} PORTHOLE_CODE_CACHE_REPORT=1 CI=false ${process.execPath} ${single} 2>${report}; echo EXITED $?`,
          );
          terminal.keys('Enter');
          await terminal.waitForScreen((screen) => screen.includes('Sockets'), 'the dashboard');
          terminal.keys('q');
          await terminal.waitForScreen((screen) => /^EXITED 0$/m.test(screen), 'porthole to quit');
        } finally {
          terminal.close();
        }
        // (Ink shows the cursor again on stderr as it leaves.)
        expect(readFileSync(report, 'utf8').split('\n')[0]).toBe(
          `porthole: code cache ${expected}`,
        );
      }
      expect(cacheFiles(cache).filter((name) => name.endsWith('-dashboard.cache'))).toHaveLength(1);
    },
  );
});
