/**
 * `porthole explain WORD…`: the explain panel's words on the command line. The words together are
 * tried first (`this host`, `time wait`), then each on its own. Exit 0 when everything was
 * explained, 1 when a word was not (one line on stderr for each), 2 with no word at all.
 */
import {explain} from '../explain/lookup.js';
import {explanationText} from '../explain/render.js';
import type {Explanation} from '../explain/types.js';
import {sanitizeLine} from '../sanitize.js';

export type ExplainIo = {
  stdout: {write(text: string): unknown; isTTY?: boolean; columns?: number};
  stderr: {write(text: string): unknown};
};

export const explainUsage =
  'usage: porthole explain WORD…  (an address, a socket state, reach, a status code or class, a method, a header)';

/** Wrapped to the terminal, or to 80 columns for a pipe or a terminal that says no width. */
function widthOf(stdout: ExplainIo['stdout']): number {
  const columns = stdout.isTTY ? stdout.columns : undefined;
  return columns !== undefined && columns >= 20 ? columns : 80;
}

export function runExplainCommand(args: readonly string[], io: ExplainIo): number {
  if (args[0] === '--help' || args[0] === '-h') {
    io.stdout.write(explainUsage + '\n');
    return 0;
  }
  const words = args.filter((word) => word.trim() !== '');
  if (words.length === 0) {
    io.stderr.write(explainUsage + '\n');
    return 2;
  }
  const whole = words.length > 1 ? explain(words.join(' ')) : undefined;
  const found: Explanation[] = [];
  const unknown: string[] = [];
  if (whole) found.push(whole);
  else {
    for (const word of words) {
      const explanation = explain(word);
      if (explanation) found.push(explanation);
      else unknown.push(word);
    }
  }
  if (found.length > 0) {
    const text = explanationText(found, widthOf(io.stdout));
    io.stdout.write(text.split('\n').map(sanitizeLine).join('\n') + '\n');
  }
  for (const word of unknown) {
    io.stderr.write(`porthole: nothing to explain about "${sanitizeLine(word)}"\n`);
  }
  return unknown.length > 0 ? 1 : 0;
}
