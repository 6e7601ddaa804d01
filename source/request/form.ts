/** The request form's rules: method semantics, the URL read back in parts, header lines. Pure. */
import {httpMethods, type HttpMethod} from './types.js';
import {parseUrl} from './hops.js';
import {RequestFailure} from './errors.js';

/** The next of the seven common methods; any other token goes to GET. */
export function nextMethod(method: string): HttpMethod {
  return stepMethod(method, 1);
}

export function previousMethod(method: string): HttpMethod {
  return stepMethod(method, -1);
}

function stepMethod(method: string, step: 1 | -1): HttpMethod {
  const index = httpMethods.indexOf(method as HttpMethod);
  if (index === -1) return step > 0 ? 'GET' : 'OPTIONS';
  return httpMethods[(index + step + httpMethods.length) % httpMethods.length] ?? 'GET';
}

/** RFC 9110 §9.2: safe methods change nothing; idempotent ones may be repeated to the same effect. */
export function methodSemantics(method: string): {
  safe: boolean;
  idempotent: boolean;
  words: string;
} {
  const upper = method.toUpperCase();
  const safe = upper === 'GET' || upper === 'HEAD' || upper === 'OPTIONS' || upper === 'TRACE';
  const idempotent = safe || upper === 'PUT' || upper === 'DELETE';
  const words = safe
    ? 'safe, idempotent'
    : idempotent
      ? 'idempotent, not safe'
      : 'neither safe nor idempotent';
  return {safe, idempotent, words};
}

export type UrlParts =
  | {
      ok: true;
      scheme: string;
      /** No scheme was written: http:// is added, as curl does. */
      schemeImplied: boolean;
      host: string;
      port: number;
      portImplied: boolean;
      path: string;
    }
  | {ok: false; error: string};

/** The URL as scheme, host, port (the default shown when implied) and path with query. */
export function urlParts(text: string): UrlParts {
  const trimmed = text.trim();
  if (!trimmed) return {ok: false, error: 'no URL yet'};
  const schemeImplied = !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  // A WebSocket's handshake is an HTTP request: ws:// and wss:// are checked as http(s)://.
  const webSocket = /^wss?:\/\//i.test(trimmed);
  const asHttp = webSocket ? trimmed.replace(/^ws/i, 'http') : trimmed;
  // The engine's own check, so the form flags exactly what sending would refuse.
  const url = parseUrl(schemeImplied ? `http://${trimmed}` : asHttp);
  if (url instanceof RequestFailure) return {ok: false, error: url.message};
  const secure = url.protocol === 'https:';
  const scheme = webSocket ? (secure ? 'wss' : 'ws') : url.protocol.replace(/:$/, '');
  const portImplied = url.port === '';
  return {
    ok: true,
    scheme,
    schemeImplied,
    host: url.hostname,
    port: portImplied ? (secure ? 443 : 80) : Number(url.port),
    portImplied,
    path: url.pathname + url.search,
  };
}

/** Why the form's URL cannot be sent, or undefined when it can. */
export function urlProblem(url: string): string | undefined {
  const parts = urlParts(url);
  return parts.ok ? undefined : parts.error;
}
