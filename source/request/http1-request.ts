/**
 * The HTTP/1.x request as it goes on the wire: the request line and the headers in curl 7.88's
 * order and spelling, then the body. Built before the connection opens, written with one write.
 */
import type {HeaderList} from './types.js';

/** What curl would add by itself, before and after the headers given with -H. */
export type OwnHeaders = {
  /** `name:password` for `Authorization: Basic`. */
  user: string | undefined;
  bearer: string | undefined;
  range: string | undefined;
  /** '' sends none. */
  userAgent: string;
  referer: string | undefined;
  cookie: string | undefined;
  compressed: boolean;
  bodyType: string | undefined;
  expectContinue: boolean;
  /** Lower-cased names of own headers not to send. */
  omit: ReadonlySet<string>;
  httpVersion: '1.0' | '1.1';
};

export type RequestHead = {
  /** The request line, then each header line, as written (no line ends). */
  lines: string[];
  /** The head, blank line included, as bytes. */
  head: Buffer;
  /** The body as it goes on the wire (chunk-framed when a Transfer-Encoding: chunked was given). */
  body: Buffer | undefined;
};

export const acceptEncoding = 'deflate, gzip, br, zstd';

/**
 * The request line and headers for `method url`. A custom header replaces the engine's own of the
 * same name and goes out where the custom headers go, except Host, which keeps the first place.
 */
export function requestHead(
  method: string,
  url: URL,
  custom: HeaderList,
  own: OwnHeaders,
  body: Buffer | undefined,
  typed: {target?: string; host?: string} = {},
): RequestHead {
  const target = typed.target ?? `${url.pathname}${url.search}`;
  const given = new Set(custom.map(([name]) => name.toLowerCase()));
  const wanted = (name: string) => !given.has(name) && !own.omit.has(name);
  const lines = [`${method} ${target} HTTP/${own.httpVersion}`];
  const add = (name: string, value: string, line?: string) =>
    lines.push(line ?? (value === '' ? `${name}:` : `${name}: ${value}`));

  const customHost = custom.find(([name]) => name.toLowerCase() === 'host');
  if (customHost !== undefined) add(...customHost);
  else if (!own.omit.has('host')) add('Host', typed.host ?? url.host);
  if (wanted('authorization')) {
    const basic = own.user ?? urlCredentials(url);
    if (basic !== undefined) add('Authorization', `Basic ${Buffer.from(basic).toString('base64')}`);
    else if (own.bearer !== undefined) add('Authorization', `Bearer ${own.bearer}`);
  }
  if (own.range !== undefined && wanted('range')) add('Range', `bytes=${own.range}`);
  if (own.userAgent !== '' && wanted('user-agent')) add('User-Agent', own.userAgent);
  if (wanted('accept')) add('Accept', '*/*');
  if (own.compressed && wanted('accept-encoding')) add('Accept-Encoding', acceptEncoding);
  if (own.referer !== undefined && wanted('referer')) add('Referer', own.referer);
  if (own.cookie !== undefined && wanted('cookie')) add('Cookie', own.cookie);
  for (const header of custom) if (header[0].toLowerCase() !== 'host') add(...header);

  const chunked = custom.some(
    ([name, value]) =>
      name.toLowerCase() === 'transfer-encoding' && /(^|,)\s*chunked\s*$/i.test(value),
  );
  if (body !== undefined && !chunked && wanted('content-length')) {
    add('Content-Length', String(body.length));
  }
  if (body !== undefined && own.bodyType !== undefined && wanted('content-type')) {
    add('Content-Type', own.bodyType);
  }
  if (body !== undefined && own.expectContinue && wanted('expect')) add('Expect', '100-continue');

  return {
    lines,
    // As curl sends its arguments: the text's UTF-8 bytes.
    head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'),
    body: body === undefined || !chunked ? body : chunkFramed(body),
  };
}

/**
 * The request target as curl 7.88 makes it from the URL as typed: the path and query as written
 * (no fragment), dot segments removed, only non-ASCII in the path percent-encoded (lower-case
 * hex, as curl); with pathAsIs (curl --path-as-is) the dot segments stay. The WHATWG URL
 * would also encode `"`, `<`, `>` and decode `%2e`, which curl does
 * not. A URL with spaces or control characters, which curl refuses, is sent as WHATWG has it.
 */
export function typedTarget(text: string, url: URL, pathAsIs = false): string {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^#]*)/.exec(text.trim());
  const raw = match?.[1];
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  if (raw === undefined || /[\u0000-\u0020\u007f]/.test(raw)) return `${url.pathname}${url.search}`;
  const query = raw.indexOf('?');
  const rawPath = query === -1 ? raw : raw.slice(0, query);
  const search = query === -1 ? '' : raw.slice(query);
  const path = rawPath === '' ? '/' : rawPath;
  const encoded = (pathAsIs ? path : withoutDotSegments(path)).replace(/[^\x20-\x7e]+/gu, (text) =>
    [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16)}`).join(''),
  );
  return `${encoded}${search}`;
}

/**
 * The Host header as curl 7.88 writes it from the URL as typed: the name in the case it was
 * written (`API.Example.com`), the port only when it is not the scheme's default.
 */
export function typedHost(text: string, url: URL): string {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(text.trim())?.[1] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const name = hostPort.startsWith('[')
    ? hostPort.slice(0, hostPort.indexOf(']') + 1)
    : hostPort.replace(/:[^:]*$/, '');
  const host = name.toLowerCase() === url.hostname ? name : url.hostname;
  return url.port === '' ? host : `${host}:${url.port}`;
}

/** RFC 3986 §5.2.4, on the path as written (`%2e` is not a dot here, as in curl). */
function withoutDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '.') {
      if (last) output.push('');
    } else if (segment === '..') {
      output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  });
  return `/${output.join('/')}`;
}

/**
 * Whether the body waits for `100 Continue`: curl waits when it sent the Expect header, its own
 * or one given with -H.
 */
export function waitsForContinue(lines: string[]): boolean {
  return lines.some((line) => /^expect:\s*100-continue\s*$/i.test(line));
}

/** `http://a%40b:c@host/` -> `a@b:c`, as curl decodes URL credentials before sending them. */
function urlCredentials(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return `${percentDecoded(url.username)}:${percentDecoded(url.password)}`;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function chunkFramed(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('0\r\n\r\n', 'latin1');
  return Buffer.concat([
    Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1'),
    body,
    Buffer.from('\r\n0\r\n\r\n', 'latin1'),
  ]);
}
