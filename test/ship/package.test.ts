/**
 * The packed package (`npm pack`) as a person installs it: `npm install -g` into a prefix of its
 * own gives a `porthole` on PATH and its man page, and `npx` runs it from the tarball. The
 * dependencies come from npm's cache (`npm ci` filled it), so the test asks no registry for them.
 */
import {execFile, execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const version = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}
).version;
const run = promisify(execFile);

let scratch = '';
let tarball = '';
/** npm's own environment for these runs: the user's cache, nothing else of the user's setup. */
let npmEnv: NodeJS.ProcessEnv = {};

async function npm(args: string[], cwd: string) {
  return run('npm', ['--no-audit', '--no-fund', '--prefer-offline', ...args], {
    cwd,
    env: npmEnv,
    timeout: 180_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('the npm package', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-package-'));
    const cache = execFileSync('npm', ['config', 'get', 'cache'], {encoding: 'utf8'}).trim();
    // The user's npm settings (their registry among them) stay; the cache is the one npm ci filled.
    npmEnv = {...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false'};
    const {stdout} = await npm(['pack', '--json', '--pack-destination', scratch], root);
    const [packed] = JSON.parse(stdout) as Array<{filename: string; files: Array<{path: string}>}>;
    tarball = path.join(scratch, packed!.filename);
  }, 200_000);
  afterAll(() => {
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  });

  it('packs the bundle, the library, its types and the man page, not the executables', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], {encoding: 'utf8'}).split('\n');
    for (const file of ['dist/cli.js', 'dist/porthole.mjs', 'dist/index.js', 'dist/porthole.1']) {
      expect(listing).toContain(`package/${file}`);
    }
    expect(listing).toContain('package/dist/types/index.d.ts');
    expect(listing.filter((file) => /porthole-linux-/.test(file))).toEqual([]);
  });

  it('installs globally into a prefix: porthole on PATH, and its man page', async () => {
    const prefix = path.join(scratch, 'prefix');
    await npm(['install', '-g', '--prefix', prefix, tarball], scratch);
    const bin = path.join(prefix, 'bin');
    const env = {PATH: `${bin}:${process.env['PATH']}`, HOME: scratch, CI: 'false'};
    const {stdout} = await run('porthole', ['--version'], {cwd: scratch, env});
    expect(stdout).toBe(`${version}\n`);
    const json = await run('porthole', ['--json'], {
      cwd: scratch,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(JSON.parse(json.stdout)).toHaveProperty('sockets');
    expect(existsSync(path.join(prefix, 'share/man/man1/porthole.1'))).toBe(true);
  }, 200_000);

  it('gives a TypeScript program the library and its types', async () => {
    const project = path.join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), '{"name": "consumer", "type": "module"}');
    // As a TypeScript program on Node has: Node's types (the library's name Buffer, streams, ...).
    const nodeTypes = (
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies['@types/node'];
    await npm(['install', tarball, `@types/node@${nodeTypes}`], project);
    writeFileSync(
      path.join(project, 'consumer.ts'),
      [
        "import {classifyAddress, type Snapshot} from 'porthole';",
        "const kind: string = classifyAddress('10.0.0.1');",
        'const count = (snapshot: Snapshot): number => snapshot.sockets.length;',
        'console.log(kind, typeof count);',
        '',
      ].join('\n'),
    );
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    await run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        'consumer.ts',
      ],
      {cwd: project},
    );
    const {stdout} = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import {classifyAddress} from 'porthole'; console.log(classifyAddress('10.0.0.1'))",
      ],
      {cwd: project},
    );
    expect(stdout).toBe('private\n');
  }, 200_000);

  it('runs from the tarball with npx', async () => {
    const {stdout} = await npm(
      ['exec', '--yes', `--package=${tarball}`, '--', 'porthole', '--version'],
      scratch,
    );
    expect(stdout).toBe(`${version}\n`);
  }, 200_000);
});
