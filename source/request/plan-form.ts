/** The form as a request for the engine, and as a curl command to copy. */
import type {WholeForm} from '../store/request-state.js';
import {parseHeaderLines} from './header-lines.js';
import {parseCurl, toCurl} from './curl.js';
import type {RequestOptions} from './types.js';

export type PlanIo = {askPassword?: (user: string) => Promise<string | undefined>};

export function planForm(
  form: WholeForm,
  _io: PlanIo,
): Promise<{options: RequestOptions; notes: string[]} | string> {
  const headers = parseHeaderLines(form.headers);
  if (typeof headers === 'string') return Promise.resolve(headers);
  if (form.options.trim() !== '') return Promise.resolve('options are not read yet');
  return Promise.resolve({
    options: {
      url: form.url,
      method: form.method,
      headers,
      body: form.body === '' ? undefined : form.body,
      followRedirects: form.followRedirects,
      insecure: form.insecure,
    },
    notes: [],
  });
}

export function curlText(form: WholeForm): string | {problem: string} {
  return toCurl(form);
}

/** Whether pasted text is meant as a curl command (a `$ ` prompt before it is allowed). */
export function looksLikeCurl(text: string): boolean {
  return /^\s*(?:\$\s+)?curl(?:\s|$)/.test(text);
}

/** A pasted curl command as the whole form, with one note naming what the pane ignores. */
export function readPaste(text: string): {form: WholeForm; notes: string[]} | string {
  const parsed = parseCurl(text);
  if (typeof parsed === 'string') return parsed;
  return {
    form: {
      method: parsed.method,
      url: parsed.url,
      headers: parsed.headers,
      body: parsed.body,
      options: '',
      insecure: parsed.insecure,
      followRedirects: parsed.followRedirects,
    },
    notes: [],
  };
}
