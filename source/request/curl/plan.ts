/**
 * From a curl command to what the engine sends, as curl builds its request: files and stdin read,
 * data joined and encoded, multipart built, -G and --url-query put in the URL, -T as PUT, and
 * curl's own headers handed to the engine so that it writes them in curl's place and order.
 */
import {crypto} from '../../builtin-on-use.js';
import {readdir} from 'node:fs/promises';
import path from 'node:path';
import type {ConnectToEntry, HeaderList, RequestOptions, ResolveEntry} from '../types.js';
import {cookieFileHeader} from './cookies.js';
import {
  capathCertificates,
  clientCertificate,
  pemCertificates,
  pinnedPublicKeys,
  type TlsFileIo,
} from './tls-files.js';
import type {CurlCommand, DataPart, FormPart} from './types.js';

export type PlanIo = {
  readFile(file: string): Promise<Uint8Array>;
  /** Standard input, for `@-` and `-T -`; absent where there is none (the dashboard). */
  readStdin?: () => Promise<Uint8Array>;
  /** Asks for the password of `-u user`; undefined when the user gave none (cancelled). */
  askPassword?: (user: string) => Promise<string | undefined>;
  /** The names in a directory, for --capath. Default: the file system's. */
  readDirectory?: (directory: string) => Promise<string[]>;
};

export type PlannedRequest = {
  options: RequestOptions;
  /** One-line remarks on what was read but changes nothing (`--progress-bar has no effect`). */
  notes: string[];
  /** -c: where the cookies received go. */
  cookieJar?: string;
};

/** curl sends Expect: 100-continue for bodies larger than this (and always for -T). */
const expectThreshold = 1024 * 1024;

class PlanProblem extends Error {}

