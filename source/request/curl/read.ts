/**
 * Reading curl's arguments into a CurlCommand, as curl 8 reads them: options in any order, short
 * ones clustered (`-sSL`) or with their value attached (`-XPOST`), `--` ending the options. One
 * table says what each option takes and does; `--help` is made from the same table.
 */
import type {CurlCommand, DataPart, FormPart} from './types.js';
import {commandWords} from './shell-words.js';
import {quoted} from './plan.js';

/** Applies an option to the command; `urls` collects the URLs given (bare or with --url). */
type Apply = (command: CurlCommand, value: string, urls: string[]) => string | undefined;

type CurlOption = {
  long: string;
  short?: string;
  /** The value's name in help; absent for a switch. */
  value?: string;
  help: string;
  apply: Apply;
};

function set<K extends keyof CurlCommand>(key: K, value: CurlCommand[K]): Apply {
  return (command) => {
    command[key] = value;
    return undefined;
  };
}

function output<K extends keyof CurlCommand['output']>(
  key: K,
  value: CurlCommand['output'][K],
): Apply {
  return (command) => {
    command.output[key] = value;
    return undefined;
  };
}

function data(kind: DataPart['kind']): Apply {
  return (command, value) => {
    command.data.push({kind, value});
    return undefined;
  };
}

function seconds(key: 'maxTimeSeconds' | 'connectTimeoutSeconds', flag: string): Apply {
  return (command, value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
      return `${flag} needs a number of seconds, not ${quoted(value)}`;
    }
    command[key] = number;
    return undefined;
  };
}

/** --cert-type and --key-type: DER, P12 and engines are refused rather than misread. */
function pemOnly(key: 'certType' | 'keyType', flag: string): Apply {
  return (command, value) => {
    if (value.toUpperCase() !== 'PEM') return `${flag} ${quoted(value)}: only PEM is supported`;
    command[key] = value;
    return undefined;
  };
}

function ignore(command: CurlCommand, flag: string): undefined {
  command.ignored.push(flag);
  return undefined;
}

