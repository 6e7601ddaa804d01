import type {BuildOptions} from 'esbuild';

/** esbuild options for a single-file ES module bundle of `entry` at `outfile`. */
export function bundleOptions(options: {
  entry: string;
  outfile: string;
  minify?: boolean;
}): BuildOptions;
