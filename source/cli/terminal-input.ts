/** Where the dashboard's keys come from, and whether this terminal can draw it at all. */
import {openSync} from 'node:fs';
import tty from 'node:tty';
import {guardInkInput} from '../ink/input.js';

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
  if (process.stdin.isTTY) return guardInkInput(process.stdin);
  return guardInkInput(openControllingTerminal() ?? process.stdin);
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
