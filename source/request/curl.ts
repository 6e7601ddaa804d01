/**
 * "Copy as curl" and "paste a curl command": a request form to a shell-safe curl command line and
 * back. The parser reads the POSIX shell quoting people paste (single and double quotes, backslash
 * escapes, line continuations, $'…') and the curl options that describe a request; options that only
 * change what curl prints are accepted and ignored, anything else is refused by name.
 */
import {parseHeaderLine} from './header-lines.js';
import {shellQuote, shellWords} from './curl/shell-words.js';

export type CurlForm = {
  method: string;
  url: string;
  /** One `Name: value` per line. */
  headers: string;
  body: string;
  insecure: boolean;
  followRedirects: boolean;
  timeoutSeconds?: number;
  connectTimeoutSeconds?: number;
};

export function toCurl(form: CurlForm): string {
  const words = ['curl'];
  const hasBody = form.body !== '';
  if (form.method === 'HEAD' && !hasBody) words.push('--head');
  else if (!(form.method === 'GET' && !hasBody) && !(form.method === 'POST' && hasBody)) {
    words.push('-X', shellQuote(form.method));
  }
  words.push(shellQuote(form.url));
  for (const line of form.headers.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const header = parseHeaderLine(line);
    // curl reads `Name;` as "send this header empty" and `Name:` as "do not send it".
    const text = typeof header === 'string' ? line.trim() : headerArgument(header[0], header[1]);
    words.push('-H', shellQuote(text));
  }
  if (hasBody) words.push('--data-raw', shellQuote(form.body));
  if (form.insecure) words.push('-k');
  if (form.followRedirects) words.push('-L');
  if (form.timeoutSeconds !== undefined) words.push('--max-time', String(form.timeoutSeconds));
  if (form.connectTimeoutSeconds !== undefined) {
    words.push('--connect-timeout', String(form.connectTimeoutSeconds));
  }
  return words.join(' ');
}

function headerArgument(name: string, value: string): string {
  return value === '' ? `${name};` : `${name}: ${value}`;
}

type ParseState = {
  method: string | undefined;
  head: boolean;
  get: boolean;
  urls: string[];
  headers: Array<[string, string]>;
  implied: Array<[string, string]>;
  data: Array<{text: string; separator: string}>;
  insecure: boolean;
  followRedirects: boolean;
  timeoutSeconds: number | undefined;
  connectTimeoutSeconds: number | undefined;
};

type Option = {value: boolean; apply?: (state: ParseState, value: string) => string | undefined};

const ignored: Option = {value: false};
const ignoredWithValue: Option = {value: true};

function data(fromFile: boolean): Option {
  return {
    value: true,
    apply(state, value) {
      if (fromFile && value.startsWith('@')) {
        return `reading the body from a file (${value}) is not supported; paste the body instead`;
      }
      state.data.push({text: value, separator: '&'});
      return undefined;
    },
  };
}

function seconds(key: 'timeoutSeconds' | 'connectTimeoutSeconds', flag: string): Option {
  return {
    value: true,
    apply(state, value) {
      const number = Number(value);
      if (!Number.isFinite(number) || number <= 0) return `${flag} needs a number of seconds`;
      state[key] = number;
      return undefined;
    },
  };
}

const longOptions: Record<string, Option> = {
  request: {
    value: true,
    apply(state, value) {
      state.method = value;
      return undefined;
    },
  },
  header: {
    value: true,
    apply(state, value) {
      const header = curlHeader(value);
      if (typeof header === 'string') return header;
      state.headers.push(header);
      return undefined;
    },
  },
  data: data(true),
  'data-ascii': data(true),
  'data-binary': data(true),
  'data-raw': data(false),
  json: {
    value: true,
    apply(state, value) {
      if (value.startsWith('@')) {
        return `reading the body from a file (${value}) is not supported; paste the body instead`;
      }
      state.data.push({text: value, separator: ''});
      state.implied.push(['Content-Type', 'application/json'], ['Accept', 'application/json']);
      return undefined;
    },
  },
  head: {
    value: false,
    apply(state) {
      state.head = true;
      return undefined;
    },
  },
  get: {
    value: false,
    apply(state) {
      state.get = true;
      return undefined;
    },
  },
  insecure: {
    value: false,
    apply(state) {
      state.insecure = true;
      return undefined;
    },
  },
  location: {
    value: false,
    apply(state) {
      state.followRedirects = true;
      return undefined;
    },
  },
  'user-agent': implied('User-Agent'),
  referer: {
    value: true,
    apply(state, value) {
      const referer = value.replace(/;auto$/, '');
      if (referer !== '') state.implied.push(['Referer', referer]);
      return undefined;
    },
  },
  cookie: {
    value: true,
    apply(state, value) {
      if (!value.includes('=')) return `reading cookies from a file (${value}) is not supported`;
      state.implied.push(['Cookie', value]);
      return undefined;
    },
  },
  user: {
    value: true,
    apply(state, value) {
      if (!value.includes(':')) return `-u ${value} without a password is not supported`;
      state.implied.push(['Authorization', `Basic ${Buffer.from(value).toString('base64')}`]);
      return undefined;
    },
  },
  url: {
    value: true,
    apply(state, value) {
      state.urls.push(value);
      return undefined;
    },
  },
  compressed: {
    value: false,
    apply(state) {
      state.implied.push(['Accept-Encoding', 'gzip, deflate, br']);
      return undefined;
    },
  },
  'max-time': seconds('timeoutSeconds', '--max-time'),
  'connect-timeout': seconds('connectTimeoutSeconds', '--connect-timeout'),
  output: ignoredWithValue,
  silent: ignored,
  'show-error': ignored,
  verbose: ignored,
  include: ignored,
  fail: ignored,
  'fail-with-body': ignored,
  'no-buffer': ignored,
  globoff: ignored,
  'progress-bar': ignored,
  'no-progress-meter': ignored,
  'http1.1': ignored,
  'http1.0': ignored,
  http2: ignored,
  'http2-prior-knowledge': ignored,
};