/** `name=value;type=…;filename=…`, `name=@file`, `name=<file`, as curl's -F reads them. */
export function formPart(text: string, literal = false): FormPart | string {
  const equals = text.indexOf('=');
  if (equals <= 0) return `bad -F value ${quoted(text)}: it needs name=content`;
  const name = text.slice(0, equals);
  let rest = text.slice(equals + 1);
  if (literal) return {name, value: rest, source: 'text'};
  const part: FormPart = {name, value: '', source: 'text'};
  if (rest.startsWith('@') || rest.startsWith('<')) {
    part.source = rest.startsWith('@') ? 'file' : 'content';
    rest = rest.slice(1);
  }
  // A value (or file name) in double quotes is taken whole, \" and \\ unescaped, as curl does.
  let value: string;
  if (rest.startsWith('"')) {
    const inQuotes = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (inQuotes === null) return `bad -F value ${quoted(text)}: unterminated double quote`;
    value = (inQuotes[1] ?? '').replace(/\\(["\\])/g, '$1');
    rest = rest.slice(inQuotes[0].length);
  } else {
    const end = rest.search(/;\s*(?:type|filename|headers|encoder)=/);
    value = end === -1 ? rest : rest.slice(0, end);
    rest = end === -1 ? '' : rest.slice(end);
  }
  // Attributes follow the value after `;`: type=, filename=, headers= (kept off the value).
  const attribute = /;\s*(type|filename|headers|encoder)=("(?:[^"\\]|\\.)*"|[^;]*)/g;
  const first = rest.search(/;\s*(?:type|filename|headers|encoder)=/);
  for (const match of (first === -1 ? '' : rest.slice(first)).matchAll(attribute)) {
    const [, key, raw = ''] = match;
    const unquoted = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (key === 'type') part.type = unquoted;
    else if (key === 'filename') part.filename = unquoted;
  }
  part.value = value;
  return part;
}

const options: CurlOption[] = [
  {
    long: 'request',
    short: 'X',
    value: 'METHOD',
    help: 'method, sent as written',
    apply: (c, v) => void (c.method = v),
  },
  {
    long: 'header',
    short: 'H',
    value: 'HEADER',
    help: "'Name: value'; 'Name;' sends it empty, 'Name:' removes a default",
    apply(command, value) {
      command.headers.push(value);
      return undefined;
    },
  },
  {
    long: 'data',
    short: 'd',
    value: 'DATA',
    help: 'POST data (@file strips line ends, @- reads stdin)',
    apply: data('ascii'),
  },
  {long: 'data-ascii', value: 'DATA', help: 'same as --data', apply: data('ascii')},
  {long: 'data-binary', value: 'DATA', help: 'POST data as is (@file, @-)', apply: data('binary')},
  {long: 'data-raw', value: 'DATA', help: 'POST data, @ is not special', apply: data('raw')},
  {
    long: 'data-urlencode',
    value: 'DATA',
    help: 'POST data, URL-encoded (content, =content, name=content, @file, name@file)',
    apply: data('urlencode'),
  },
  {
    long: 'json',
    value: 'DATA',
    help: 'JSON body with JSON Content-Type and Accept (@file, @-)',
    apply: data('json'),
  },
  {
    long: 'form',
    short: 'F',
    value: 'NAME=CONTENT',
    help: 'multipart field; @file uploads, <file reads content; ;type= ;filename=',
    apply(command, value) {
      const part = formPart(value);
      if (typeof part === 'string') return part;
      command.form.push(part);
      return undefined;
    },
  },
  {
    long: 'form-string',
    value: 'NAME=STRING',
    help: 'multipart field, @ < ; not special',
    apply(command, value) {
      const part = formPart(value, true);
      if (typeof part === 'string') return part;
      command.form.push(part);
      return undefined;
    },
  },
  {
    long: 'upload-file',
    short: 'T',
    value: 'FILE',
    help: 'PUT this file (- reads stdin)',
    apply: (c, v) => void (c.upload = v),
  },
  {long: 'get', short: 'G', help: 'put the data in the URL query and GET', apply: set('get', true)},
  {long: 'head', short: 'I', help: 'HEAD: the response headers only', apply: set('head', true)},
  {long: 'url', value: 'URL', help: 'the URL', apply: (_c, v, urls) => void urls.push(v)},
  {
    long: 'url-query',
    value: 'DATA',
    help: 'add to the URL query (name=content is URL-encoded, +content as is)',
    apply: (c, v) => void c.urlQuery.push(v),
  },
  {
    long: 'user',
    short: 'u',
    value: 'USER[:PASSWORD]',
    help: 'Basic authentication (asks for a missing password)',
    apply: (c, v) => void (c.user = v),
  },
  {
    long: 'oauth2-bearer',
    value: 'TOKEN',
    help: 'Authorization: Bearer TOKEN',
    apply: (c, v) => void (c.bearer = v),
  },
  {
    long: 'user-agent',
    short: 'A',
    value: 'NAME',
    help: "User-Agent ('' sends none)",
    apply: (c, v) => void (c.userAgent = v),
  },
  {
    long: 'referer',
    short: 'e',
    value: 'URL',
    help: 'Referer',
    apply: (c, v) => void (c.referer = v.replace(/;auto$/, '')),
  },
  {
    long: 'cookie',
    short: 'b',
    value: 'DATA|FILE',
    help: "cookies: 'a=1; b=2' or a cookie file",
    apply: (c, v) => void c.cookies.push(v),
  },
  {
    long: 'cookie-jar',
    short: 'c',
    value: 'FILE',
    help: 'write the cookies received to FILE',
    apply: (c, v) => void (c.cookieJar = v),
  },
  {
    long: 'range',
    short: 'r',
    value: 'RANGE',
    help: 'Range: bytes=RANGE',
    apply: (c, v) => void (c.range = v),
  },
  {
    long: 'compressed',
    help: 'ask for a compressed response and decode it',
    apply: set('compressed', true),
  },
  {
    long: 'insecure',
    short: 'k',
    help: 'do not verify the TLS certificate',
    apply: set('insecure', true),
  },
  {long: 'location', short: 'L', help: 'follow redirects', apply: set('location', true)},
  {
    long: 'max-redirs',
    value: 'NUM',
    help: 'follow at most NUM redirects (default 50)',
    apply(command, value) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < -1)
        return `--max-redirs needs a whole number, not ${quoted(value)}`;
      command.maxRedirs = number;
      return undefined;
    },
  },
  {
    long: 'max-time',
    short: 'm',
    value: 'SECONDS',
    help: 'give up after SECONDS in all',
    apply: seconds('maxTimeSeconds', '--max-time'),
  },
  {
    long: 'connect-timeout',
    value: 'SECONDS',
    help: 'give up connecting after SECONDS',
    apply: seconds('connectTimeoutSeconds', '--connect-timeout'),
  },
  {
    long: 'resolve',
    value: 'HOST:PORT:ADDR',
    help: 'use ADDR for HOST:PORT, no DNS',
    apply: (c, v) => void c.resolve.push(v),
  },
  {
    long: 'connect-to',
    value: 'HOST:PORT:HOST2:PORT2',
    help: 'connect to HOST2:PORT2 instead',
    apply: (c, v) => void c.connectTo.push(v),
  },
  {
    long: 'unix-socket',
    value: 'PATH',
    help: 'connect through this Unix socket',
    apply: (c, v) => void (c.unixSocket = v),
  },
  {long: 'ipv4', short: '4', help: 'IPv4 only', apply: set('family', 4)},
  {long: 'ipv6', short: '6', help: 'IPv6 only', apply: set('family', 6)},
  {long: 'http1.0', short: '0', help: 'HTTP/1.0', apply: set('httpVersion', '1.0')},
  {long: 'http1.1', help: 'HTTP/1.1 only (the default for http)', apply: set('httpVersion', '1.1')},
  {
    long: 'http2',
    help: 'HTTP/2 by ALPN on https (the default there); HTTP/1.1 on http://',
    apply: set('httpVersion', '2'),
  },
  {
    long: 'http2-prior-knowledge',
    help: 'HTTP/2 from the first byte, h2c on http://',
    apply: set('httpVersion', '2-prior-knowledge'),
  },
  {
    long: 'silent',
    short: 's',
    help: 'print no progress and no errors',
    apply: output('silent', true),
  },
  {
    long: 'show-error',
    short: 'S',
    help: 'with -s, still print errors',
    apply: output('showError', true),
  },
  {
    long: 'verbose',
    short: 'v',
    help: 'print the transcript (* > <) on stderr',
    apply: output('verbose', true),
  },
  {
    long: 'include',
    short: 'i',
    help: 'print the response head before the body',
    apply: output('include', true),
  },
  {
    long: 'fail',
    short: 'f',
    help: 'exit 22 on HTTP errors (400 and up), no body',
    apply: output('fail', true),
  },
  {
    long: 'output',
    short: 'o',
    value: 'FILE',
    help: 'write the body to FILE (- is stdout)',
    apply: (c, v) => void (c.output.output = v),
  },
  {
    long: 'remote-name',
    short: 'O',
    help: "write the body to a file named as the URL's last segment",
    apply: output('remoteName', true),
  },
  {
    long: 'write-out',
    short: 'w',
    value: 'FORMAT',
    help: 'print FORMAT after the transfer (%{http_code}, %{time_total}, …)',
    apply: (c, v) => void (c.output.writeOut = v),
  },
  {
    long: 'fail-with-body',
    help: 'as --fail, and still write the body',
    apply(command) {
      command.output.fail = true;
      command.output.failWithBody = true;
      return undefined;
    },
  },
  {
    long: 'cacert',
    value: 'FILE',
    help: 'also trust the certificate authorities in FILE (PEM)',
    apply: (c, v) => void (c.cacert = v),
  },
  {
    long: 'capath',
    value: 'DIR',
    help: 'also trust the certificates in DIR (*.pem, *.crt, *.cer, hash.0)',
    apply: (c, v) => void (c.capath = v),
  },
  {
    long: 'cert',
    short: 'E',
    value: 'FILE[:PASSWORD]',
    help: 'client certificate (PEM); the key too, if FILE holds it',
    apply: (c, v) => void (c.cert = v),
  },
  {
    long: 'cert-type',
    value: 'TYPE',
    help: 'PEM (the only type read)',
    apply: pemOnly('certType', '--cert-type'),
  },
  {
    long: 'key',
    value: 'FILE',
    help: "the client certificate's private key (PEM)",
    apply: (c, v) => void (c.key = v),
  },
  {
    long: 'key-type',
    value: 'TYPE',
    help: 'PEM (the only type read)',
    apply: pemOnly('keyType', '--key-type'),
  },
  {
    long: 'pass',
    value: 'PHRASE',
    help: 'passphrase of the private key',
    apply: (c, v) => void (c.pass = v),
  },
  {
    long: 'pinnedpubkey',
    value: 'HASHES|FILE',
    help: "the server's key must be one of sha256//BASE64[;…], or the key in FILE",
    apply: (c, v) => void (c.pinnedPublicKey = v),
  },
  {
    long: 'path-as-is',
    help: 'send /../ and /./ as written',
    apply: set('pathAsIs', true),
  },
  ...['retry', 'retry-delay', 'retry-max-time'].map((long): CurlOption => ({
    long,
    value: long === 'retry' ? 'NUM' : 'SECONDS',
    help: 'accepted; porthole tries once',
    apply: (c, v) => ignore(c, `--${long} ${v}`),
  })),
  ...['retry-all-errors', 'retry-connrefused'].map((long): CurlOption => ({
    long,
    help: 'accepted; porthole tries once',
    apply: (c) => ignore(c, `--${long}`),
  })),
  {
    long: 'no-progress-meter',
    help: 'accepted; porthole draws no progress meter',
    apply: (c) => ignore(c, '--no-progress-meter'),
  },
  {
    long: 'progress-bar',
    short: '#',
    help: 'accepted; porthole draws no progress meter',
    apply: (c) => ignore(c, '--progress-bar'),
  },
  {
    long: 'no-buffer',
    short: 'N',
    help: 'write the body as it arrives, on a terminal too; a stream has no time limit after its head',
    apply: (c) => void (c.output.noBuffer = true),
  },
  {
    long: 'globoff',
    short: 'g',
    help: 'accepted; URLs are never globbed',
    apply: (c) => ignore(c, '--globoff'),
  },
];

