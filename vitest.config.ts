import {readFile} from 'node:fs/promises';
import type {Plugin} from 'vite';
import {defineConfig} from 'vitest/config';
import {inkImporters, inkModuleSwap, packageAliases} from './source/ink/patches.mjs';

// The tests run the Ink that ships: the bundle's swaps (source/ink/patches.mjs) applied here too.
// Vitest hands node_modules to Node as they are, so Ink and the packages that import an aliased
// one are inlined, to pass through this plugin and the aliases.
const inkModuleSwaps: Plugin = {
  name: 'ink-module-swaps',
  enforce: 'pre',
  resolveId(specifier, importer) {
    return inkModuleSwap(specifier, importer)?.by;
  },
};

// Ink's build/ (and ink-testing-library's) names source maps of a src/ it does not ship; loaded
// without them, its inlined modules do not each warn of it.
const withoutSourceMaps: Plugin = {
  name: 'ink-without-source-maps',
  async load(id) {
    if (!/\/node_modules\/ink[^/]*\/build\/.*\.js$/.test(id)) return undefined;
    return {code: await readFile(id, 'utf8'), map: {mappings: ''}};
  },
};

export default defineConfig({
  plugins: [inkModuleSwaps, withoutSourceMaps],
  resolve: {
    alias: packageAliases.map(({name, by}) => ({find: new RegExp(`^${name}$`), replacement: by})),
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Ink draws only the last frame when it believes it runs in CI; tests need every frame.
    env: {CI: 'false', NO_COLOR: ''},
    testTimeout: 20_000,
    hookTimeout: 20_000,
    server: {
      deps: {inline: inkImporters.map((name) => new RegExp(`/node_modules/${name}/`))},
    },
  },
});
