/**
 * Writes dist/porthole.1, the man page, from source/cli/man-page.ts: bundled in memory with esbuild
 * and imported from a data: URL, so nothing but the page is left behind. The build calls
 * writeManPage; `node scripts/build-man.mjs` writes the page alone.
 */
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';

/** Builds the page from `root`'s sources into `dist`/porthole.1; returns the file written. */
export async function writeManPage(root, dist) {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'source/cli/man-page.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // CommonJS dependencies require() Node's built-ins; a module from a data: URL has no require.
    banner: {
      js: `import {createRequire as __manRequire} from 'node:module'; const require = __manRequire(${JSON.stringify(pathToFileURL(path.join(root, 'package.json')).href)});`,
    },
  });
  const code = result.outputFiles[0].text;
  const {manPage} = await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  );
  const file = path.join(dist, 'porthole.1');
  await mkdir(dist, {recursive: true});
  await writeFile(file, manPage());
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const file = await writeManPage(root, path.join(root, 'dist'));
  console.log(`built ${path.relative(root, file)}`);
}
