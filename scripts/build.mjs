/**
 * Builds dist/: the single-file bundle dist/porthole.mjs (what a person copies to a server: it runs
 * with nothing but Node >= 20), the bin dist/cli.js that loads it, the typed library entry
 * dist/index.js with its declarations, the man page dist/porthole.1 (scripts/build-man.mjs), and
 * the single executables dist/porthole-linux-<arch> (scripts/build-sea.mjs: for a server with no
 * Node at all). `--if-stale` builds only when a source is newer than dist; `--no-executables`
 * leaves the executables out (`npm start` needs none).
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, statSync, writeFileSync, chmodSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';
import {createHash} from 'node:crypto';
import {buildExecutables, heapFlagDefaults, programScript, singleFileModule} from './build-sea.mjs';
import {writeManPage} from './build-man.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// `--dist DIR` builds the bundle alone, elsewhere (to time two builds side by side).
const distFlag = process.argv.indexOf('--dist');
const dist = distFlag > 0 ? path.resolve(process.argv[distFlag + 1]) : path.join(root, 'dist');
const executables = !process.argv.includes('--no-executables') && process.platform === 'linux';
const outputs = [
  'porthole.mjs',
  'cli.js',
  'index.js',
  'types/index.d.ts',
  'porthole.1',
  ...(executables ? [`porthole-linux-${process.arch}`] : []),
].map((file) => path.join(dist, file));

function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(path.join(root, 'source'));
  for (const file of [
    'cli.tsx',
    'package.json',
    'package-lock.json',
    'scripts/build.mjs',
    'scripts/bundle-options.mjs',
    'scripts/build-sea.mjs',
    'scripts/build-man.mjs',
  ]) {
    newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  }
  return newest;
}

function isStale() {
  try {
    const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
    return newestSource() > built;
  } catch {
    return true;
  }
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

mkdirSync(dist, {recursive: true});
const started = performance.now();

// The program once, as the function both the single file and the executables run.
const program = await programScript(!process.argv.includes('--no-minify'));
writeFileSync(
  path.join(dist, 'porthole.mjs'),
  singleFileModule(program, {
    key: createHash('sha256').update(program).digest('hex').slice(0, 12),
    heapDefaults: await heapFlagDefaults(),
  }),
  {mode: 0o755},
);
chmodSync(path.join(dist, 'porthole.mjs'), 0o755);
writeFileSync(path.join(dist, 'cli.js'), "#!/usr/bin/env node\nimport './porthole.mjs';\n", {
  mode: 0o755,
});
if (distFlag > 0) {
  console.log(`built ${path.relative(root, dist) || dist}/porthole.mjs`);
  process.exit(0);
}

await esbuild.build({
  entryPoints: [path.join(root, 'source/index.ts')],
  outfile: path.join(dist, 'index.js'),
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '-p',
    path.join(root, 'tsconfig.build.json'),
  ],
  {
    stdio: 'inherit',
  },
);
await writeManPage(root, dist);
if (executables) {
  const {written, skipped} = await buildExecutables({dist, program});
  for (const line of skipped) console.log(`porthole build: ${line}`);
  for (const file of written) console.log(`built ${path.relative(root, file)}`);
}
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