const byLong = new Map(options.map((option) => [option.long, option]));
const byShort = new Map(
  options.flatMap((option) =>
    option.short === undefined ? [] : [[option.short, option] as const],
  ),
);

/** Every option porthole reads, for `porthole request --help`. */
export const curlOptionHelp: ReadonlyArray<{flags: string; description: string}> = options.map(
  (option) => ({
    flags:
      [option.short && `-${option.short}`, `--${option.long}`].filter(Boolean).join(', ') +
      (option.value === undefined ? '' : ` ${option.value}`),
    description: option.help,
  }),
);

const unsupportedWhy: Record<string, string> = {
  http3: 'HTTP/3 is not supported',
  proxy: 'proxies are not supported',
  x: 'proxies are not supported',
  config: 'config files are not read',
  K: 'config files are not read',
};

export function emptyCommand(): CurlCommand {
  return {
    url: '',
    head: false,
    get: false,
    headers: [],
    data: [],
    form: [],
    urlQuery: [],
    cookies: [],
    compressed: false,
    insecure: false,
    location: false,
    resolve: [],
    connectTo: [],
    output: {
      silent: false,
      showError: false,
      verbose: false,
      include: false,
      fail: false,
      remoteName: false,
    },
    ignored: [],
  };
}

function unsupported(flag: string, name: string): string {
  const why = unsupportedWhy[name];
  return `unsupported curl option ${flag}${why === undefined ? '' : ` (${why})`}`;
}