/** A URL as curl takes it: without a scheme, http:// is meant. */
export function withScheme(url: string): string {
  const trimmed = url.trim();
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** A value as a message quotes it: in JSON quotes, a long one cut in the middle. */
export function quoted(text: string, room = 80): string {
  if (text.length <= room) return JSON.stringify(text);
  const half = Math.floor(room / 2);
  return `${JSON.stringify(text.slice(0, half)).slice(0, -1)}…${JSON.stringify(text.slice(-half)).slice(1)}`;
}

/** Why curl would refuse this URL, in one line; undefined when it is fine. */
export function urlProblem(text: string): string | undefined {
  if (text.trim() === '') return 'no URL';
  if (/\s/.test(text.trim())) {
    return `bad URL ${quoted(text)}: it contains a space (write it as %20)`;
  }
  const url = withScheme(text);
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/i.exec(url);
  if (port?.[1] !== undefined && port[1] !== '') {
    const number = Number(port[1]);
    if (!/^\d+$/.test(port[1]) || number < 1 || number > 65535) {
      return `bad URL ${quoted(text)}: port ${port[1]} is not a number from 1 to 65535`;
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `bad URL ${quoted(text)}`;
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    return `unsupported scheme ${parsed.protocol.replace(/:$/, '')} in ${quoted(text)} (http, https, ws and wss only)`;
  }
  if (parsed.hostname === '') return `bad URL ${quoted(text)}: no host`;
  return undefined;
}

/** curl's URL encoding: every byte but letters, digits and -._~ as %XX, a space as +. */
export function curlEscape(bytes: Uint8Array | string): string {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  let out = '';
  for (const byte of buffer) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** An -H argument as the engine takes it: a header, a default to remove, or a mistake. */
export function curlHeader(
  text: string,
): {header: HeaderList[number]} | {omit: string} | {problem: string} {
  const empty = /^([^:;\s]+)\s*;\s*$/.exec(text);
  if (empty?.[1] !== undefined) return {header: [empty[1], '']};
  const colon = text.indexOf(':');
  if (colon <= 0) {
    return {problem: `bad -H value ${quoted(text)}: a header is 'Name: value'`};
  }
  const name = text.slice(0, colon).trim();
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    return {
      problem: `bad -H value ${quoted(text)}: ${quoted(name)} is not a header name`,
    };
  }
  const value = text.slice(colon + 1).replace(/^[ \t]+/, '');
  if (/[\r\n\0]/.test(value)) {
    return {problem: `bad -H value for ${name}: a header value cannot hold a line break`};
  }
  // curl: `Name:` with nothing after it removes the header curl would add.
  if (value.trim() === '') return {omit: name};
  // Anything but `Name: value` goes out exactly as typed, as curl sends it.
  return {header: text === `${name}: ${value}` ? [name, value] : [name, value, text]};
}

async function readSource(io: PlanIo, file: string, what: string): Promise<Buffer> {
  try {
    if (file === '-') {
      if (io.readStdin === undefined)
        throw new PlanProblem(`${what} @- reads standard input, and there is none here`);
      return Buffer.from(await io.readStdin());
    }
    return Buffer.from(await io.readFile(file));
  } catch (error) {
    if (error instanceof PlanProblem) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new PlanProblem(`cannot read ${what} file ${file}: ${reason}`);
  }
}

async function dataPartBytes(part: DataPart, io: PlanIo): Promise<Buffer> {
  const {value} = part;
  switch (part.kind) {
    case 'raw':
      return Buffer.from(value, 'utf8');
    case 'ascii':
      // curl -d @file: carriage returns and newlines are stripped out.
      return value.startsWith('@')
        ? Buffer.from(
            (await readSource(io, value.slice(1), '-d')).filter(
              (byte) => byte !== 10 && byte !== 13,
            ),
          )
        : Buffer.from(value, 'utf8');
    case 'binary':
    case 'json':
      return value.startsWith('@')
        ? readSource(io, value.slice(1), part.kind === 'json' ? '--json' : '--data-binary')
        : Buffer.from(value, 'utf8');
    case 'urlencode':
      return Buffer.from(await urlencoded(value, io, '--data-urlencode'), 'latin1');
  }
}

/** --data-urlencode and --url-query: content, =content, name=content, @file, name@file. */
async function urlencoded(value: string, io: PlanIo, flag: string): Promise<string> {
  const equals = value.indexOf('=');
  const at = value.indexOf('@');
  if (equals !== -1 && (at === -1 || equals < at)) {
    const name = value.slice(0, equals);
    const content = curlEscape(value.slice(equals + 1));
    return name === '' ? content : `${name}=${content}`;
  }
  if (at !== -1) {
    const name = value.slice(0, at);
    const content = curlEscape(await readSource(io, value.slice(at + 1), flag));
    return name === '' ? content : `${name}=${content}`;
  }
  return curlEscape(value);
}

const fileTypes: Record<string, string> = {
  gif: 'image/gif',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  htm: 'text/html',
  html: 'text/html',
  pdf: 'application/pdf',
  xml: 'application/xml',
};

/** curl's guess for an uploaded file's Content-Type, from its name. */
function fileType(name: string): string {
  const extension = path.extname(name).slice(1).toLowerCase();
  return fileTypes[extension] ?? 'application/octet-stream';
}

function quotedName(name: string): string {
  return name.replace(/["\\]/g, (char) => `\\${char}`);
}

async function multipart(
  parts: FormPart[],
  io: PlanIo,
  disposition: string,
): Promise<{body: Buffer; boundary: string}> {
  const boundary = `${'-'.repeat(24)}${crypto().randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: ${disposition}; name="${quotedName(part.name)}"`;
    let content: Buffer;
    let type = part.type;
    if (part.source === 'file') {
      content = await readSource(io, part.value, '-F');
      const filename = part.filename ?? (part.value === '-' ? '-' : path.basename(part.value));
      head += `; filename="${quotedName(filename)}"`;
      type ??= fileType(filename);
    } else {
      content =
        part.source === 'content'
          ? await readSource(io, part.value, '-F')
          : Buffer.from(part.value, 'utf8');
      if (part.filename !== undefined) head += `; filename="${quotedName(part.filename)}"`;
    }
    head += '\r\n';
    if (type !== undefined) head += `Content-Type: ${type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n', 'utf8'), content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {body: Buffer.concat(chunks), boundary};
}

function hostAndPort(text: string): {host: string; rest: string} | undefined {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) return undefined;
    return {host: text.slice(1, end), rest: text.slice(end + 1).replace(/^:/, '')};
  }
  const colon = text.indexOf(':');
  return colon === -1
    ? {host: text, rest: ''}
    : {host: text.slice(0, colon), rest: text.slice(colon + 1)};
}

function portOf(text: string, flag: string, entry: string, anyAllowed: boolean): number {
  if (text === '' || (text === '*' && anyAllowed)) return 0;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new PlanProblem(`bad ${flag} ${quoted(entry)}: ${quoted(text)} is not a port`);
  }
  return port;
}

/** `[+]host:port:addr[,addr]…` (curl --resolve). */
export function resolveEntry(text: string): ResolveEntry {
  const entry = text.replace(/^\+/, '');
  const first = hostAndPort(entry);
  const colon = first?.rest.indexOf(':') ?? -1;
  if (first === undefined || colon === -1) {
    throw new PlanProblem(`bad --resolve ${quoted(text)}: it is host:port:address`);
  }
  const port = portOf(first.rest.slice(0, colon), '--resolve', text, true);
  const addresses = first.rest
    .slice(colon + 1)
    .split(',')
    .map((address) => address.trim().replace(/^\[(.*)\]$/, '$1'))
    .filter((address) => address !== '');
  if (addresses.length === 0) throw new PlanProblem(`bad --resolve ${quoted(text)}: no address`);
  return {host: first.host === '*' ? '' : first.host, port, addresses};
}

/** `host:port:toHost:toPort`, each part may be empty (curl --connect-to). */
export function connectToEntry(text: string): ConnectToEntry {
  const from = hostAndPort(text);
  const split = from?.rest.indexOf(':') ?? -1;
  if (from === undefined || split === -1) {
    throw new PlanProblem(`bad --connect-to ${quoted(text)}: it is host:port:host2:port2`);
  }
  const port = portOf(from.rest.slice(0, split), '--connect-to', text, false);
  const to = hostAndPort(from.rest.slice(split + 1));
  if (to === undefined)
    throw new PlanProblem(`bad --connect-to ${quoted(text)}: it is host:port:host2:port2`);
  return {
    host: from.host,
    port,
    toHost: to.host,
    toPort: portOf(to.rest, '--connect-to', text, false),
  };
}

/** The query a URL gets: the parts joined with &, after what it had. */
function withQuery(url: string, query: string): string {
  if (query === '') return url;
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  return base + (base.includes('?') ? '&' : '?') + query;
}

/** The command as the engine's options: everything read, nothing left for the engine to guess. */
export async function planRequest(
  command: CurlCommand,
  io: PlanIo,
): Promise<PlannedRequest | string> {
  try {
    return await plan(command, io);
  } catch (error) {
    if (error instanceof PlanProblem) return error.message;
    throw error;
  }
}

async function plan(command: CurlCommand, io: PlanIo): Promise<PlannedRequest> {
  const problem = urlProblem(command.url);
  if (problem !== undefined) throw new PlanProblem(problem);
  let url = withScheme(command.url);
  const notes = command.ignored.map((flag) => `${flag} has no effect here`);

  const headers: HeaderList = [];
  const omitHeaders: string[] = [];
  for (const argument of command.headers) {
    const lines = argument.startsWith('@')
      ? (await readSource(io, argument.slice(1), '-H'))
          .toString('utf8')
          .split(/\r?\n/)
          .filter((line) => line.trim() !== '')
      : [argument];
    for (const line of lines) {
      const read = curlHeader(line);
      if ('problem' in read) throw new PlanProblem(read.problem);
      if ('omit' in read) omitHeaders.push(read.omit);
      else headers.push(read.header);
    }
  }
  const given = (name: string) => headers.some(([each]) => each.toLowerCase() === name);

  const query: string[] = [];
  for (const part of command.urlQuery) {
    query.push(part.startsWith('+') ? part.slice(1) : await urlencoded(part, io, '--url-query'));
  }

  let body: Buffer | undefined;
  let bodyType: string | undefined;
  let method: string;
  let expectContinue = false;
  const http10 = command.httpVersion === '1.0';
  if (command.data.length > 0) {
    const chunks: Buffer[] = [];
    for (const [index, part] of command.data.entries()) {
      if (index > 0 && part.kind !== 'json') chunks.push(Buffer.from('&'));
      chunks.push(await dataPartBytes(part, io));
    }
    const joined = Buffer.concat(chunks);
    if (command.get) {
      query.push(joined.toString('latin1'));
    } else {
      body = joined;
      if (command.data.some((part) => part.kind === 'json')) {
        // --json adds its two headers after the given ones, unless given.
        if (!given('content-type')) headers.push(['Content-Type', 'application/json']);
        if (!given('accept')) headers.push(['Accept', 'application/json']);
      } else {
        bodyType = 'application/x-www-form-urlencoded';
      }
    }
  }
  if (command.form.length > 0) {
    const custom = headers.findIndex(([name]) => name.toLowerCase() === 'content-type');
    const customType = custom === -1 ? undefined : headers[custom]?.[1];
    if (custom !== -1) headers.splice(custom, 1);
    const type = customType ?? 'multipart/form-data';
    const formData = /^multipart\/form-data\b/i.test(type);
    const built = await multipart(command.form, io, formData ? 'form-data' : 'attachment');
    body = built.body;
    bodyType = `${type}; boundary=${built.boundary}`;
  }
  if (command.upload !== undefined) {
    body = await readSource(io, command.upload, '-T');
    // Standard input has no size known in advance: curl sends it in chunks.
    const framed = given('content-length') || given('transfer-encoding');
    if (command.upload === '-' && !http10 && !framed)
      headers.push(['Transfer-Encoding', 'chunked']);
    // curl: a URL without a file part gets the local file's name.
    const target = new URL(url);
    if (command.upload !== '-' && target.pathname.endsWith('/')) {
      target.pathname += encodeURIComponent(path.basename(command.upload));
      url = target.href;
    }
    expectContinue = !http10;
  }
  url = withQuery(url, query.join('&'));
  if (body !== undefined && body.length > expectThreshold && !http10) expectContinue = true;

  if (command.method !== undefined) method = command.method;
  else if (command.head) method = 'HEAD';
  else if (command.upload !== undefined) method = 'PUT';
  else if (body !== undefined) method = 'POST';
  else method = 'GET';

  const options: RequestOptions = {url, method, headers};
  if (omitHeaders.length > 0) options.omitHeaders = omitHeaders;
  if (body !== undefined) options.body = body;
  if (bodyType !== undefined) options.bodyType = bodyType;
  if (expectContinue) options.expectContinue = true;

  if (command.user !== undefined) {
    let user = command.user;
    if (!user.includes(':')) {
      const password = io.askPassword === undefined ? '' : await io.askPassword(user);
      if (password === undefined) throw new PlanProblem(`no password given for ${user}: not sent`);
      user = `${user}:${password}`;
    }
    options.user = user;
  }
  if (command.bearer !== undefined) options.bearer = command.bearer;
  if (command.range !== undefined) options.range = command.range;
  if (command.userAgent !== undefined) options.userAgent = command.userAgent;
  if (command.referer !== undefined && command.referer !== '') options.referer = command.referer;
  const cookies: string[] = [];
  for (const cookie of command.cookies) {
    if (cookie.includes('=')) cookies.push(cookie);
    else {
      const fromFile = await cookieFileHeader(cookie, new URL(url), io);
      if (fromFile.note !== undefined) notes.push(fromFile.note);
      if (fromFile.header !== undefined) cookies.push(fromFile.header);
    }
  }
  if (cookies.length > 0) options.cookie = cookies.join(';');
  if (command.compressed) options.compressed = true;
  if (command.insecure) options.insecure = true;
  if (command.location) options.followRedirects = true;
  // curl's default limit is 50; -1 means no limit.
  const maxRedirs = command.maxRedirs ?? 50;
  options.maxRedirects = maxRedirs === -1 ? Number.MAX_SAFE_INTEGER : maxRedirs;
  if (command.maxTimeSeconds !== undefined && command.maxTimeSeconds > 0) {
    options.timeoutMs = command.maxTimeSeconds * 1000;
  }
  if (command.connectTimeoutSeconds !== undefined && command.connectTimeoutSeconds > 0) {
    options.connectTimeoutMs = command.connectTimeoutSeconds * 1000;
  }
  if (command.family !== undefined) options.family = command.family;
  if (command.httpVersion !== undefined) options.httpVersion = command.httpVersion;
  // curl would offer an Upgrade: h2c; porthole speaks h2c only when told to from the start.
  if (command.httpVersion === '2' && new URL(url).protocol === 'http:') {
    notes.push('--http2 on http:// is sent as HTTP/1.1; use --http2-prior-knowledge for h2c');
  }
  if (command.unixSocket !== undefined) options.unixSocket = command.unixSocket;
  await planTls(command, io, options, notes);
  if (command.pathAsIs === true) options.pathAsIs = true;
  if (command.resolve.length > 0) options.resolve = command.resolve.map(resolveEntry);
  if (command.connectTo.length > 0) options.connectTo = command.connectTo.map(connectToEntry);

  const planned: PlannedRequest = {options, notes};
  if (command.cookieJar !== undefined) planned.cookieJar = command.cookieJar;
  return planned;
}

/** --cacert, --capath, -E/--cert, --key, --pass and --pinnedpubkey, every file read and checked. */
async function planTls(
  command: CurlCommand,
  io: PlanIo,
  options: RequestOptions,
  notes: string[],
): Promise<void> {
  const files: TlsFileIo = {
    read: (file, what) => readSource(io, file, what),
    readRaw: (file) => io.readFile(file),
    readDirectory: io.readDirectory ?? ((directory) => readdir(directory)),
    fail: (message) => new PlanProblem(message),
  };
  const cacert =
    command.cacert === undefined ? undefined : await readSource(io, command.cacert, '--cacert');
  // As curl (77): a file without one PEM certificate is refused before anything is sent.
  if (cacert !== undefined && pemCertificates(cacert.toString('latin1')).length === 0) {
    throw new PlanProblem(`not a PEM certificate: ${command.cacert ?? ''}`);
  }
  if (command.capath !== undefined) {
    const authorities = await capathCertificates(command.capath, files);
    options.ca = [...(cacert === undefined ? [] : [cacert]), ...authorities];
  } else if (cacert !== undefined) options.ca = cacert;
  if (command.cert !== undefined) {
    const client = await clientCertificate(
      {cert: command.cert, key: command.key, pass: command.pass},
      files,
    );
    options.cert = client.cert;
    options.key = client.key;
    if (client.passphrase !== undefined) options.passphrase = client.passphrase;
  } else {
    if (command.key !== undefined) notes.push('--key has no effect without --cert');
    if (command.pass !== undefined) notes.push('--pass has no effect without --cert');
  }
  if (command.pinnedPublicKey !== undefined) {
    options.pinnedPublicKeys = await pinnedPublicKeys(command.pinnedPublicKey, files);
  }
}
