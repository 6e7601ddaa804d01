/**
 * Builds dist/porthole-linux-x64 (and dist/porthole-linux-arm64 where Node's binary for arm64 can be
 * had from the npm registry): a Node single-executable application, a copy of Node with porthole's
 * bundle inside, that runs on a Linux machine with no Node installed. Each gets a .tar.gz beside it.
 *
 * The program is one script for both this and dist/porthole.mjs (singleFileModule, below): the
 * ES module bundle's code inside an async function, so the top-level awaits of Ink and yoga-layout
 * stay as they are, and every built-in, imported or dynamically imported, served by require(). A
 * loader compiles it with vm.Script and V8's code cache: for the x64 executable, one kept from a
 * real dashboard start at build time (warmUp), made by this very Node.
 *
 * Run alone: node scripts/build-sea.mjs [--no-arm64] (PORTHOLE_KEEP_SEA_WORK=1 keeps dist/.sea, the
 * scripts, blobs and caches it is made from, to look at)
 */
import {execFileSync} from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';
import {createHash} from 'node:crypto';
import * as esbuild from 'esbuild';
import {bundleOptions} from './bundle-options.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** Node's marker for "a blob is injected": flipped by postject when it adds the blob. */
const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Every built-in as a require() when the code first asks for it, dynamic imports included. */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({filter: /^[a-z0-9_:/]+$/}, (args) =>
      builtins.has(args.path.replace(/^node:/, '')) &&
      (args.kind === 'import-statement' || args.kind === 'dynamic-import')
        ? {path: args.path, namespace: 'sea-builtin'}
        : undefined,
    );
    build.onLoad({filter: /.*/, namespace: 'sea-builtin'}, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** The executable's script: the bundle's ES module code as the body of an async function. */
export async function programScript(minify) {
  const options = bundleOptions({
    entry: path.join(root, 'cli.tsx'),
    outfile: 'porthole-sea.js',
    minify,
  });
  const result = await esbuild.build({
    ...options,
    write: false,
    // A single executable's script has a require() for built-ins already, and no module URL.
    banner: {},
    define: {...options.define, 'import.meta.url': '__portholeModuleUrl'},
    plugins: [builtinsByRequire, ...options.plugins],
  });
  const code = result.outputFiles
    .find((file) => file.path.endsWith('.js'))
    .text.replace(/^#!.*\n/, '')
    // esbuild leaves a few characters beyond ASCII in regular expressions (°, ·, →); as \u escapes
    // they mean the same there, and an ASCII program is read and compiled as one-byte text.
    .replace(
      /[\u0080-\uffff]/g,
      (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  // What is left at the top level must be plain statements: an import or export here would be a
  // syntax error inside the function, so say so at build time.
  if (/^(import|export)\b/m.test(code.replace(/\/\*[\s\S]*?\*\//g, ''))) {
    throw new Error('the executable script has a top-level import or export');
  }
  // The bundle as one function of (require, module URL), for vm.Script in the loader.
  return `(async function (require, __portholeModuleUrl) {\n"use strict";\n${code}\n})`;
}

/**
 * A sum of a file's bytes, 32 bits, taken here and checked by both loaders before the program or
 * its code cache is used: a copy torn or changed in transfer says so rather than running changed
 * code (V8 takes a damaged code cache as it is). Not a defence against anyone, a check for damage;
 * crypto's hashes would cost the start ~8 ms to load.
 */
const wordSumSource = `function wordSum(bytes) {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
  let total = aligned.length;
  for (let i = 0; i < words.length; i++) total = (Math.imul(total, 31) + words[i]) >>> 0;
  for (let i = words.length * 4; i < aligned.length; i++) total = (Math.imul(total, 31) + aligned[i]) >>> 0;
  return total;
}`;
const wordSum = new Function(`${wordSumSource}; return wordSum;`)();

/**
 * The end of every loader: runs the compiled `script` with a require() that has only Node's
 * built-ins, quietly (ws asks for bufferutil; a single executable's own require() would warn of
 * it), and says in one line what failed, if anything.
 */
const runProgram = (moduleUrl) => `const isBuiltin = require('node:module').isBuiltin;
const requireBuiltin = (id) => {
  if (isBuiltin(id)) return require(id);
  throw Object.assign(new Error("Cannot find module '" + id + "'"), {code: 'MODULE_NOT_FOUND'});
};
script.runInThisContext()(requireBuiltin, ${moduleUrl}).catch((error) => {
  process.stderr.write('porthole: ' + (error && error.message ? error.message : String(error)) + '\\n');
  process.exit(1);
});
`;

/**
 * The executable's main script: it checks the bundle against the checksum taken here (a damaged
 * file says so in one line rather than throwing a screen of minified code), then compiles it with
 * the code cache made here, and runs it with a require() that has only Node's built-ins, quietly
 * (ws asks for bufferutil; a single executable's own require() would warn of it).
 */
const loader = `"use strict";
const sea = require('node:sea');
const damaged = (why) => {
  process.stderr.write('porthole: this executable is damaged (' + why + '); download it again\\n');
  process.exit(70);
};
${wordSumSource}
let code, sums, cache;
try {
  code = Buffer.from(sea.getRawAsset('porthole.js'));
  sums = sea.getAsset('porthole.sums', 'utf8').split(' ').map(Number);
} catch (error) {
  damaged(error.message);
}
if (wordSum(code) !== sums[0]) damaged('its code does not match its checksum');
if (sums.length > 1) {
  try {
    cache = Buffer.from(sea.getRawAsset('porthole.cache'));
  } catch (error) {
    damaged(error.message);
  }
  if (wordSum(cache) !== sums[1]) damaged('its code cache does not match its checksum');
}
const vm = require('node:vm');
const script = new vm.Script(code.toString('utf8'), {filename: 'porthole', cachedData: cache});
// For the build's own test: whether V8 took the code cache (it refuses one made under other flags).
if (process.env.PORTHOLE_CODE_CACHE_REPORT) {
  const taken = cache === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.stderr.write('porthole: code cache ' + taken + '\\n');
}
${runProgram("require('node:url').pathToFileURL(process.execPath).href")}`;

/** V8's code cache of `source` as vm.Script compiles it: valid only for the Node that made it. */
function codeCache(source) {
  return new vm.Script(source, {filename: 'porthole'}).createCachedData();
}

/**
 * Runs the bundle as the executable does, as a dashboard in a pseudo-terminal, until its first
 * frame with a listening socket has been drawn, and keeps V8's code cache of it then: the cache holds every
 * function the start compiled, not only the top level (a dashboard's start from the executable
 * compiles less than half as much). The dashboard's heap flags are set back to V8's first: V8
 * takes a code cache only under the flags it was made under.
 */
const warmUp = `"use strict";
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');
const {PORTHOLE_WARM_BUNDLE: bundle, PORTHOLE_WARM_CACHE: out, PORTHOLE_WARM_FLAGS: flags} = process.env;
const script = new vm.Script(fs.readFileSync(bundle, 'utf8'), {filename: 'porthole'});
// A listener of its own, so that a machine with none still draws a row of sockets.
require('node:net').createServer().listen(0, '127.0.0.1').unref();
const write = process.stdout.write.bind(process.stdout);
let drawn = '';
process.stdout.write = (chunk, ...rest) => {
  if (drawn !== undefined) {
    drawn = (drawn + String(chunk)).slice(-4096);
    if (drawn.includes('LISTEN')) {
      drawn = undefined;
      setTimeout(() => {
        for (const flag of JSON.parse(flags)) v8.setFlagsFromString(flag);
        fs.writeFileSync(out, script.createCachedData());
        process.exit(0);
      }, 300);
    }
  }
  return write(chunk, ...rest);
};
${runProgram("require('node:url').pathToFileURL(process.execPath).href")}`;

/** V8's flags as the dashboard sets them back for a code cache (source/ui/heap.ts). */
export async function heapFlagDefaults() {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'source/ui/heap.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const code = Buffer.from(result.outputFiles[0].text).toString('base64');
  const {dashboardHeapFlags} = await import(`data:text/javascript;base64,${code}`);
  return dashboardHeapFlags.map((flag) => flag.v8Default);
}

/** The warm code cache, or undefined with the reason when the dashboard could not be run. */
async function warmCodeCache(work, bundle) {
  const harness = path.join(work, 'warm-up.cjs');
  const out = path.join(work, 'porthole.warm-cache');
  writeFileSync(harness, warmUp);
  const scratch = path.join(work, 'home');
  mkdirSync(scratch, {recursive: true});
  try {
    execFileSync(
      'script',
      ['-qfec', `stty cols 120 rows 40; exec ${process.execPath} ${harness}`, '/dev/null'],
      {
        // Its own config and history, never the builder's.
        env: {
          ...process.env,
          CI: 'false',
          TERM: 'xterm-256color',
          HOME: scratch,
          XDG_CONFIG_HOME: scratch,
          XDG_STATE_HOME: scratch,
          PORTHOLE_WARM_BUNDLE: bundle,
          PORTHOLE_WARM_CACHE: out,
          PORTHOLE_WARM_FLAGS: JSON.stringify(await heapFlagDefaults()),
        },
        stdio: ['pipe', 'ignore', 'pipe'],
        timeout: 30_000,
      },
    );
    return {cache: readFileSync(out)};
  } catch (error) {
    return {problem: String(error.message).split('\n')[0]};
  }
}

/**
 * dist/porthole.mjs: the same program for any Node >= 20, as one ES module. It holds the program
 * as one string and compiles it with vm.Script, with V8's code cache of an earlier start when one
 * is kept (Node 20 keeps none for an ES module): $XDG_CACHE_HOME/porthole, else ~/.cache/porthole,
 * one file per version, Node, architecture and kind of run (the dashboard, or a command). A run
 * that found none writes it as it exits, with the dashboard's heap flags set back to V8's so that
 * V8 takes it next time; a disk that cannot be written, or PORTHOLE_NO_CODE_CACHE set, means
 * none, and a cache that fails its checksum is not used. Nothing is said about any of it.
 */
export function singleFileModule(source, {key, heapDefaults}) {
  return `#!/usr/bin/env node
// porthole: the program is the string below; the loader around it is scripts/build-sea.mjs's.
import {createRequire} from 'node:module';
const require = createRequire(import.meta.url);
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
// The program is at the end of this file, each of its lines behind "//": as a comment it costs
// the module's compile next to nothing (as one string literal it cost ~50 ms to scan).
const text = fs.readFileSync(new URL(import.meta.url), 'latin1');
const source = text.slice(text.indexOf('\\n//#porthole-program\\n') + 21, -1).replace(/^\\/\\//gm, '');
const argv = process.argv.slice(2);
const commandWords = new Set(['request', 'explain', 'completions']);
const oneShotFlags = new Set(['--json', '-h', '--help', '-v', '--version']);
const kind =
  process.stdout.isTTY && !commandWords.has(argv[0]) && !argv.some((word) => oneShotFlags.has(word))
    ? 'dashboard'
    : 'command';
function cacheFile() {
  const env = process.env;
  if (env.PORTHOLE_NO_CODE_CACHE) return undefined;
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? env.XDG_CACHE_HOME
      : env.HOME && path.isAbsolute(env.HOME)
        ? path.join(env.HOME, '.cache')
        : undefined;
  if (base === undefined) return undefined;
  return path.join(base, 'porthole', \`code-${key}-\${process.version}-\${process.arch}-\${kind}.cache\`);
}
// The cache's sum is kept in its first 4 bytes: a torn or rotten file is not used.
${wordSumSource}
const file = cacheFile();
let cachedData;
if (file !== undefined) {
  try {
    const kept = fs.readFileSync(file);
    const payload = kept.subarray(4);
    if (kept.length > 4 && kept.readUInt32LE(0) === wordSum(payload)) {
      cachedData = payload;
    }
  } catch {}
}
const script = new vm.Script(source, {filename: 'porthole', cachedData});
if (process.env.PORTHOLE_CODE_CACHE_REPORT) {
  const taken = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.stderr.write('porthole: code cache ' + taken + '\\n');
}
if (file !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', () => {
    try {
      const v8 = require('node:v8');
      for (const flag of ${JSON.stringify(heapDefaults)}) v8.setFlagsFromString(flag);
      const made = script.createCachedData();
      const bytes = Buffer.alloc(4 + made.length);
      made.copy(bytes, 4);
      bytes.writeUInt32LE(wordSum(bytes.subarray(4)), 0);
      fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
      const temporary = \`\${file}.\${process.pid}.tmp\`;
      fs.writeFileSync(temporary, bytes, {mode: 0o600});
      fs.renameSync(temporary, file);
      for (const name of fs.readdirSync(path.dirname(file))) {
        if (name.startsWith('code-') && !name.includes('-${key}-')) {
          fs.rmSync(path.join(path.dirname(file), name), {force: true});
        }
      }
    } catch {}
  });
}
${runProgram('import.meta.url')}
//#porthole-program
${commented(source)}
`;
}

/** Each line of `source` behind "//", so that the lines are one comment each. */
function commented(source) {
  // Only a line feed may end a line of it: JavaScript ends a comment at \r, U+2028 and U+2029 too.
  if (/[\r\u2028\u2029]/.test(source))
    throw new Error('the program has a line ending other than \\n');
  return source
    .split('\n')
    .map((line) => `//${line}`)
    .join('\n');
}

/** Node's binary for `arch`: this Node for the machine's own, else the npm registry's package. */
function nodeBinary(arch, cacheDir) {
  if (arch === process.arch) return process.execPath;
  const version = process.version.slice(1);
  const dir = path.join(cacheDir, `node-linux-${arch}-${version}`);
  const binary = path.join(dir, 'package/bin/node');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, {recursive: true});
  execFileSync(
    'npm',
    ['pack', `node-linux-${arch}@${version}`, '--silent', '--pack-destination', dir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 300_000,
    },
  );
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
  execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', dir, 'package/bin/node']);
  rmSync(path.join(dir, tarball));
  return binary;
}

function inject(nodePath, blob, out) {
  rmSync(out, {force: true});
  copyFileSync(nodePath, out);
  chmodSync(out, 0o755);
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/postject/dist/cli.js'),
      out,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      fuse,
    ],
    // postject warns of every ELF note it cannot name; only a failure is worth showing.
    {stdio: ['ignore', 'ignore', 'pipe']},
  );
}

/** Writes the executables into `dist`; returns what it wrote, and one line for what it could not. */
export async function buildExecutables({dist, minify = true, arm64 = true, program}) {
  if (process.platform !== 'linux') return {written: [], skipped: ['not Linux: no executables']};
  const work = path.join(dist, '.sea');
  mkdirSync(work, {recursive: true});
  const main = path.join(work, 'main.cjs');
  writeFileSync(main, loader);
  const bundle = path.join(work, 'porthole.js');
  const source = program ?? (await programScript(minify));
  writeFileSync(bundle, source);
  const cache = path.join(work, 'porthole.cache');
  const written = [];
  const skipped = [];
  const warm = await warmCodeCache(work, bundle);
  if (warm.problem) skipped.push(`the warm code cache (${warm.problem}): the top level's only`);
  const cacheBytes = warm.cache ?? codeCache(source);
  writeFileSync(cache, cacheBytes);
  const codeSum = wordSum(Buffer.from(source));
  const arches = [process.arch, ...(arm64 && process.arch !== 'arm64' ? ['arm64'] : [])];
  for (const arch of arches) {
    let binary;
    try {
      binary = nodeBinary(arch, path.join(root, 'node_modules/.cache/porthole-node'));
    } catch (error) {
      skipped.push(
        `linux-${arch}: Node ${process.version} for ${arch} not to be had (${String(error.message).split('\n')[0]})`,
      );
      continue;
    }
    const native = arch === process.arch;
    const blob = path.join(work, `porthole-${arch}.blob`);
    const config = path.join(work, `sea-config-${arch}.json`);
    const sums = path.join(work, `porthole-${arch}.sums`);
    writeFileSync(sums, native ? `${codeSum} ${wordSum(cacheBytes)}` : `${codeSum}`);
    writeFileSync(
      config,
      JSON.stringify({
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        assets: {
          'porthole.js': bundle,
          'porthole.sums': sums,
          // The code cache is V8's own, valid only for the Node that made it.
          ...(native ? {'porthole.cache': cache} : {}),
        },
      }),
    );
    execFileSync(process.execPath, ['--experimental-sea-config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const out = path.join(dist, `porthole-linux-${arch}`);
    inject(binary, blob, out);
    execFileSync('tar', ['-czf', `${out}.tar.gz`, '-C', dist, path.basename(out)]);
    // `sha256sum -c porthole-linux-x64.sha256` beside the file tells a whole copy from a cut one.
    for (const file of [out, `${out}.tar.gz`]) {
      const sum = createHash('sha256').update(readFileSync(file)).digest('hex');
      writeFileSync(`${file}.sha256`, `${sum}  ${path.basename(file)}\n`);
    }
    written.push(out);
  }
  if (!process.env.PORTHOLE_KEEP_SEA_WORK) rmSync(work, {recursive: true, force: true});
  return {written, skipped};
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const dist = path.join(root, 'dist');
  const {written, skipped} = await buildExecutables({
    dist,
    arm64: !process.argv.includes('--no-arm64'),
  });
  for (const line of skipped) console.log(`porthole: ${line}`);
  for (const file of written) {
    const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
    console.log(
      `built ${path.relative(root, file)} (${mib(statSync(file).size)} MiB, .tar.gz ${mib(statSync(`${file}.tar.gz`).size)} MiB)`,
    );
  }
  console.log(`in ${Math.round(performance.now() - started)} ms`);
}
