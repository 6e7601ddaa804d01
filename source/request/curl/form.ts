/**
 * The Request pane's form as a curl command and back. The form holds the method, the URL, the -H
 * lines, a literal body, and every other curl option as shell words; "copy as curl" writes a
 * command that reads back into the same form and that curl sends byte for byte as porthole does.
 */
import {curlEscape} from './plan.js';
import {emptyCommand, readCurlArgs, takesValue} from './read.js';
import {shellQuote, shellWords} from './shell-words.js';
import type {CurlCommand, DataPart} from './types.js';

export type CurlForm = {
  method: string;
  url: string;
  /** One -H argument per line. */
  headers: string;
  /** Sent as --data-raw when not empty. */
  body: string;
  /** Every other curl option, as shell words. */
  options: string;
  insecure: boolean;
  followRedirects: boolean;
};

const literal = (part: DataPart) => part.kind === 'raw' || !part.value.startsWith('@');

/** A data part whose bytes are known without reading anything, as curl would send them. */
function literalText(part: DataPart): string {
  if (part.kind !== 'urlencode') return part.value;
  const {value} = part;
  const equals = value.indexOf('=');
  if (equals === -1) return curlEscape(value);
  const name = value.slice(0, equals);
  const content = curlEscape(value.slice(equals + 1));
  return name === '' ? content : `${name}=${content}`;
}

function joinedData(parts: DataPart[]): string {
  return parts
    .map((part, index) => (index > 0 && part.kind !== 'json' ? '&' : '') + literalText(part))
    .join('');
}

function dataFlag(kind: DataPart['kind']): string {
  return kind === 'ascii' ? '--data' : kind === 'json' ? '--json' : `--data-${kind}`;
}

/** The method curl would use for this command without -X. */
function impliedMethod(command: CurlCommand): string {
  if (command.head) return 'HEAD';
  if (command.upload !== undefined) return 'PUT';
  if ((command.data.length > 0 && !command.get) || command.form.length > 0) return 'POST';
  return 'GET';
}

function queryJoin(url: string, query: string): string {
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  return base + (base.includes('?') ? '&' : '?') + query;
}

/** A command read from a paste (or the command line) as the pane's form. */
export function formOfCommand(command: CurlCommand): CurlForm {
  const headers = [...command.headers];
  let url = command.url;
  let body = '';
  const options: string[] = [];
  const dataLiteral = command.data.length > 0 && command.data.every(literal);
  if (dataLiteral && command.get) {
    url = queryJoin(url, joinedData(command.data));
  } else if (dataLiteral) {
    body = joinedData(command.data);
    if (command.data.some((part) => part.kind === 'json')) {
      const named = (name: string) =>
        headers.some((line) => line.split(/[:;]/, 1)[0]?.trim().toLowerCase() === name);
      const type = named('content-type');
      const accept = named('accept');
      if (!type) headers.push('Content-Type: application/json');
      if (!accept) headers.push('Accept: application/json');
    }
  } else if (command.data.length > 0) {
    if (command.get) options.push('-G');
    for (const part of command.data) options.push(dataFlag(part.kind), part.value);
  }
  const method = command.method ?? impliedMethod(command);
  options.push(...optionWords(command));
  return {
    method,
    url,
    headers: headers.join('\n'),
    body,
    options: options.map(shellQuote).join(' '),
    insecure: command.insecure,
    followRedirects: command.location,
  };
}

