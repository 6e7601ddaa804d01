/**
 * How Ink 6.8 hands keys over, and what porthole does about it: keys that crash it are dropped
 * before it reads them, and what it hands over in one piece is recognised for what it is.
 */
import type {Key} from 'ink';

/** An escape sequence as Ink's key parser reads one (its fnKeyRe): `ESC [1;5P`, `ESC [6n`, ... */
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const functionKey = /\u001B+\[\[?(?:(\d+)(?:;(\d+))?([~^$])|(?:1;)?(\d+)?([a-zA-Z]))/g;
/** The keys with Ctrl held that Ink names: arrows, Home, End, Insert, Delete, Page Up/Down. */
const namedWithCtrl = /^\[(?:[A-FH]|[1-8]~)$/;

/**
 * Ink 6.8 throws on a key with Ctrl held that it cannot name (vadimdemedes/ink#901), which ends
 * the dashboard: Ctrl+F1 is `ESC [1;5P` in xterm, and pasted text with `ESC [6n` reads the same
 * way. No binding uses such a key, so they are dropped before Ink parses them.
 */
export function withoutUnnamedCtrlKeys(input: string): string {
  if (!input.includes('\u001B')) return input;
  return input.replace(functionKey, (sequence, number, tildeModifier, tilde, modifier, letter) => {
    const bits = Number(tildeModifier ?? modifier ?? 1) - 1;
    const code = tilde === undefined ? `[${letter}` : `[${number}${tilde}`;
    return bits & 4 && !namedWithCtrl.test(code) ? '' : sequence;
  });
}

/** Makes what Ink reads from `stream` pass through withoutUnnamedCtrlKeys. */
export function guardInkInput<S extends {read(size?: number): unknown}>(stream: S): S {
  const read = stream.read.bind(stream);
  stream.read = (size?: number) => {
    const chunk = read(size);
    return typeof chunk === 'string' ? withoutUnnamedCtrlKeys(chunk) : chunk;
  };
  return stream;
}

/**
 * Whether Ink handed over several keys as one input. Ink 6.8 hands over everything between two
 * escape sequences that arrived in one read as one input: keys typed faster than a frame, or
 * repeated by the keyboard, come as "jjj" or "\t/:80\r", with no key named.
 */
export function isInkKeyRun(input: string, key: Key): boolean {
  const named =
    key.upArrow ||
    key.downArrow ||
    key.leftArrow ||
    key.rightArrow ||
    key.pageUp ||
    key.pageDown ||
    key.home ||
    key.end ||
    key.return ||
    key.escape ||
    key.tab ||
    key.backspace ||
    key.delete ||
    key.ctrl;
  return !named && [...input].length > 1;
}

/**
 * Bracketed paste (`ESC [200~` text `ESC [201~`) as Ink 6.8 hands it over: its markers as inputs
 * of their own with the ESC taken off, and the text between them as ordinary input, in one or
 * more parts, Enter and Tab in it reported as keys. Ink 7 hands a paste over whole (usePaste).
 */
export const inkPasteMarkers = {start: '[200~', end: '[201~'} as const;