/** curl's arguments (after the command name) into a command, or the one line that says what is wrong. */
export function readCurlArgs(args: readonly string[]): CurlCommand | string {
  const command = emptyCommand();
  const given: string[] = [];
  let optionsEnded = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (optionsEnded || !arg.startsWith('-') || arg === '-') {
      given.push(arg);
      continue;
    }
    if (arg === '--') {
      optionsEnded = true;
      continue;
    }
    const next = () => args[++index];
    const problem = arg.startsWith('--')
      ? applyLong(command, arg, next, given)
      : applyShort(command, arg, next, given);
    if (problem !== undefined) return problem;
  }
  return finish(command, given);
}

/** A pasted command line (`curl …`, as copied from a browser or a page) into a command. */
export function readCurlText(text: string): CurlCommand | string {
  const words = commandWords(text);
  if (typeof words === 'string') return words;
  const [name, ...args] = words;
  if (name === undefined) return 'empty command';
  if (!/(^|[/\\])curl(\.exe)?$/i.test(name))
    return 'not a curl command (it should start with curl)';
  return readCurlArgs(args);
}

type Next = () => string | undefined;

function applyLong(command: CurlCommand, arg: string, next: Next, urls: string[]) {
  const name = arg.slice(2);
  const option = byLong.get(name);
  if (option === undefined) return unsupported(arg, name);
  if (option.value === undefined) return option.apply(command, '', urls);
  const value = next();
  if (value === undefined) return `curl option ${arg} needs a value (${option.value})`;
  return option.apply(command, value, urls);
}

