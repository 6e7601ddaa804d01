/**
 * Credentials do not follow a request to another host, as curl drops Authorization and Cookie on a
 * redirect to one: the form's `Authorization`/`Cookie` headers and its `-u`, `--oauth2-bearer` and
 * `-b` options belong to the host they were entered for. Pure.
 */
import type {RequestForm} from '../store/request-state.js';
import {shellQuote, shellWords} from './curl/shell-words.js';

const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Options that carry a credential in the next word (or attached, for the short ones). */
const credentialOptions: Record<string, string> = {
  '-u': '-u',
  '--user': '-u',
  '--oauth2-bearer': '--oauth2-bearer',
  '-b': '-b',
  '--cookie': '-b',
};
const headerOptions = new Set(['-H', '--header']);

/** `host[:port]` of a URL as curl would send to it (http:// for a URL without a scheme). */
export function hostOf(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  try {
    const parsed = new URL(
      /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`,
    );
    return parsed.host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

function headerName(line: string): string {
  const end = line.search(/[:;]/);
  return (end === -1 ? line : line.slice(0, end)).trim();
}

function isCredentialHeader(line: string): boolean {
  return credentialHeaders.has(headerName(line).toLowerCase());
}

/** The form without its credentials, and what was dropped (`Authorization`, `-u`, …), in order. */
export function withoutCredentials(form: RequestForm): {form: RequestForm; dropped: string[]} {
  const dropped: string[] = [];
  const note = (what: string) => {
    if (!dropped.includes(what)) dropped.push(what);
  };
  const headerLines = form.headers.split('\n');
  const keptLines = headerLines.filter((line) => {
    if (!isCredentialHeader(line)) return true;
    note(headerName(line));
    return false;
  });
  let {options} = form;
  const words = shellWords(form.options);
  if (typeof words !== 'string') {
    const kept: string[] = [];
    for (let index = 0; index < words.length; index++) {
      const word = words[index] ?? '';
      const next = words[index + 1];
      const option = credentialOptions[word];
      if (option !== undefined) {
        note(option);
        index++;
        continue;
      }
      if (headerOptions.has(word) && next !== undefined && isCredentialHeader(next)) {
        note(headerName(next));
        index++;
        continue;
      }
      // -ubob, -bsid=1: the value attached to the short option.
      const attached = /^-([ub])./.exec(word);
      if (attached) {
        note(`-${attached[1]}`);
        continue;
      }
      // -ku bob: a cluster of flags ending in the option that takes the next word.
      const cluster = /^-([a-zA-Z0-9]+)([ub])$/.exec(word);
      if (cluster?.[1] !== undefined && next !== undefined) {
        note(`-${cluster[2]}`);
        kept.push(`-${cluster[1]}`);
        index++;
        continue;
      }
      kept.push(word);
    }
    if (kept.length !== words.length) options = kept.map(shellQuote).join(' ');
  }
  return {
    form: {...form, headers: keptLines.join('\n'), options},
    dropped,
  };
}

/** Whether the form carries any credential that withoutCredentials would drop. */
export function hasCredentials(form: RequestForm): boolean {
  return withoutCredentials(form).dropped.length > 0;
}
