/**
 * What one frame of the dashboard costs: bundles bench/frames-app.tsx with dist/porthole.mjs's
 * options (scripts/bundle-options.mjs) into .bench/, runs it in a process of its own, and returns
 * its figures. Deterministic input (synthetic sockets), so two builds compare on any machine.
 *
 * Run: node --import tsx bench/frames.ts [sockets] [churn] [frames] [columns] [rows]
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import * as esbuild from 'esbuild';
import {bundleOptions} from '../scripts/bundle-options.mjs';

const root = path.resolve(import.meta.dirname, '..');

export type FrameCost = {
  sockets: number;
  churn: number;
  frames: number;
  size: string;
  /** Median CPU of one frame: the store write, React's render and commit, Ink's output. */
  cpuMs: number;
  /** Young-generation collections per frame, on average. */
  scavenges: number;
};

export async function frameCost(args: number[] = []): Promise<FrameCost> {
  const outfile = path.join(root, '.bench', 'frames-app.mjs');
  mkdirSync(path.dirname(outfile), {recursive: true});
  await esbuild.build(bundleOptions({entry: path.join(root, 'bench/frames-app.tsx'), outfile}));
  const output = execFileSync(process.execPath, [outfile, ...args.map(String)], {
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as FrameCost;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await frameCost(process.argv.slice(2).map(Number)));
}
