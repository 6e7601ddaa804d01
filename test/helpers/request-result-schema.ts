/**
 * The documented shape of `porthole request --json-result` (README, "JSON result"). Each object
 * lists every key with its type: `string`, `number`, `boolean`, `null`, `'literal'`, `4`, another
 * object of this schema by name, `TYPE[]` for an array, `header` for a header tuple
 * `[name, value]` or `[name, value, line]`, alternatives joined with `|`. A leading `?` marks a
 * key that may be missing or null; every other key is always there (null only where it says).
 *
 * Each entry is checked against the TypeScript type it documents, so a field added to
 * RequestResult (or to anything in it) does not compile until it is documented here.
 */
import type {JsonResponse, JsonResult} from '../../source/cli/request-json.js';
import type {
  ConnectAttempt,
  ConnectionInfo,
  DnsAnswer,
  DnsInfo,
  RedirectHop,
  RequestError,
  Timings,
  TlsCertificate,
  TlsInfo,
  TranscriptLine,
} from '../../source/request/types.js';

type Spec<T> = {[K in keyof T]-?: string};

const protocol = "'http/1.0'|'http/1.1'|'h2'";

export const requestResultSchema = {
  result: {
    response: 'response|null',
    error: 'error|null',
    timings: 'timings',
    transcript: 'transcriptLine[]',
    redirects: 'redirect[]',
    protocol: `${protocol}|null`,
    dns: 'dns|null',
    connection: 'connection|null',
    tls: 'tls|null',
    warnings: 'string[]',
    events: 'event[]',
  } satisfies Spec<JsonResult>,
  response: {
    url: 'string',
    httpVersion: 'string',
    status: 'number',
    statusText: 'string',
    statusClass: "'informational'|'success'|'redirection'|'client error'|'server error'|'unknown'",
    remoteAddress: 'string',
    remotePort: 'number',
    headers: 'header[]',
    body: 'string',
    encoding: "'utf8'|'base64'",
    bodyBytes: 'number',
    wireBytes: 'number',
    bodyTruncated: 'boolean',
    bodyBytesIsLowerBound: '?boolean',
    decoded: 'string|null',
    contentType: 'string|null',
    savedTo: 'string|null',
    warnings: 'string[]',
  } satisfies Spec<JsonResponse>,
  error: {code: 'string', message: 'string'} satisfies Spec<RequestError>,
  timings: {
    dns: 'number|null',
    connect: 'number|null',
    tls: 'number|null',
    send: 'number|null',
    firstByte: 'number|null',
    download: 'number|null',
    redirect: '?number',
    total: 'number',
  } satisfies Spec<Timings>,
  transcriptLine: {kind: "'info'|'out'|'in'", text: 'string'} satisfies Spec<TranscriptLine>,
  redirect: {url: 'string', status: 'number', location: 'string'} satisfies Spec<RedirectHop>,
  dns: {
    host: 'string',
    source: "'dns'|'resolve'|'address'|'unix-socket'|'localhost'|'via'",
    answers: 'dnsAnswer[]',
    family: '?4|6',
    ms: 'number|null',
    attempts: 'attempt[]',
    connected: 'string|null',
  } satisfies Spec<DnsInfo>,
  dnsAnswer: {address: 'string', family: '4|6'} satisfies Spec<DnsAnswer>,
  attempt: {
    address: 'string',
    port: 'number',
    family: '4|6',
    outcome: "'connected'|'failed'|'timeout'|'abandoned'|'pending'",
    ms: 'number|null',
    error: '?string',
  } satisfies Spec<ConnectAttempt>,
  connection: {
    id: 'number',
    reused: 'boolean',
    protocol,
    localAddress: 'string',
    localPort: 'number',
    remoteAddress: 'string',
    remotePort: 'number',
    unixSocket: '?string',
    via: '?string',
    openedAt: 'number',
    requests: 'number',
  } satisfies Spec<ConnectionInfo>,
  tls: {
    protocol: 'string',
    cipher: 'string',
    alpn: 'string|null',
    servername: 'string|null',
    chain: 'certificate[]',
    verified: 'boolean',
    problem: '?string',
    reason: '?string',
    code: '?string',
    insecure: 'boolean',
    pinned: '?boolean',
    clientCertificate: 'boolean',
  } satisfies Spec<TlsInfo>,
  certificate: {
    subject: 'string',
    issuer: 'string',
    subjectAltNames: 'string[]',
    validFrom: 'string',
    validTo: 'string',
    daysLeft: 'number',
    keyType: 'string',
    keyBits: 'number|null',
    fingerprint256: 'string',
    publicKeySha256: '?string',
    serialNumber: 'string',
    selfSigned: 'boolean',
    isCA: 'boolean',
  } satisfies Spec<TlsCertificate>,
  /**
   * Every event has these three; the rest of its keys depend on `type` (source/request/events.ts),
   * so an event may have more.
   */
  event: {type: 'string', at: 'number', exchange: 'number'},
};

export type SchemaName = keyof typeof requestResultSchema;

/** Objects whose keys are exactly those listed; an event has more. */
const open = new Set<SchemaName>(['event']);

function matches(value: unknown, type: string, at: string, problems: string[]): boolean {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return false;
    value.forEach((item, index) => {
      if (!matchesAny(item, type.slice(0, -2), `${at}[${index}]`, problems)) {
        problems.push(`${at}[${index}]: not ${type.slice(0, -2)}: ${JSON.stringify(item)}`);
      }
    });
    return true;
  }
  if (type === 'null') return value === null;
  if (type === 'string' || type === 'number' || type === 'boolean') return typeof value === type;
  if (type.startsWith("'")) return value === type.slice(1, -1);
  if (/^\d+$/.test(type)) return value === Number(type);
  if (type === 'header') {
    return (
      Array.isArray(value) &&
      (value.length === 2 || value.length === 3) &&
      value.every((part) => typeof part === 'string')
    );
  }
  if (type in requestResultSchema) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    problems.push(...validate(value as Record<string, unknown>, type as SchemaName, at));
    return true;
  }
  throw new Error(`the schema names an unknown type ${type}`);
}

function matchesAny(value: unknown, types: string, at: string, problems: string[]): boolean {
  return types.split('|').some((type) => matches(value, type, at, problems));
}

/** What in `value` does not follow the schema's object `name`; empty when all of it does. */
export function validate(
  value: Record<string, unknown>,
  name: SchemaName = 'result',
  at = name as string,
): string[] {
  const spec: Record<string, string> = requestResultSchema[name];
  const problems: string[] = [];
  for (const [key, declared] of Object.entries(spec)) {
    const optional = declared.startsWith('?');
    if (!(key in value)) {
      if (!optional) problems.push(`${at}.${key}: missing`);
      continue;
    }
    const types = optional ? `${declared.slice(1)}|null` : declared;
    if (!matchesAny(value[key], types, `${at}.${key}`, problems)) {
      problems.push(`${at}.${key}: not ${types}: ${JSON.stringify(value[key])}`);
    }
  }
  if (!open.has(name)) {
    for (const key of Object.keys(value)) {
      if (!(key in spec)) problems.push(`${at}.${key}: not in the schema`);
    }
  }
  return problems;
}
