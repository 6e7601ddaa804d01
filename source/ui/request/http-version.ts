/**
 * The HTTP version of the form, which lives in its options as curl's own word (`--http2`), so the
 * form stays a curl command: read from the options, and stepped by changing just that word.
 */
import {shellQuote, shellWords} from '../../request/curl/shell-words.js';
import {takesValue} from '../../request/curl/read.js';
import type {HttpVersionChoice} from '../../request/types.js';

const versionOfWord: ReadonlyMap<string, HttpVersionChoice> = new Map([
  ['-0', '1.0'],
  ['--http1.0', '1.0'],
  ['--http1.1', '1.1'],
  ['--http2', '2'],
  ['--http2-prior-knowledge', '2-prior-knowledge'],
]);

/** What the key steps through; undefined is curl's own choice (HTTP/2 by ALPN on https). */
const cycle: ReadonlyArray<HttpVersionChoice | undefined> = [
  undefined,
  '1.1',
  '2',
  '2-prior-knowledge',
];

const wordOf: Record<HttpVersionChoice, string> = {
  '1.0': '--http1.0',
  '1.1': '--http1.1',
  '2': '--http2',
  '2-prior-knowledge': '--http2-prior-knowledge',
};

/** How the pane names the choice. */
export function httpVersionLabel(version: HttpVersionChoice | undefined): string {
  if (version === undefined) return 'HTTP auto';
  return version === '2-prior-knowledge' ? 'HTTP/2 prior knowledge' : `HTTP/${version}`;
}

/** Positions of the words that choose a version: options, not the value of another (`-A --http2`). */
function versionPositions(words: readonly string[]): number[] {
  const positions: number[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    if (versionOfWord.has(word)) positions.push(index);
    else if (takesValue(word)) index++;
  }
  return positions;
}

/** The version the options ask for: the last such option wins, as in curl. */
export function httpVersionOf(options: string): HttpVersionChoice | undefined {
  const words = shellWords(options);
  if (typeof words === 'string') return undefined;
  const last = versionPositions(words).at(-1);
  return last === undefined ? undefined : versionOfWord.get(words[last] ?? '');
}

const sameWords = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((word, index) => word === b[index]);

/** A bare version word with the space before it (or after it, at the start). */
const bareVersionWord =
  /(^|[ \t\n]+)(?:--http1\.0|--http1\.1|--http2-prior-knowledge|--http2|-0)(?=[ \t\n]|$)[ \t]*/g;

/** The options without their version words, the rest of the text as it was typed. */
function withoutVersion(options: string): string {
  let text = options;
  for (;;) {
    const words = shellWords(text);
    if (typeof words === 'string') return text;
    const positions = versionPositions(words);
    if (positions.length === 0) return text;
    let cut: string | undefined;
    for (const match of text.matchAll(bareVersionWord)) {
      const start = match.index;
      const [whole, before = ''] = match;
      // Mid-text the space before goes; at the start the space after.
      const trailing = whole.length - whole.trimEnd().length;
      const candidate =
        before === ''
          ? text.slice(0, start) + text.slice(start + whole.length)
          : text.slice(0, start) + text.slice(start + whole.length - trailing);
      const after = shellWords(candidate);
      if (
        typeof after !== 'string' &&
        positions.some((at) => sameWords(after, words.toSpliced(at, 1)))
      ) {
        cut = candidate;
        break;
      }
    }
    // A version word that is quoted or run together: the words are written afresh.
    if (cut === undefined) {
      const drop = new Set(positions);
      return words
        .filter((_, index) => !drop.has(index))
        .map(shellQuote)
        .join(' ');
    }
    text = cut;
  }
}

/** The options with the next version of the cycle: auto → 1.1 → 2 → 2 prior knowledge → auto. */
export function nextHttpVersion(options: string): {
  options: string;
  version: HttpVersionChoice | undefined;
} {
  const current = httpVersionOf(options);
  // HTTP/1.0 sits just before 1.1.
  const at = current === '1.0' ? 0 : cycle.indexOf(current);
  const version = cycle[(at + 1) % cycle.length];
  const rest = withoutVersion(options);
  if (version === undefined) return {options: rest.trim() === '' ? '' : rest, version};
  const word = wordOf[version];
  return {options: rest.trim() === '' ? word : `${rest.trimEnd()} ${word}`, version};
}
