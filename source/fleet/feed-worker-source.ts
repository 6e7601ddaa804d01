/**
 * The feed worker's code, as one script for `new Worker(source, {eval: true})`. In the bundle
 * this module is replaced by the worker's own prebuilt bundle (scripts/bundle-options.mjs), so the
 * dashboard stays one file; run from source (tsx, vitest) it is built here, once, with esbuild.
 */
import {createRequire} from 'node:module';
import type * as Esbuild from 'esbuild';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

let built: string | undefined;

export function feedWorkerSource(): string {
  if (built !== undefined) return built;
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const result = esbuild.buildSync({
    entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'feed-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  built = result.outputFiles[0]!.text;
  return built;
}
