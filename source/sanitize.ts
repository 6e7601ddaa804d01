/* eslint-disable no-control-regex -- finding control characters is this module's job */
/**
 * The one gate between text from outside (network, process and interface names, typed or pasted
 * input) and the terminal. Every control character is replaced by a visible, inert spelling, so
 * nothing from outside can move the cursor, clear the screen, set the title or write the clipboard.
 *
 * - C0 controls and DEL in caret notation, as `cat -v` does: ESC -> `^[`, BEL -> `^G`, DEL -> `^?`.
 * - C1 controls (U+0080-U+009F, which some terminals obey like ESC sequences) as `\x9b`.
 * - Invisible format characters that reorder or hide text (bidi overrides, zero-width marks,
 *   line separators) as `<U+202E>`.
 * - Lone surrogates (what invalid UTF-8 becomes once decoded) as U+FFFD.
 */

const unsafeInLine =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const unsafeInText =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return '^' + String.fromCharCode(code + 0x40);
  if (code === 0x7f) return '^?';
  if (code <= 0x9f) return '\\x' + code.toString(16);
  return '<U+' + code.toString(16).toUpperCase().padStart(4, '0') + '>';
}

function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** Makes one line of outside text safe to show: every control character, newlines included, made visible. */
export function sanitizeLine(text: string): string {
  const safe = wellFormed(text);
  unsafeInLine.lastIndex = 0;
  return unsafeInLine.test(safe) ? safe.replace(unsafeInLine, visible) : safe;
}

/**
 * Makes multi-line outside text safe to show, returning its lines. CRLF and LF end lines, a tab
 * becomes spaces to the next 8-column stop, everything else is made visible as in sanitizeLine.
 */
export function sanitizeLines(text: string): string[] {
  return wellFormed(text)
    .split(/\r?\n/)
    .map((line) => expandTabs(line.replace(unsafeInText, visible)));
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const char of line) {
    out += char === '\t' ? ' '.repeat(8 - (out.length % 8)) : char;
  }
  return out;
}

/** Keeps only what a person can type into a one-line field: printable characters, no controls. */
export function typedText(input: string): string {
  return wellFormed(input).replace(unsafeInLine, '');
}
