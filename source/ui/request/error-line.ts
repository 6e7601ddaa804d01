/** A failed exchange as the status line shows it. Pure. */
import {insecureHint} from '../../request/errors.js';
import {sanitizeLine} from '../../sanitize.js';
import {screenful} from '../table.js';
import {textWidth} from '../../ink/text-width.js';

/** What the engine says in curl's words, in the pane's: its key for curl -k is `!`. */
const paneHint = '(! to skip it, as curl -k)';

/** The first (or last) characters of `text` that fit in `width` columns. */
function part(text: string, width: number, from: 'start' | 'end'): string {
  const chars = from === 'start' ? [...text] : [...text].reverse();
  const kept: string[] = [];
  let used = 0;
  for (const char of chars) {
    const charWidth = textWidth(char);
    if (used + charWidth > width) break;
    kept.push(char);
    used += charWidth;
  }
  return (from === 'start' ? kept : kept.reverse()).join('');
}

/**
 * One line of at most `width` columns. A message too long is cut in the middle, not at the end:
 * its end says what to do (a hint in parentheses), and that part stays whole.
 */
export function errorLine(message: string, width: number): string {
  let text = sanitizeLine(screenful(message.replace(insecureHint, paneHint), width * 2));
  if (textWidth(text) <= width) return text;
  const hint = /\s(\([^()]*\))$/.exec(text)?.[1];
  // Details in parentheses before the hint (a certificate's subject) go first.
  if (hint !== undefined) {
    const body = text
      .slice(0, -hint.length)
      .replace(/\s*\([^()]*\)/g, '')
      .trimEnd();
    text = `${body} ${hint}`;
    if (textWidth(text) <= width) return text;
  }
  const tailWidth =
    hint !== undefined && textWidth(hint) + 12 <= width
      ? textWidth(hint) + 1
      : Math.floor(width / 3);
  const head = part(text, Math.max(1, width - tailWidth - 1), 'start').trimEnd();
  return `${head}…${part(text, tailWidth, 'end')}`;
}
