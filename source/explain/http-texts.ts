/**
 * Plain words for what the Request pane shows: status codes and classes (the meanings are
 * status.ts's, with their RFC 9110 sections), methods, common headers, and the transcript's
 * layers and line marks.
 */
import {reasonPhrase, statusMeaning} from '../request/status.js';
import type {HttpMethod, TranscriptLine} from '../request/types.js';
import type {TranscriptLayer} from '../request/transcript.js';
import type {Explanation} from './types.js';

export type StatusClassName = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
export const statusClassNames: readonly StatusClassName[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

export const statusClassTexts: Record<StatusClassName, Explanation> = {
  '1xx': {
    title: '1xx informational',
    paragraphs: [
      'An interim answer: the request goes on and the final response follows (100 Continue, 101 Switching Protocols, 103 Early Hints).',
    ],
    refs: ['RFC 9110 §15.2'],
  },
  '2xx': {
    title: '2xx success',
    paragraphs: ['The server received, understood and accepted the request.'],
    refs: ['RFC 9110 §15.3'],
  },
  '3xx': {
    title: '3xx redirection',
    paragraphs: [
      'The answer is elsewhere: the Location header says where (f follows redirects, as curl -L). 304 is the exception: the copy you have is still good.',
    ],
    refs: ['RFC 9110 §15.4'],
  },
  '4xx': {
    title: '4xx client error',
    paragraphs: [
      'The server found fault with the request: its path, method, credentials, headers or body. Sending it again unchanged gets the same answer (429 and 408 aside).',
    ],
    refs: ['RFC 9110 §15.5'],
  },
  '5xx': {
    title: '5xx server error',
    paragraphs: [
      'The server, or a gateway in front of it, failed to handle a request that may be fine. Trying again later can work; a Retry-After header says when.',
    ],
    refs: ['RFC 9110 §15.6'],
  },
};

/** Where each common code is defined: RFC 9110 unless another RFC is named. */
const statusRefs: Record<number, string> = {
  100: 'RFC 9110 §15.2.1',
  101: 'RFC 9110 §15.2.2',
  103: 'RFC 8297',
  200: 'RFC 9110 §15.3.1',
  201: 'RFC 9110 §15.3.2',
  202: 'RFC 9110 §15.3.3',
  203: 'RFC 9110 §15.3.4',
  204: 'RFC 9110 §15.3.5',
  205: 'RFC 9110 §15.3.6',
  206: 'RFC 9110 §15.3.7',
  300: 'RFC 9110 §15.4.1',
  301: 'RFC 9110 §15.4.2',
  302: 'RFC 9110 §15.4.3',
  303: 'RFC 9110 §15.4.4',
  304: 'RFC 9110 §15.4.5',
  307: 'RFC 9110 §15.4.8',
  308: 'RFC 9110 §15.4.9',
  400: 'RFC 9110 §15.5.1',
  401: 'RFC 9110 §15.5.2',
  402: 'RFC 9110 §15.5.3',
  403: 'RFC 9110 §15.5.4',
  404: 'RFC 9110 §15.5.5',
  405: 'RFC 9110 §15.5.6',
  406: 'RFC 9110 §15.5.7',
  407: 'RFC 9110 §15.5.8',
  408: 'RFC 9110 §15.5.9',
  409: 'RFC 9110 §15.5.10',
  410: 'RFC 9110 §15.5.11',
  411: 'RFC 9110 §15.5.12',
  412: 'RFC 9110 §15.5.13',
  413: 'RFC 9110 §15.5.14',
  414: 'RFC 9110 §15.5.15',
  415: 'RFC 9110 §15.5.16',
  416: 'RFC 9110 §15.5.17',
  417: 'RFC 9110 §15.5.18',
  418: 'RFC 9110 §15.5.19',
  421: 'RFC 9110 §15.5.20',
  422: 'RFC 9110 §15.5.21',
  425: 'RFC 8470 §5.2',
  426: 'RFC 9110 §15.5.22',
  428: 'RFC 6585 §3',
  429: 'RFC 6585 §4',
  431: 'RFC 6585 §5',
  451: 'RFC 7725',
  500: 'RFC 9110 §15.6.1',
  501: 'RFC 9110 §15.6.2',
  502: 'RFC 9110 §15.6.3',
  503: 'RFC 9110 §15.6.4',
  504: 'RFC 9110 §15.6.5',
  505: 'RFC 9110 §15.6.6',
};

/** What codes add to their meaning, where there is more to say than one sentence. */
const statusNotes: Record<number, string> = {
  301: 'Clients may turn a POST into a GET when they follow it; 308 keeps the method.',
  302: 'Clients may turn a POST into a GET when they follow it; 307 keeps the method.',
  304: 'The answer to a conditional request (If-None-Match, If-Modified-Since): no body, keep using the cached copy.',
  401: 'The WWW-Authenticate header says which scheme to use.',
  403: 'Unlike 401, other credentials would not help, as the server sees it.',
  405: 'The Allow header lists the methods this path takes.',
  429: 'Retry-After, when present, says how long to wait.',
  502: 'The server behind the proxy or load balancer is down, crashed mid-response, or spoke gibberish.',
  503: 'Overloaded or in maintenance; Retry-After, when present, says how long to wait.',
  504: 'The server behind the proxy took longer than the proxy waits.',
};

/** A status code's text: its reason phrase and meaning (status.ts), class and reference. */
export function statusText(code: number): Explanation | undefined {
  if (!Number.isInteger(code) || code < 100 || code > 599) return undefined;
  const phrase = reasonPhrase(code);
  const className = `${Math.floor(code / 100)}xx` as StatusClassName;
  const ref = statusRefs[code];
  const note = statusNotes[code];
  return {
    title: `${code}${phrase ? ` ${phrase}` : ''}`,
    paragraphs: [
      `${capitalized(statusMeaning(code))}.${note ? ` ${note}` : ''}`,
      ...(phrase ? [] : ['Not a registered code: read it by its class.']),
      `${statusClassTexts[className].title}: ${statusClassTexts[className].paragraphs[0]}`,
    ],
    refs: [ref ?? statusClassTexts[className].refs[0]!],
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const retrySafe = 'Safe to send again: a retry cannot change anything.';
const retryIdempotent =
  'Idempotent: sending it twice has the same effect as once, so a retry after a lost answer is fine.';
const retryNot =
  'Neither safe nor idempotent: resending can do it twice (charge a card twice, create two orders). porthole asks before sending it again.';

export const methodTexts: Record<HttpMethod, Explanation> = {
  GET: {
    title: 'GET',
    paragraphs: ['Fetches what the URL names. Safe and idempotent.', retrySafe],
    refs: ['RFC 9110 §9.3.1', 'RFC 9110 §9.2'],
  },
  HEAD: {
    title: 'HEAD',
    paragraphs: [
      'As GET, but the answer has no body: the headers alone (size, type, dates). Safe and idempotent.',
      retrySafe,
    ],
    refs: ['RFC 9110 §9.3.2', 'RFC 9110 §9.2'],
  },
  POST: {
    title: 'POST',
    paragraphs: [
      'Hands the body to the resource to process as it sees fit: submit a form, create an item, run an action.',
      retryNot,
    ],
    refs: ['RFC 9110 §9.3.3', 'RFC 9110 §9.2.2'],
  },
  PUT: {
    title: 'PUT',
    paragraphs: [
      'Replaces what the URL names with the body (or creates it). Idempotent, not safe.',
      retryIdempotent,
    ],
    refs: ['RFC 9110 §9.3.4', 'RFC 9110 §9.2.2'],
  },
  PATCH: {
    title: 'PATCH',
    paragraphs: [
      'Changes part of what the URL names, as the body describes. Not idempotent in general (an "add 1" patch applied twice adds 2).',
      retryNot,
    ],
    refs: ['RFC 5789'],
  },
  DELETE: {
    title: 'DELETE',
    paragraphs: [
      'Removes what the URL names. Idempotent, not safe: a second DELETE finds nothing more to remove (it may answer 404).',
      retryIdempotent,
    ],
    refs: ['RFC 9110 §9.3.5', 'RFC 9110 §9.2.2'],
  },
  OPTIONS: {
    title: 'OPTIONS',
    paragraphs: [
      'Asks what the server allows for the URL (the Allow header); browsers send it as the CORS preflight. Safe and idempotent.',
      retrySafe,
    ],
    refs: ['RFC 9110 §9.3.7'],
  },
};

/** Methods the Request pane does not cycle through but a form may hold. */
export const otherMethodTexts = {
  CONNECT: {
    title: 'CONNECT',
    paragraphs: [
      'Asks a proxy to open a tunnel to host:port; what follows is raw bytes (usually TLS). Neither safe nor idempotent.',
    ],
    refs: ['RFC 9110 §9.3.6'],
  },
  TRACE: {
    title: 'TRACE',
    paragraphs: [
      'Asks the server to echo the request back, to see what proxies changed. Safe and idempotent; mostly disabled.',
    ],
    refs: ['RFC 9110 §9.3.8'],
  },
} satisfies Record<string, Explanation>;

const header = (title: string, ref: string, ...paragraphs: string[]): Explanation => ({
  title,
  paragraphs,
  refs: [ref],
});

const cors = 'WHATWG Fetch, CORS protocol';

/** Common headers by lower-case name. */
export const headerTexts: Readonly<Record<string, Explanation>> = {
  'content-type': header(
    'Content-Type',
    'RFC 9110 §8.3',
    'The media type of the body (text/html; charset=utf-8, application/json). The body view reads it to show the body.',
  ),
  'content-length': header(
    'Content-Length',
    'RFC 9110 §8.6',
    'The body size in bytes. A body cut short of it means the connection broke.',
  ),
  'content-encoding': header(
    'Content-Encoding',
    'RFC 9110 §8.4',
    'How the body was compressed (gzip, br, zstd); undone before showing. Asked for with Accept-Encoding (curl --compressed).',
  ),
  'transfer-encoding': header(
    'Transfer-Encoding',
    'RFC 9112 §6.1',
    'HTTP/1.1 only: chunked means the body comes in pieces and its length is not known in advance. HTTP/2 has frames instead.',
  ),
  'cache-control': header(
    'Cache-Control',
    'RFC 9111 §5.2',
    'How long and by whom the response may be cached: max-age=3600, no-cache (check before using), no-store (never keep), private (browser only, not shared caches).',
  ),
  etag: header(
    'ETag',
    'RFC 9110 §8.8.3',
    'A version tag of the response. A later request sends it in If-None-Match; the server answers 304 when nothing changed.',
  ),
  'last-modified': header(
    'Last-Modified',
    'RFC 9110 §8.8.2',
    'When the resource last changed; sent back in If-Modified-Since for a 304.',
  ),
  location: header(
    'Location',
    'RFC 9110 §10.2.2',
    'Where a redirect (3xx) points, or what a 201 created.',
  ),
  'set-cookie': header(
    'Set-Cookie',
    'RFC 6265 §4.1',
    'Stores a cookie in the client, sent back in Cookie on later requests. Secure: HTTPS only; HttpOnly: hidden from scripts; SameSite: not sent from other sites.',
  ),
  cookie: header(
    'Cookie',
    'RFC 6265 §4.2',
    'The cookies the client holds for this site, sent with each request. Often a session: masked here, as a password is.',
  ),
  'strict-transport-security': header(
    'Strict-Transport-Security',
    'RFC 6797',
    'HSTS: for max-age seconds browsers reach this host over HTTPS only, and refuse certificate errors. Only counts when received over HTTPS.',
  ),
  authorization: header(
    'Authorization',
    'RFC 9110 §11.6.2',
    'Credentials for the server: Basic (user:password in base64, readable by anyone who sees it), Bearer (a token). Masked here.',
  ),
  'www-authenticate': header(
    'WWW-Authenticate',
    'RFC 9110 §11.6.1',
    'Sent with a 401: which authentication scheme the server wants (Basic realm="…", Bearer).',
  ),
  host: header(
    'Host',
    'RFC 9110 §7.2',
    'The host name (and port) the request is for, so one address can serve many sites. HTTP/2 sends it as :authority.',
  ),
  accept: header(
    'Accept',
    'RFC 9110 §12.5.1',
    'The media types the client takes, with preferences (q=): curl sends */*.',
  ),
  'accept-encoding': header(
    'Accept-Encoding',
    'RFC 9110 §12.5.3',
    'The compressions the client can undo (gzip, br, zstd).',
  ),
  connection: header(
    'Connection',
    'RFC 9110 §7.6.1',
    'HTTP/1.1 only: close ends the connection after this exchange; keep-alive keeps it for the next. Not allowed in HTTP/2.',
  ),
  upgrade: header(
    'Upgrade',
    'RFC 9110 §7.8',
    'Asks to switch the connection to another protocol (websocket); the server agrees with 101.',
  ),
  'alt-svc': header(
    'Alt-Svc',
    'RFC 7838',
    'Other places this origin is served: h3=":443" says HTTP/3 over QUIC (UDP 443) is available.',
  ),
  'retry-after': header(
    'Retry-After',
    'RFC 9110 §10.2.3',
    'With 503 or 429 (or a redirect): how many seconds to wait, or a date, before trying again.',
  ),
  vary: header(
    'Vary',
    'RFC 9110 §12.5.5',
    'Which request headers changed this answer (Accept-Encoding, Cookie): a cache keeps one copy per value.',
  ),
  server: header(
    'Server',
    'RFC 9110 §10.2.4',
    "The server's software, as it chooses to say (nginx/1.24). It tells attackers the version too.",
  ),
  date: header(
    'Date',
    'RFC 9110 §6.6.1',
    "When the server made the response, by the server's clock.",
  ),
  'user-agent': header(
    'User-Agent',
    'RFC 9110 §10.1.5',
    'The client software: curl/8.x for curl; porthole sends what curl would.',
  ),
  origin: header(
    'Origin',
    'RFC 6454 §7',
    'The site (scheme, host, port) a browser request came from; the server decides on CORS from it.',
  ),
  'access-control-allow-origin': header(
    'Access-Control-Allow-Origin',
    cors,
    'CORS: which origin may read this response in a browser (* for any). Without it, scripts on other sites cannot read the answer; the request was still made.',
  ),
  'access-control-allow-credentials': header(
    'Access-Control-Allow-Credentials',
    cors,
    'CORS: true lets other origins send cookies and read the answer; only with a named origin, not *.',
  ),
  'access-control-allow-methods': header(
    'Access-Control-Allow-Methods',
    cors,
    'CORS preflight answer: the methods other origins may use.',
  ),
  'access-control-allow-headers': header(
    'Access-Control-Allow-Headers',
    cors,
    'CORS preflight answer: the request headers other origins may send.',
  ),
  'access-control-expose-headers': header(
    'Access-Control-Expose-Headers',
    cors,
    'CORS: response headers, beyond the basic ones, that scripts on other origins may read.',
  ),
  'access-control-max-age': header(
    'Access-Control-Max-Age',
    cors,
    'CORS: how many seconds a browser may keep the preflight answer.',
  ),
  'access-control-request-method': header(
    'Access-Control-Request-Method',
    cors,
    'CORS preflight (OPTIONS): the method the real request will use.',
  ),
  'access-control-request-headers': header(
    'Access-Control-Request-Headers',
    cors,
    'CORS preflight (OPTIONS): the headers the real request will send.',
  ),
};

export const layerTexts: Record<TranscriptLayer, Explanation> = {
  DNS: {
    title: 'DNS',
    paragraphs: [
      'Finding the addresses of the host name: the resolver (or /etc/hosts, --resolve) answers with IPv6 and IPv4 addresses. The timing tab\'s "dns" phase.',
    ],
    refs: ['RFC 1034', 'RFC 1035'],
  },
  TCP: {
    title: 'TCP',
    paragraphs: [
      'Connecting: each address is tried in turn until one answers the handshake; a kept connection is reused instead. "connect" in the timings.',
    ],
    refs: ['RFC 9293'],
  },
  TLS: {
    title: 'TLS',
    paragraphs: [
      'For https: the encrypted session is set up; the protocol version and cipher, the HTTP version agreed (ALPN), and the certificate the server showed and whether it checked out. "tls" in the timings.',
    ],
    refs: ['RFC 8446', 'RFC 7301'],
  },
  HTTP: {
    title: 'HTTP',
    paragraphs: [
      'The exchange itself: the request head sent, the response head received, HTTP/2 streams, redirects followed.',
    ],
    refs: ['RFC 9110', 'RFC 9112', 'RFC 9113'],
  },
};

export const transcriptKindTexts: Record<TranscriptLine['kind'], Explanation> = {
  info: {
    title: '* (info)',
    paragraphs: ["What happened, in curl -v's words: resolving, connecting, the TLS handshake."],
    refs: [],
  },
  out: {
    title: '> (sent)',
    paragraphs: ['The request head as it went on the wire: the request line, then each header.'],
    refs: ['RFC 9112 §3'],
  },
  in: {
    title: '< (received)',
    paragraphs: ['The response head as it came back: the status line, then each header.'],
    refs: ['RFC 9112 §4'],
  },
};
