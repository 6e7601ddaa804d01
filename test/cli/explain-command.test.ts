/** `porthole explain WORD…`, through the built command line as a user runs it (needs `npm run build`). */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {runBuiltCli} from '../helpers/built-cli.js';
import {runExplainCommand} from '../../source/cli/explain-command.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-explain-'));
afterAll(() => rmSync(scratch, {recursive: true, force: true}));

describe('porthole explain (built)', () => {
  it('prints the words for an address, exit 0, wrapped to 80 columns in a pipe', async () => {
    const run = await runBuiltCli(['explain', '100.101.1.2'], scratch);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('100.101.1.2: CGNAT / shared address space');
    expect(run.stdout).toContain('RFC 6598');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('explains each of several words, and a phrase as one', async () => {
    const run = await runBuiltCli(['explain', 'TIME_WAIT', '404', 'post'], scratch);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('TIME-WAIT');
    expect(run.stdout).toContain('404 Not Found');
    expect(run.stdout).toContain('charge a card twice');
    const phrase = await runBuiltCli(['explain', 'this', 'host'], scratch);
    expect(phrase.code).toBe(0);
    expect(phrase.stdout.split('\n')[0]).toBe('reach: this host');
  });

  it('says in one line on stderr that there is nothing to explain, exit 1, the word made safe', async () => {
    const run = await runBuiltCli(['explain', 'frob\u001b]0;PWNED\u0007'], scratch);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('porthole: nothing to explain about "frob^[]0;PWNED^G"\n');
  });

  it('prints its usage with no word, exit 2', async () => {
    const run = await runBuiltCli(['explain'], scratch);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usage: porthole explain WORD/);
  });

  it('is in the --help text', async () => {
    const run = await runBuiltCli(['--help'], scratch);
    expect(run.stdout).toContain('porthole explain WORD…');
  });
});

describe('runExplainCommand', () => {
  const io = (columns: number | undefined, isTTY: boolean) => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        stdout: {write: (text: string) => out.push(text), isTTY, columns},
        stderr: {write: (text: string) => err.push(text)},
      },
    };
  };

  it('wraps to the width of the terminal it writes to', () => {
    const narrow = io(40, true);
    expect(runExplainCommand(['close-wait'], narrow.io)).toBe(0);
    const lines = narrow.out.join('').trimEnd().split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
    expect(lines.some((line) => [...line].length > 30)).toBe(true);
    const wide = io(160, true);
    runExplainCommand(['close-wait'], wide.io);
    expect(wide.out.join('').split('\n').length).toBeLessThan(lines.length);
  });

  it('explains what it knows and names what it does not, exit 1', () => {
    const both = io(undefined, false);
    expect(runExplainCommand(['listen', 'zzz'], both.io)).toBe(1);
    expect(both.out.join('')).toContain('LISTEN');
    expect(both.err).toEqual(['porthole: nothing to explain about "zzz"\n']);
  });
});
