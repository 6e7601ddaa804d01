/**
 * Planning what goes on the wire: the URL read and checked, the headers as sent, and how a
 * redirect changes the next request (as curl -L does).
 */
import {hostPort, RequestFailure} from './errors.js';
import type {Target} from './connection.js';
import {headerNameProblem, headerValueProblem} from './header-lines.js';
import {typedHost, typedTarget, type OwnHeaders} from './http1-request.js';
import type {HeaderList, RequestOptions} from './types.js';
import {version} from '../version.js';

/** What one exchange (one connection, one request) sends. */
export type Hop = {
  url: URL;
  method: string;
  /** The custom headers, in order and spelling. */
  headers: HeaderList;
  /** The headers the engine adds itself, as curl does. */
  own: OwnHeaders;
  /** The request target and Host as typed, when they came from the caller's text, not a Location. */
  typed?: {target: string; host: string};
  body: Buffer | undefined;
};

const methodToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export function firstHop(options: RequestOptions): Hop | RequestFailure {
  const url = parseUrl(options.url);
  if (url instanceof RequestFailure) return url;
  // Sent as written, as curl -X sends it.
  const method = options.method ?? 'GET';
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
  const own: OwnHeaders = {
    user: options.user,
    bearer: options.bearer,
    range: options.range,
    userAgent: options.userAgent ?? `porthole/${version}`,
    referer: options.referer,
    cookie: options.cookie,
    compressed: options.compressed === true,
    bodyType: options.bodyType,
    expectContinue: options.expectContinue === true,
    omit: new Set((options.omitHeaders ?? []).map((name) => name.toLowerCase())),
    // Switching protocols needs HTTP/1.1, whatever version was asked for.
    httpVersion: options.httpVersion === '1.0' && options.upgrade === undefined ? '1.0' : '1.1',
  };
  for (const [name, value] of ownValues(own)) {
    const problem = headerValueProblem(name, value);
    if (problem !== undefined) return new RequestFailure('invalid-request', problem);
  }
  const {body} = options;
  return {
    url,
    method,
    headers,
    own,
    typed: {
      target: typedTarget(options.url, url, options.pathAsIs === true),
      host: typedHost(options.url, url),
    },
    body:
      body === undefined
        ? undefined
        : typeof body === 'string'
          ? Buffer.from(body, 'utf8')
          : Buffer.from(body),
  };
}

function ownValues(own: OwnHeaders): Array<[string, string]> {
  const values: Array<[string, string | undefined]> = [
    ['Authorization', own.user],
    ['Authorization', own.bearer],
    ['Range', own.range],
    ['User-Agent', own.userAgent],
    ['Referer', own.referer],
    ['Cookie', own.cookie],
    ['Content-Type', own.bodyType],
  ];
  return values.filter((pair): pair is [string, string] => pair[1] !== undefined);
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

/**
 * As curl -L: 303 becomes GET, and so do 301/302 after POST, without the body. On another origin
 * curl drops a given Host, Authorization and Cookie and its own -u credentials, but keeps the -b
 * cookie and every other header.
 */
export function nextHop(hop: Hop, status: number, url: URL): Hop {
  const toGet =
    (status === 303 && hop.method !== 'HEAD') ||
    ((status === 301 || status === 302) && hop.method === 'POST');
  const sameOrigin = url.origin === hop.url.origin;
  const dropped = new Set<string>();
  if (toGet) dropped.add('content-length').add('transfer-encoding');
  if (!sameOrigin) {
    dropped.add('host').add('authorization').add('proxy-authorization').add('cookie');
  }
  return {
    url,
    method: toGet ? 'GET' : hop.method,
    headers: hop.headers.filter(([name]) => !dropped.has(name.toLowerCase())),
    own: {
      ...hop.own,
      user: sameOrigin ? hop.own.user : undefined,
      bearer: sameOrigin ? hop.own.bearer : undefined,
      bodyType: toGet ? undefined : hop.own.bodyType,
      expectContinue: toGet ? false : hop.own.expectContinue,
    },
    body: toGet ? undefined : hop.body,
  };
}

export function targetOf(url: URL): Target {
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return {host, port, secure, where: hostPort(host, port)};
}
