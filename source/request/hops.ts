/**
 * Planning what goes on the wire: the URL read and checked, the headers as sent, and how a
 * redirect changes the next request (as curl -L does).
 */
import {hostPort, RequestFailure} from './errors.js';
import type {Target} from './connection.js';
import {headerNameProblem, headerValueProblem} from './header-lines.js';
import type {HeaderList, RequestOptions} from './types.js';
import {version} from '../version.js';

/** What one exchange (one connection, one request) sends. */
export type Hop = {url: URL; method: string; headers: HeaderList; body: Buffer | undefined};

const methodToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Node sends no body for these unless one is given, and needs no Content-Length to say so.
const bodylessMethods = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

export const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export function firstHop(options: RequestOptions): Hop | RequestFailure {
  const url = parseUrl(options.url);
  if (url instanceof RequestFailure) return url;
  // Node's client sends methods upper-cased; the transcript says the same.
  const method = (options.method ?? 'GET').toUpperCase();
  if (!methodToken.test(method)) {
    return new RequestFailure('invalid-request', `invalid method ${JSON.stringify(method)}`);
  }
  const headers: HeaderList = Array.isArray(options.headers)
    ? [...options.headers]
    : Object.entries(options.headers ?? {});
  for (const [name, value] of headers) {
    const problem = headerNameProblem(name) ?? headerValueProblem(name, value);
    if (problem !== undefined) return new RequestFailure('invalid-request', problem);
  }
  const {body} = options;
  return {
    url,
    method,
    headers,
    body:
      body === undefined
        ? undefined
        : typeof body === 'string'
          ? Buffer.from(body, 'utf8')
          : Buffer.from(body),
  };
}

export function parseUrl(text: string): URL | RequestFailure {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return new RequestFailure('invalid-url', `invalid URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new RequestFailure(
      'unsupported-scheme',
      `unsupported scheme ${url.protocol} in ${text} (only http and https)`,
    );
  }
  if (url.hostname === '') {
    return new RequestFailure('invalid-url', `invalid URL: ${text} has no host`);
  }
  return url;
}

export function redirectTarget(location: string, base: URL): URL | RequestFailure {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    return new RequestFailure('protocol', `the server redirected to an invalid URL: ${location}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return new RequestFailure(
      'unsupported-scheme',
      `the server redirected to unsupported scheme ${next.protocol} (only http and https)`,
    );
  }
  return next;
}

/** As curl -L: 303 becomes GET, and so do 301/302 after POST; credentials stay with their origin. */
export function nextHop(hop: Hop, status: number, url: URL): Hop {
  const toGet =
    (status === 303 && hop.method !== 'HEAD') ||
    ((status === 301 || status === 302) && hop.method === 'POST');
  const sameOrigin = url.origin === hop.url.origin;
  const dropped = new Set<string>();
  if (toGet) dropped.add('content-length').add('content-type').add('transfer-encoding');
  if (!sameOrigin) {
    dropped.add('host').add('authorization').add('proxy-authorization').add('cookie');
  }
  return {
    url,
    method: toGet ? 'GET' : hop.method,
    headers: hop.headers.filter(([name]) => !dropped.has(name.toLowerCase())),
    body: toGet ? undefined : hop.body,
  };
}

/** The headers as they go on the wire: the given ones in order, the usual ones added where missing. */
export function requestHeaders(hop: Hop): HeaderList {
  const given = new Set(hop.headers.map(([name]) => name.toLowerCase()));
  const headers: HeaderList = [];
  if (!given.has('host')) headers.push(['Host', hop.url.host]);
  if (!given.has('user-agent')) headers.push(['User-Agent', `porthole/${version}`]);
  if (!given.has('accept')) headers.push(['Accept', '*/*']);
  if (!given.has('authorization') && (hop.url.username !== '' || hop.url.password !== '')) {
    const credentials = `${percentDecoded(hop.url.username)}:${percentDecoded(hop.url.password)}`;
    headers.push(['Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`]);
  }
  headers.push(...hop.headers);
  const framed = given.has('content-length') || given.has('transfer-encoding');
  if (!framed && (hop.body !== undefined || !bodylessMethods.has(hop.method.toUpperCase()))) {
    headers.push(['Content-Length', String(hop.body?.length ?? 0)]);
  }
  // Node adds this itself when absent; naming it keeps the transcript exactly what was sent.
  if (!given.has('connection')) headers.push(['Connection', 'close']);
  return headers;
}

export function targetOf(url: URL): Target {
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return {host, port, secure, where: hostPort(host, port)};
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