const shortOptions: Record<string, string> = {
  X: 'request',
  H: 'header',
  d: 'data',
  I: 'head',
  G: 'get',
  k: 'insecure',
  L: 'location',
  A: 'user-agent',
  e: 'referer',
  b: 'cookie',
  u: 'user',
  o: 'output',
  m: 'max-time',
  s: 'silent',
  S: 'show-error',
  v: 'verbose',
  i: 'include',
  f: 'fail',
  N: 'no-buffer',
  g: 'globoff',
  '#': 'progress-bar',
};

function implied(name: string): Option {
  return {
    value: true,
    apply(state, value) {
      state.implied.push([name, value]);
      return undefined;
    },
  };
}

function curlHeader(text: string): [string, string] | string {
  // `Name;` sends the header with an empty value.
  const empty = /^([^:;\s]+);\s*$/.exec(text);
  if (empty?.[1] !== undefined) return [empty[1], ''];
  const header = parseHeaderLine(text);
  return typeof header === 'string' ? `bad -H value: ${header}` : header;
}

/** Reads a pasted curl command into a request form, or says what in it cannot be read. */
export function parseCurl(text: string): CurlForm | string {
  const words = shellWords(text);
  if (typeof words === 'string') return words;
  const [command, ...args] = words;
  if (command === undefined) return 'empty command';
  if (!/(^|\/)curl(\.exe)?$/.test(command)) return 'not a curl command (it should start with curl)';
  const state: ParseState = {
    method: undefined,
    head: false,
    get: false,
    urls: [],
    headers: [],
    implied: [],
    data: [],
    insecure: false,
    followRedirects: false,
    timeoutSeconds: undefined,
    connectTimeoutSeconds: undefined,
  };
  let optionsEnded = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (optionsEnded || !arg.startsWith('-') || arg === '-') {
      state.urls.push(arg);
      continue;
    }
    if (arg === '--') {
      optionsEnded = true;
      continue;
    }
    const next = () => args[++index];
    const problem = arg.startsWith('--')
      ? applyLong(state, arg, next)
      : applyShortCluster(state, arg, next);
    if (problem !== undefined) return problem;
  }
  return finish(state);
}

function applyLong(state: ParseState, arg: string, next: () => string | undefined) {
  const name = arg.slice(2);
  const option = longOptions[name];
  if (option === undefined) return `unsupported curl option ${arg}`;
  if (!option.value) return option.apply?.(state, '');
  const value = next();
  if (value === undefined) return `curl option ${arg} needs a value`;
  return option.apply?.(state, value);
}

function applyShortCluster(state: ParseState, arg: string, next: () => string | undefined) {
  for (let at = 1; at < arg.length; at++) {
    const letter = arg[at] ?? '';
    const name = shortOptions[letter];
    const option = name === undefined ? undefined : longOptions[name];
    if (option === undefined) return `unsupported curl option -${letter}`;
    if (!option.value) {
      const problem = option.apply?.(state, '');
      if (problem !== undefined) return problem;
      continue;
    }
    const attached = arg.slice(at + 1);
    const value = attached === '' ? next() : attached;
    if (value === undefined) return `curl option -${letter} needs a value`;
    return option.apply?.(state, value);
  }
  return undefined;
}

function finish(state: ParseState): CurlForm | string {
  if (state.urls.length === 0) return 'no URL in the curl command';
  if (state.urls.length > 1) return `more than one URL: ${state.urls.join(' ')}`;
  let url = state.urls[0] ?? '';
  let body = state.data
    .map((part, index) => (index === 0 ? '' : part.separator) + part.text)
    .join('');
  if (state.get && state.data.length > 0) {
    url += (url.includes('?') ? '&' : '?') + body;
    body = '';
  }
  const given = new Set(state.headers.map(([name]) => name.toLowerCase()));
  const headers = [...state.headers];
  for (const [name, value] of state.implied) {
    if (given.has(name.toLowerCase())) continue;
    given.add(name.toLowerCase());
    headers.push([name, value]);
  }
  const posts = !state.get && state.data.length > 0;
  const method = state.method ?? (state.head ? 'HEAD' : posts ? 'POST' : 'GET');
  const form: CurlForm = {
    method,
    url,
    headers: headers
      .map(([name, value]) => (value === '' ? `${name}:` : `${name}: ${value}`))
      .join('\n'),
    body,
    insecure: state.insecure,
    followRedirects: state.followRedirects,
  };
  if (state.timeoutSeconds !== undefined) form.timeoutSeconds = state.timeoutSeconds;
  if (state.connectTimeoutSeconds !== undefined) {
    form.connectTimeoutSeconds = state.connectTimeoutSeconds;
  }
  return form;
}
