/** Where the dashboard's keys come from, and whether this terminal can draw it at all. */
import {openSync} from 'node:fs';
import tty from 'node:tty';

let controllingTerminal: tty.ReadStream | undefined;

function openControllingTerminal(): tty.ReadStream | undefined {
  if (controllingTerminal) return controllingTerminal;
  try {
    controllingTerminal = new tty.ReadStream(openSync('/dev/tty', 'r'));
    return controllingTerminal;
  } catch {
    return undefined;
  }
}

/**
 * The keyboard: stdin when it is a terminal, else the controlling terminal (as htop does when
 * something is piped in), so the dashboard never waits on a pipe for keys.
 */
export function keyboard(): NodeJS.ReadStream {
  if (process.stdin.isTTY) return guardKeys(process.stdin);
  return guardKeys(openControllingTerminal() ?? process.stdin);
}

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
export function guardKeys<S extends {read(size?: number): unknown}>(stream: S): S {
  const read = stream.read.bind(stream);
  stream.read = (size?: number) => {
    const chunk = read(size);
    return typeof chunk === 'string' ? withoutUnnamedCtrlKeys(chunk) : chunk;
  };
  return stream;
}

/** Why the dashboard cannot be drawn here (a plain snapshot is printed instead), or undefined. */
export function canDrawDashboard(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TERM === 'dumb')
    return 'TERM=dumb cannot draw the dashboard; printing a snapshot instead';
  if (!process.stdin.isTTY && !openControllingTerminal()) {
    return 'no terminal to read keys from; printing a snapshot instead';
  }
  return undefined;
}
