/**
 * string-width as the bundle and the tests hand it to Ink and to porthole (patches.mjs): the
 * simple answer when there is one (simple-width.ts), string-width itself, loaded on first need,
 * for the rest. Loaded with require(), so that the bundle loads string-width, and its segmenter
 * and emoji expression, when this first asks rather than when the dashboard starts.
 */
import type {Options} from 'string-width';
import {simpleWidth} from './simple-width.js';

type StringWidth = (text: string, options?: Options) => number;

let full: StringWidth | undefined;

export default function stringWidth(text: string, options?: Options): number {
  if (options === undefined && typeof text === 'string') {
    const width = simpleWidth(text);
    if (width !== undefined) return width;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first need, see above
  full ??= (require('../../node_modules/string-width/index.js') as {default: StringWidth}).default;
  return full(text, options);
}
