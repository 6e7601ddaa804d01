/**
 * The host reader's code (host-reader.ts), as one CommonJS script to send to a host. In the bundle
 * this module is replaced by the reader's own prebuilt, minified bundle (scripts/bundle-options.mjs),
 * so the dashboard stays one file; run from source (tsx, vitest) it is built here, once, with esbuild.
 */
import {createRequire} from 'node:module';
import type * as Esbuild from 'esbuild';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

let built: string | undefined;

export function hostReaderSource(): string {
  if (built !== undefined) return built;
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const result = esbuild.buildSync({
    entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'host-reader.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    // The portable fallbacks are never taken on a Linux host with /proc; they stay out of the file.
    external: ['systeminformation'],
    write: false,
    logLevel: 'warning',
  });
  built = result.outputFiles[0]!.text;
  return built;
}