/** The options of a command that the form keeps as words: all but method, URL, -H, data, -k, -L. */
function optionWords(command: CurlCommand): string[] {
  const words: string[] = [];
  const add = (flag: string, value?: string) => {
    words.push(flag);
    if (value !== undefined) words.push(value);
  };
  for (const part of command.form) {
    const marker = part.source === 'file' ? '@' : part.source === 'content' ? '<' : '';
    const plain = part.source === 'text' && /^[@<]/.test(part.value);
    // A value that curl would cut at `;` or read as quoted is written in double quotes.
    const quoted =
      !plain && /^"|;/.test(part.value)
        ? `"${part.value.replace(/["\\]/g, (char) => `\\${char}`)}"`
        : part.value;
    let value = `${part.name}=${marker}${quoted}`;
    if (part.type !== undefined) value += `;type=${part.type}`;
    if (part.filename !== undefined) value += `;filename=${part.filename}`;
    add(plain ? '--form-string' : '-F', value);
  }
  if (command.upload !== undefined) add('-T', command.upload);
  for (const query of command.urlQuery) add('--url-query', query);
  if (command.user !== undefined) add('-u', command.user);
  if (command.bearer !== undefined) add('--oauth2-bearer', command.bearer);
  if (command.userAgent !== undefined) add('-A', command.userAgent);
  if (command.referer !== undefined) add('-e', command.referer);
  for (const cookie of command.cookies) add('-b', cookie);
  if (command.cookieJar !== undefined) add('-c', command.cookieJar);
  if (command.range !== undefined) add('-r', command.range);
  if (command.compressed) add('--compressed');
  if (command.maxRedirs !== undefined) add('--max-redirs', String(command.maxRedirs));
  if (command.maxTimeSeconds !== undefined) add('-m', String(command.maxTimeSeconds));
  if (command.connectTimeoutSeconds !== undefined) {
    add('--connect-timeout', String(command.connectTimeoutSeconds));
  }
  for (const entry of command.resolve) add('--resolve', entry);
  for (const entry of command.connectTo) add('--connect-to', entry);
  if (command.unixSocket !== undefined) add('--unix-socket', command.unixSocket);
  if (command.cacert !== undefined) add('--cacert', command.cacert);
  if (command.capath !== undefined) add('--capath', command.capath);
  if (command.cert !== undefined) add('--cert', command.cert);
  if (command.certType !== undefined) add('--cert-type', command.certType);
  if (command.key !== undefined) add('--key', command.key);
  if (command.keyType !== undefined) add('--key-type', command.keyType);
  if (command.pass !== undefined) add('--pass', command.pass);
  if (command.pinnedPublicKey !== undefined) add('--pinnedpubkey', command.pinnedPublicKey);
  if (command.pathAsIs === true) add('--path-as-is');
  if (command.family !== undefined) add(command.family === 4 ? '-4' : '-6');
  if (command.httpVersion !== undefined) add(`--http${command.httpVersion}`);
  return words;
}

/** The curl arguments the form stands for (after `curl`), or why the options cannot be read. */
export function formArgs(form: CurlForm): string[] | string {
  const options = shellWords(form.options);
  if (typeof options === 'string') return `options: ${options}`;
  const args: string[] = [];
  const headers = form.headers.split(/\r?\n/).filter((line) => line.trim() !== '');
  // Read once without -X to learn the method curl would choose by itself.
  const probe = readCurlArgs([
    form.url || 'http://localhost/',
    ...(form.body === '' ? [] : ['--data-raw', form.body]),
    ...options,
  ]);
  const implied = typeof probe === 'string' ? undefined : impliedMethod(probe);
  args.push(form.url);
  if (form.method === 'HEAD' && implied === 'GET') args.push('-I');
  else if (form.method !== implied) args.push('-X', form.method);
  for (const line of headers) args.push('-H', line);
  if (form.body !== '') args.push('--data-raw', form.body);
  args.push(...options);
  if (form.insecure) args.push('-k');
  if (form.followRedirects) args.push('-L');
  return args;
}

/** The form as a command to plan and send, or the one line that says what in it is wrong. */
export function commandOfForm(form: CurlForm): CurlCommand | string {
  if (form.url.trim() === '') return 'no URL yet';
  const args = formArgs(form);
  if (typeof args === 'string') return args;
  return readCurlArgs(args);
}

/** "Copy as curl": one line, or one option per line with ` \` continuations. */
export function toCurl(form: CurlForm, options: {multiline?: boolean} = {}): string {
  const args = formArgs(form);
  const words = typeof args === 'string' ? [form.url] : args;
  const lines: string[] = ['curl'];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    if (takesValue(word) && index + 1 < words.length) {
      lines.push(`${shellQuote(word)} ${shellQuote(words[index + 1] ?? '')}`);
      index++;
    } else {
      lines.push(shellQuote(word));
    }
  }
  // The URL stays on the first line, as browsers write it.
  const [command = 'curl', url, ...rest] = lines;
  const first = url === undefined ? command : `${command} ${url}`;
  return options.multiline ? [first, ...rest].join(' \\\n  ') : [first, ...rest].join(' ');
}

/** An empty form: GET, no URL, nothing else. */
export function emptyForm(): CurlForm {
  return formOfCommand({...emptyCommand(), url: ''});
}
