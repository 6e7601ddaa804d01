/**
 * curl's -w/--write-out: `%{variable}` and `%header{name}` expanded from one finished exchange,
 * `\n` `\r` `\t` turned into their characters, `%%` into `%`. Everything else is printed as
 * written, as curl does: `\x` and `%x` pairs as they are (`%\t` is not a tab), an unknown
 * variable as nothing (and named once on stderr).
 */
import type {HeaderList, RequestResult, Timings} from '../request/types.js';

/** What -w can tell about an exchange, gathered once from its result. */
export type WriteOutFacts = {
  /** 0 when no response arrived (printed `000`, as curl). */
  httpCode: number;
  httpVersion: string;
  method: string;
  timings: Timings;
  /** Bytes of the final body as they came over the wire. */
  sizeDownload: number;
  remoteIp: string;
  remotePort: number;
  urlEffective: string;
  contentType: string;
  numRedirects: number;
  headers: HeaderList;
  exitCode: number;
  errorMessage: string;
  /** Connections opened (not reused) for the request, redirects included. Default 0. */
  numConnects?: number;
  localIp?: string;
  localPort?: number;
  /** `HTTP` or `HTTPS`, of the URL last asked for, as curl prints it. */
  scheme?: string;
};

export function writeOutFacts(
  result: RequestResult,
  request: {url: string; method: string; exitCode: number},
): WriteOutFacts {
  const {response} = result;
  const lastUrl = response?.url ?? result.redirects.at(-1)?.location ?? request.url;
  let scheme = '';
  try {
    scheme = new URL(lastUrl, request.url).protocol.replace(/:$/, '').toUpperCase();
  } catch {
    // A URL that does not parse names no scheme.
  }
  return {
    httpCode: response?.status ?? 0,
    httpVersion: response?.httpVersion ?? '0',
    method: request.method,
    timings: result.timings,
    sizeDownload: response?.wireBytes ?? 0,
    remoteIp: response?.remoteAddress ?? '',
    remotePort: response?.remotePort ?? 0,
    urlEffective: response?.url ?? result.redirects.at(-1)?.location ?? request.url,
    contentType: response?.contentType ?? '',
    numRedirects: result.redirects.length,
    headers: response?.headers ?? [],
    exitCode: request.exitCode,
    errorMessage: result.error?.message ?? '',
    numConnects: result.events.filter(
      (event) => event.type === 'connected' && !event.connection.reused,
    ).length,
    localIp: result.connection?.localAddress ?? '',
    localPort: result.connection?.localPort ?? 0,
    scheme,
  };
}

/**
 * The moments curl's time_* variables name, in ms from the start, each the sum of the phases
 * before it; a moment the exchange never reached is 0, as in curl (and appconnect without TLS).
 */
export function curlMoments(timings: Timings) {
  const {dns, connect, tls, send, firstByte} = timings;
  const namelookup = dns ?? 0;
  const connected = connect === undefined ? 0 : namelookup + connect;
  const appconnect = tls === undefined || connect === undefined ? 0 : connected + tls;
  const sent = send !== undefined || firstByte !== undefined;
  const pretransfer = sent ? appconnect || connected : 0;
  const starttransfer = firstByte === undefined ? 0 : pretransfer + (send ?? 0) + firstByte;
  return {
    namelookup,
    connect: connected,
    appconnect,
    pretransfer,
    starttransfer,
    total: timings.total,
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(6);
const code = (value: number) => String(value).padStart(3, '0');

type Variable = (facts: WriteOutFacts) => string;

const variables: Record<string, Variable> = {
  http_code: (facts) => code(facts.httpCode),
  response_code: (facts) => code(facts.httpCode),
  http_version: (facts) => facts.httpVersion,
  method: (facts) => facts.method,
  time_namelookup: (facts) => seconds(curlMoments(facts.timings).namelookup),
  time_connect: (facts) => seconds(curlMoments(facts.timings).connect),
  time_appconnect: (facts) => seconds(curlMoments(facts.timings).appconnect),
  time_pretransfer: (facts) => seconds(curlMoments(facts.timings).pretransfer),
  time_starttransfer: (facts) => seconds(curlMoments(facts.timings).starttransfer),
  time_total: (facts) => seconds(facts.timings.total),
  size_download: (facts) => String(facts.sizeDownload),
  remote_ip: (facts) => facts.remoteIp,
  remote_port: (facts) => String(facts.remotePort),
  url_effective: (facts) => facts.urlEffective,
  content_type: (facts) => facts.contentType,
  num_redirects: (facts) => String(facts.numRedirects),
  exitcode: (facts) => String(facts.exitCode),
  errormsg: (facts) => facts.errorMessage,
  num_connects: (facts) => String(facts.numConnects ?? 0),
  local_ip: (facts) => facts.localIp ?? '',
  local_port: (facts) => String(facts.localPort ?? 0),
  scheme: (facts) => facts.scheme ?? '',
};

/** The variables -w knows, for --help and the README. */
export const writeOutVariables: readonly string[] = Object.keys(variables);

const escapes: Record<string, string> = {n: '\n', r: '\r', t: '\t'};

export type WriteOut = {
  text: string;
  /** Variables the format names that porthole does not know, each once, as written. */
  unknown: string[];
};

/**
 * Expands a -w format. `clean` is applied to every value taken from the exchange (not to the
 * format's own text), so a terminal gets a server's Content-Type made safe.
 */
export function expandWriteOut(
  format: string,
  facts: WriteOutFacts,
  clean: (value: string) => string = (value) => value,
): WriteOut {
  let text = '';
  const unknown: string[] = [];
  let index = 0;
  while (index < format.length) {
    const char = format[index] ?? '';
    const next = format[index + 1];
    if (next === undefined || (char !== '\\' && char !== '%')) {
      text += char;
      index += 1;
      continue;
    }
    if (char === '\\') {
      // curl turns \n \r \t into characters and prints any other pair as written.
      text += escapes[next] ?? char + next;
      index += 2;
      continue;
    }
    const named = /^%(header)?\{([^}]*)\}/.exec(format.slice(index));
    if (named === null) {
      // `%%` is `%`; any other pair (`%x`, a `%{` never closed) is printed as written.
      text += next === '%' ? '%' : char + next;
      index += 2;
      continue;
    }
    const [whole, header, name = ''] = named;
    index += whole.length;
    if (header !== undefined) {
      const wanted = name.toLowerCase();
      const values = facts.headers
        .filter(([key]) => key.toLowerCase() === wanted)
        .map(([, value]) => value);
      text += clean(values.join(', '));
      continue;
    }
    const variable = variables[name.toLowerCase()];
    if (variable !== undefined) text += clean(variable(facts));
    else if (!unknown.includes(name)) unknown.push(name);
  }
  return {text, unknown};
}
