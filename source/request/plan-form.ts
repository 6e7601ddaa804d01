/**
 * The pane's form through the curl reader: a paste into a form, a form into the engine's options
 * (files read here, the password asked for), and the form as a command to copy.
 */
import {readFile} from 'node:fs/promises';
import type {WholeForm} from '../store/request-state.js';
import {
  commandOfForm,
  formOfCommand,
  planRequest,
  readCurlText,
  toCurl,
  type CurlCommand,
} from './curl/index.js';
import type {RequestOptions} from './types.js';

export type PlanIo = {askPassword?: (user: string) => Promise<string | undefined>};

/** The options that only shape curl's own output, as written: the pane shows the response itself. */
export function outputFlags(command: CurlCommand): string[] {
  const {output} = command;
  const flags: string[] = [];
  if (output.silent) flags.push('-s');
  if (output.showError) flags.push('-S');
  if (output.verbose) flags.push('-v');
  if (output.include) flags.push('-i');
  if (output.fail) flags.push('-f');
  if (output.output !== undefined) flags.push(`-o ${output.output}`);
  if (output.remoteName) flags.push('-O');
  if (output.writeOut !== undefined) flags.push('-w');
  if (command.cookieJar !== undefined) flags.push(`-c ${command.cookieJar}`);
  return [...flags, ...command.ignored];
}

function ignoredNote(command: CurlCommand, withIgnored = true): string[] {
  const flags = withIgnored ? outputFlags(command) : outputFlags({...command, ignored: []});
  return flags.length === 0
    ? []
    : [`ignored here (they shape curl's own output): ${flags.join(' ')}`];
}

/** The form as the engine's options, or the one line that says why it cannot be sent. */
export async function planForm(
  form: WholeForm,
  io: PlanIo,
): Promise<{options: RequestOptions; notes: string[]} | string> {
  const command = commandOfForm(form);
  if (typeof command === 'string') return command;
  const planned = await planRequest(command, {
    readFile: (file) => readFile(file),
    askPassword: io.askPassword,
  });
  if (typeof planned === 'string') return planned;
  // The plan's notes already name the options that have no effect.
  return {options: planned.options, notes: [...ignoredNote(command, false), ...planned.notes]};
}

/** The form as a command to copy: one option per line. */
export function curlText(form: WholeForm): string | {problem: string} {
  return toCurl(form, {multiline: true});
}

/** Whether pasted text is meant as a curl command (a `$ ` prompt before it is allowed). */
export function looksLikeCurl(text: string): boolean {
  return /^\s*(?:\$\s+)?curl(?:\.exe)?(?:\s|$)/i.test(text);
}

/** A pasted curl command as the whole form, with one note naming what the pane ignores. */
export function readPaste(text: string): {form: WholeForm; notes: string[]} | string {
  const command = readCurlText(text);
  if (typeof command === 'string') return command;
  return {form: formOfCommand(command), notes: ignoredNote(command)};
}

/** The credentials the form's command carries, by the option or header that carries them. */
export function credentialsIn(form: WholeForm): string[] {
  const command = commandOfForm(form);
  if (typeof command === 'string') return [];
  const found: string[] = [];
  if (command.user !== undefined) found.push('-u');
  if (command.bearer !== undefined) found.push('--oauth2-bearer');
  if (command.cookies.length > 0) found.push('-b');
  for (const line of command.headers) {
    const name = (line.split(/[:;]/, 1)[0] ?? '').trim();
    if (/^(authorization|proxy-authorization|cookie)$/i.test(name)) found.push(name);
  }
  return found;
}
