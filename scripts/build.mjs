/**
 * Builds dist/: the single-file bundle dist/porthole.mjs (what a person copies to a server: it runs
 * with nothing but Node >= 20), the bin dist/cli.js that loads it, and the typed library entry
 * dist/index.js with its declarations. `--if-stale` builds only when a source is newer than dist.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, statSync, writeFileSync, chmodSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// `--dist DIR` builds the bundle alone, elsewhere (to time two builds side by side).
const distFlag = process.argv.indexOf('--dist');
const dist = distFlag > 0 ? path.resolve(process.argv[distFlag + 1]) : path.join(root, 'dist');
const outputs = ['porthole.mjs', 'cli.js', 'index.js', 'types/source/index.d.ts'].map((file) =>
  path.join(dist, file),
);

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
  for (const file of ['cli.tsx', 'package.json', 'package-lock.json', 'scripts/build.mjs']) {
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

// Ink loads its React devtools bridge (react-devtools-core and ws) only when DEV=true; the bundle
// gets an empty module instead (marking them external would leave imports that fail in an empty
// folder), which also keeps 50 KiB out of what every start has to parse.
const devtoolsStub = {
  name: 'devtools-stub',
  setup(build) {
    build.onResolve({filter: /^react-devtools-core$/}, () => ({
      path: 'react-devtools-core',
      namespace: 'stub',
    }));
    build.onResolve({filter: /\/devtools\.js$/}, (args) =>
      args.importer.includes(`${path.sep}ink${path.sep}`)
        ? {path: args.path, namespace: 'stub'}
        : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'stub'}, () => ({
      contents: 'export default {};',
      loader: 'js',
    }));
  },
};

// Ink builds each frame with a new Output whose caches die with it; the dashboard's stand-in keeps
// them across frames and reuses unchanged rows (source/ui/frame-output.ts says what it saves).
const frameOutput = {
  name: 'frame-output',
  setup(build) {
    build.onResolve({filter: /^\.\/output\.js$/}, (args) =>
      args.importer.includes(`${path.sep}ink${path.sep}build${path.sep}`)
        ? {path: path.join(root, 'source/ui/frame-output.ts')}
        : undefined,
    );
  },
};

// An ES module's imports are all loaded before any of its code runs, and a bundle is one module:
// every Node built-in that any part of porthole uses (http, tls, zlib, worker_threads, ...) would
// load at every start, though `porthole --json` needs few of them. Served as CommonJS modules that
// require() the built-in, they load when the first module that uses them is initialised, which
// for the request engine and the dashboard is when the command line asks for them.
const builtinsOnDemand = {
  name: 'builtins-on-demand',
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({filter: /^[a-z_:/]+$/}, (args) =>
      builtins.has(args.path.replace(/^node:/, '')) && args.kind === 'import-statement'
        ? {path: args.path, namespace: 'builtin'}
        : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'builtin'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

await esbuild.build({
  entryPoints: [path.join(root, 'cli.tsx')],
  outfile: path.join(dist, 'porthole.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: !process.argv.includes('--no-minify'),
  keepNames: process.argv.includes('--no-minify'),
  legalComments: 'eof',
  define: {
    'process.env.NODE_ENV': '"production"',
    // Yoga's WebAssembly loader asks `typeof fetch`, and that question alone makes Node load its
    // fetch implementation (undici, ~8 ms at start). Nothing in the bundle fetches anything.
    fetch: 'undefined',
  },
  plugins: [devtoolsStub, frameOutput, builtinsOnDemand],
  // wrap-ansi pins string-width 7 where Ink uses 8: one copy, not two, of its Unicode tables and
  // grapheme segmenter, whose set-up cost ~20 ms of every start.
  alias: {'string-width': path.join(root, 'node_modules/string-width/index.js')},
  // Some dependencies are CommonJS and call require(); give the ES module bundle one.
  banner: {
    js: "import {createRequire as __portholeRequire} from 'node:module'; const require = __portholeRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
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
console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