function applyShort(command: CurlCommand, arg: string, next: Next, urls: string[]) {
  for (let at = 1; at < arg.length; at++) {
    const letter = arg[at] ?? '';
    const option = byShort.get(letter);
    if (option === undefined) return unsupported(`-${letter}`, letter);
    if (option.value === undefined) {
      const problem = option.apply(command, '', urls);
      if (problem !== undefined) return problem;
      continue;
    }
    const attached = arg.slice(at + 1);
    const value = attached === '' ? next() : attached;
    if (value === undefined) return `curl option -${letter} needs a value (${option.value})`;
    return option.apply(command, value, urls);
  }
  return undefined;
}

function finish(command: CurlCommand, given: string[]): CurlCommand | string {
  if (given.length === 0) return 'no URL in the curl command';
  if (given.length > 1)
    return `more than one URL (${given
      .slice(0, 2)
      .map((url) => quoted(url, 60))
      .join(', ')}); give one`;
  command.url = given[0] ?? '';
  const body = command.data.length > 0 && !command.get;
  const chosen = [
    command.head && '-I',
    body && '-d',
    command.form.length > 0 && '-F',
    command.upload !== undefined && '-T',
  ].filter((flag): flag is string => typeof flag === 'string');
  if (chosen.length > 1) {
    return `${chosen.join(' and ')} ask for different requests; curl too takes only one of them`;
  }
  return command;
}

/** Whether a word is an option that takes the next word as its value (`-H`, `--data`; not `-k`, `-XPOST`). */
export function takesValue(word: string): boolean {
  if (word.startsWith('--')) return byLong.get(word.slice(2))?.value !== undefined;
  return /^-.$/.test(word) && byShort.get(word.slice(1))?.value !== undefined;
}
