/** The request form's rules: method semantics, the URL read back in parts, header lines. Pure. */
import {httpMethods, type HttpMethod} from './types.js';
import {parseHeaderLines} from './header-lines.js';
import {parseUrl} from './hops.js';
import {RequestFailure} from './errors.js';

export function nextMethod(method: HttpMethod): HttpMethod {
  return httpMethods[(httpMethods.indexOf(method) + 1) % httpMethods.length] ?? 'GET';
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
  | {ok: true; scheme: string; host: string; port: number; portImplied: boolean; path: string}
  | {ok: false; error: string};

/** The URL as scheme, host, port (the default shown when implied) and path with query. */
export function urlParts(text: string): UrlParts {
  const trimmed = text.trim();
  if (!trimmed) return {ok: false, error: 'no URL yet'};
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    return {ok: false, error: 'malformed URL (it needs a scheme, like http://)'};
  }
  // The engine's own check, so the form flags exactly what sending would refuse.
  const url = parseUrl(trimmed);
  if (url instanceof RequestFailure) return {ok: false, error: url.message};
  const scheme = url.protocol.replace(/:$/, '');
  const portImplied = url.port === '';
  return {
    ok: true,
    scheme,
    host: url.hostname,
    port: portImplied ? (scheme === 'https' ? 443 : 80) : Number(url.port),
    portImplied,
    path: url.pathname + url.search,
  };
}

/** Why the form cannot be sent, or undefined when it can. */
export function formProblem(form: {url: string; headers: string}): string | undefined {
  const parts = urlParts(form.url);
  if (!parts.ok) return parts.error;
  const headers = parseHeaderLines(form.headers);
  return typeof headers === 'string' ? headers : undefined;
}
