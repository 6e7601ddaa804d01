/** porthole(1): made by scripts/build-man.mjs, read by groff and man as a user's `man` reads it. */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {portholeOptions, requestOptions} from '../../source/cli/completions.js';
import {flagSpecs} from '../../source/cli/flags.js';
import {manPage} from '../../source/cli/man-page.js';
import {createKeymap} from '../../source/ui/keymap.js';
import {version} from '../../source/version.js';

const root = path.resolve(import.meta.dirname, '../..');
const dist = mkdtempSync(path.join(os.tmpdir(), 'porthole-man-'));
let file = '';
beforeAll(async () => {
  // A script of the build, in plain JavaScript: imported by path, typed here.
  const script = path.join(root, 'scripts/build-man.mjs');
  const {writeManPage} = (await import(script)) as {
    writeManPage: (root: string, dist: string) => Promise<string>;
  };
  file = await writeManPage(root, dist);
});
afterAll(() => rmSync(dist, {recursive: true, force: true}));

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());
const roffFlag = (flag: string) => flag.replace(/-/g, '\\-');

/** The page as `man` shows it at 80 columns, without bold or underline. */
function rendered(): string {
  const run = spawnSync('man', ['-l', file], {
    encoding: 'utf8',
    env: {...process.env, MANWIDTH: '80', MAN_KEEP_FORMATTING: '', MANPAGER: 'cat', PAGER: 'cat'},
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('porthole(1)', () => {
  it('is written to dist/porthole.1 by the build script, as manPage() makes it', () => {
    expect(path.basename(file)).toBe('porthole.1');
    expect(readFileSync(file, 'utf8')).toBe(manPage());
  });

  it('has every section, and the version', () => {
    const page = manPage();
    for (const section of [
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'COMMANDS',
      'OPTIONS',
      'REQUEST OPTIONS',
      'KEYS',
      'FILES',
      'EXIT STATUS',
      'EXAMPLES',
      'SEE ALSO',
    ])
      expect(page).toContain(`\n.SH ${section}\n`);
    expect(page).toMatch(/^\.TH PORTHOLE 1 /m);
    expect(page).toContain(`"porthole ${version}"`);
  });

  it('lists every flag of flagSpecs, long and short, with its description', () => {
    const page = manPage();
    const options = page.slice(page.indexOf('.SH OPTIONS'), page.indexOf('.SH REQUEST OPTIONS'));
    for (const [name, spec] of Object.entries(flagSpecs)) {
      expect(options).toContain(`\\fB${roffFlag(`--${kebab(name)}`)}\\fR`);
      if ('shortFlag' in spec) expect(options).toContain(`\\fB\\-${spec.shortFlag}\\fR`);
    }
    expect(portholeOptions()).toHaveLength(Object.keys(flagSpecs).length);
  });

  it("lists the options porthole request reads, curl's and its own", () => {
    const {curl, own} = requestOptions();
    const page = manPage();
    const section = page.slice(page.indexOf('.SH REQUEST OPTIONS'), page.indexOf('.SH KEYS'));
    for (const option of [...curl, ...own]) {
      expect(section).toContain(`\\fB${roffFlag(`--${option.long}`)}\\fR`);
    }
  });

  it("escapes what roff would read otherwise: no text line starts with . or '", () => {
    const requests = /^\.(\\"|[A-Z]{2}\b|[A-Z]{1,2}( |$)|nh$|ad l$|br$|nf$|fi$)/;
    for (const line of manPage().split('\n')) {
      if (line.startsWith('.')) expect(line, line).toMatch(requests);
      expect(line.startsWith("'"), line).toBe(false);
    }
    // Backslashes come from escapes only: \- \e \f \[u…] \& and the comment.
    expect(manPage()).not.toMatch(/\\(?![-efB&IR["])/);
  });
});

const renderers = has('groff') && has('man');
describe.skipIf(!renderers)(
  renderers
    ? 'porthole(1) in groff and man'
    : 'porthole(1) in groff and man (skipped: groff or man is not installed)',
  () => {
    it("lists the dashboard's keys from the key table", () => {
      const text = rendered();
      const keys = text
        .slice(text.indexOf('\nKEYS\n'), text.indexOf('\nFILES\n'))
        .replace(/\s+/g, ' ');
      for (const binding of createKeymap().all()) expect(keys).toContain(binding.help);
    });

    it('renders with no warning at all', () => {
      const run = spawnSync('groff', ['-ww', '-z', '-man', file], {encoding: 'utf8'});
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    });

    it('renders within 80 columns in man, flags as typed', () => {
      const text = rendered();
      for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
      for (const option of portholeOptions()) expect(text).toContain(`--${option.long}`);
      expect(text).toContain('porthole request [curl options] URL');
      expect(text).toContain('-X, --method METHOD');
      expect(text).toContain('~/.config/porthole/config.json');
      expect(text).toContain('~/.local/state/porthole/history.jsonl');
      expect(text).toMatch(/ss\(8\), ip\(8\), curl\(1\)/);
    });
  },
);
