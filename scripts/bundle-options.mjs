/**
 * How porthole is bundled: the esbuild options of dist/porthole.mjs, shared by the build and by
 * benchmarks that bundle a harness around the dashboard the way a person runs it.
 */
import {builtinModules} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';
import * as inkPatches from '../source/ink/patches.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

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

// Ink 6.8's patches (source/ink/patches.mjs, the list the tests read too): modules of Ink's build/
// swapped for porthole's, and packages aliased below.
const frameOutput = {
  name: 'frame-output',
  setup(build) {
    const specifiers = inkPatches.inkModuleSwaps.map((swap) => swap.replaces.replace(/\./g, '\\.'));
    build.onResolve({filter: new RegExp(`^(?:${specifiers.join('|')})$`)}, (args) => {
      const swap = inkPatches.inkModuleSwap(args.path, args.importer);
      return swap ? {path: swap.by} : undefined;
    });
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
    build.onResolve({filter: /^[a-z0-9_:/]+$/}, (args) =>
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

// This machine's feed runs in a worker thread started from a string of code (the dashboard is one
// file): the worker's own bundle, with nothing of Ink or React, built here and put in place of
// source/fleet/feed-worker-source.ts (which, run from source, builds the same with esbuild).
const feedWorker = (minify) => ({
  name: 'feed-worker',
  setup(build) {
    const stand = path.join(root, 'source/fleet/feed-worker-source.ts');
    build.onLoad({filter: /feed-worker-source\.ts$/}, async (args) => {
      if (args.path !== stand) return undefined;
      const result = await esbuild.build({
        entryPoints: [path.join(root, 'source/fleet/feed-worker.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        minify,
        keepNames: !minify,
        write: false,
        logLevel: 'warning',
      });
      const code = result.outputFiles[0].text;
      return {
        contents: `export function feedWorkerSource() { return ${JSON.stringify(code)}; }`,
        loader: 'js',
      };
    });
  },
});

// The host reader (source/fleet/host-reader.ts) is sent to SSH hosts and run there with their Node:
// its own small CommonJS bundle, minified whatever the dashboard's build, in place of
// source/fleet/host-reader-source.ts (which, run from source, builds the same with esbuild).
const hostReader = {
  name: 'host-reader',
  setup(build) {
    const stand = path.join(root, 'source/fleet/host-reader-source.ts');
    build.onLoad({filter: /host-reader-source\.ts$/}, async (args) => {
      if (args.path !== stand) return undefined;
      const result = await esbuild.build({
        entryPoints: [path.join(root, 'source/fleet/host-reader.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        minify: true,
        external: ['systeminformation'],
        write: false,
        logLevel: 'warning',
      });
      const code = result.outputFiles[0].text;
      return {
        contents: `export function hostReaderSource() { return ${JSON.stringify(code)}; }`,
        loader: 'js',
      };
    });
  },
};

/** esbuild options for a single-file ES module bundle of `entry` at `outfile`. */
export function bundleOptions({entry, outfile, minify = true}) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    keepNames: !minify,
    legalComments: 'eof',
    define: {
      'process.env.NODE_ENV': '"production"',
      // Yoga's WebAssembly loader asks `typeof fetch`, and that question alone makes Node load its
      // fetch implementation (undici, ~8 ms at start). Nothing in the bundle fetches anything.
      fetch: 'undefined',
    },
    plugins: [devtoolsStub, frameOutput, builtinsOnDemand, feedWorker(minify), hostReader],
    alias: Object.fromEntries(inkPatches.packageAliases.map(({name, by}) => [name, by])),
    // Some dependencies are CommonJS and call require(); give the ES module bundle one.
    banner: {
      js: "import {createRequire as __portholeRequire} from 'node:module'; const require = __portholeRequire(import.meta.url);",
    },
    logLevel: 'warning',
  };
}
