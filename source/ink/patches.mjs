/**
 * The modules porthole puts in Ink 6.8's place: one list, read by the bundle
 * (scripts/bundle-options.mjs) and by the tests (vitest.config.ts), so that the tests run the Ink
 * that ships. README.md in this folder says what each one fixes and which test shows it.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Ink's own modules swapped for porthole's, named as Ink's build/ imports them. */
export const inkModuleSwaps = [
  {
    replaces: './output.js',
    by: path.join(here, 'frame-output.ts'),
    why: 'Ink builds each frame with a new Output whose caches die with it; the stand-in keeps them across frames and reuses unchanged rows',
  },
  {
    replaces: './measure-text.js',
    by: path.join(here, 'measure-text.ts'),
    why: 'Ink remembers the size of every text it ever measured; the stand-in forgets',
  },
];

/** Packages imported by Ink, its dependencies and porthole, given porthole's module instead. */
export const packageAliases = [
  {
    name: 'string-width',
    by: path.join(here, 'string-width.ts'),
    why: 'one string-width (wrap-ansi pins 7 where Ink uses 8), loaded only when text needs it',
  },
  {
    name: 'widest-line',
    by: path.join(here, 'text-width.ts'),
    why: 'Ink measures every text node of every frame with widest-line; porthole remembers',
  },
];

/**
 * The packages in node_modules that import Ink or one of packageAliases. The bundle sends all of
 * them through its resolver; the tests must name them, for Vitest hands node_modules to Node.
 */
export const inkImporters = ['ink', 'ink-testing-library', 'wrap-ansi', 'cli-truncate'];

/** Whether `importer` (a path with either separator) is one of Ink's built modules. */
export function isInkModule(importer) {
  return importer.split(path.sep).join('/').includes('/node_modules/ink/build/');
}

/** The swap for `specifier` imported by `importer`, or undefined. */
export function inkModuleSwap(specifier, importer) {
  if (importer === undefined || !isInkModule(importer)) return undefined;
  return inkModuleSwaps.find((swap) => swap.replaces === specifier);
}
