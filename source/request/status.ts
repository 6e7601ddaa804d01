/** Words for HTTP status codes: their class, the standard reason phrase and what they usually mean. */
import {http} from '../builtin-on-use.js';
import type {StatusClass} from './types.js';

export function statusClass(code: number): StatusClass {
  if (!Number.isInteger(code) || code < 100 || code > 599) return 'unknown';
  if (code < 200) return 'informational';
  if (code < 300) return 'success';
  if (code < 400) return 'redirection';
  if (code < 500) return 'client error';
  return 'server error';
}

/** The registered reason phrase ("Not Found"), whatever the server wrote after the code. */
export function reasonPhrase(code: number): string | undefined {
  return http().STATUS_CODES[code];
}

const meanings: Record<number, string> = {
  100: 'the server wants the rest of the request',
  101: 'the server is switching to another protocol',
  103: 'hints sent before the final response',
  200: 'the request worked',
  201: 'the request worked and created something',
  202: 'accepted for processing, not done yet',
  204: 'the request worked and there is no body',
  206: 'only the requested range of the body follows',
  301: 'moved for good; use the new location from now on',
  302: 'found elsewhere for now; the location says where',
  303: 'see the location, fetched with GET',
  304: 'not modified since the copy you have',
  307: 'moved for now; repeat the same request at the location',
  308: 'moved for good; repeat the same request at the location',
  400: 'the server could not understand the request',
  401: 'authentication is needed or the credentials were refused',
  403: 'the server refuses to do this for you',
  404: 'the server has nothing at this path',
  405: 'this path does not accept this method',
  406: 'the server cannot answer in any format the request accepts',
  407: 'the proxy wants authentication',
  408: 'the server gave up waiting for the request',
  409: 'the request conflicts with the current state',
  410: 'gone for good',
  411: 'the server wants a Content-Length',
  412: 'a precondition in the request headers failed',
  413: 'the request body is too large',
  414: 'the URL is too long',
  415: 'the server does not accept this body type',
  416: 'the requested range is not available',
  418: 'the server is a teapot',
  421: 'the request reached a server that does not serve this host',
  422: 'the body was understood but is not valid',
  425: 'the server will not risk a replayed request',
  426: 'the server wants another protocol',
  428: 'the server wants a conditional request',
  429: 'too many requests; slow down',
  431: 'the request headers are too large',
  451: 'unavailable for legal reasons',
  500: 'the server failed while handling the request',
  501: 'the server does not support this method',
  502: 'a gateway got a bad answer from the server behind it',
  503: 'the server is unavailable for now',
  504: 'a gateway timed out waiting for the server behind it',
  505: 'the server does not support this HTTP version',
};

/** One short sentence for the common codes, or one for the class. */
export function statusMeaning(code: number): string {
  const known = meanings[code];
  if (known !== undefined) return known;
  switch (statusClass(code)) {
    case 'informational':
      return 'an interim response; the final one follows';
    case 'success':
      return 'the request worked';
    case 'redirection':
      return 'the answer is somewhere else';
    case 'client error':
      return 'the server found a problem with the request';
    case 'server error':
      return 'the server failed to handle the request';
    case 'unknown':
      return 'not a standard status code';
  }
}
