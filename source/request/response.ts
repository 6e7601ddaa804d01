/** The response and timings as the engine returns them, built from what the response reader read. */
import type {Marks} from './connection.js';
import type {ReadHead} from './events.js';
import type {BodyState} from './read-body.js';
import {statusClass} from './status.js';
import type {HeaderList, HttpResponse, Timings} from './types.js';

export function header(headers: HeaderList, name: string): string | undefined {
  return headers.find(([each]) => each.toLowerCase() === name)?.[1];
}

export function describeResponse(
  head: ReadHead,
  url: URL,
  peer: {remoteAddress: string; remotePort: number} | undefined,
  unixSocket: string | undefined,
): HttpResponse {
  const {status, headers} = head;
  return {
    url: url.href,
    httpVersion: head.httpVersion,
    status,
    statusText: head.statusText,
    statusClass: statusClass(status),
    remoteAddress: unixSocket ?? peer?.remoteAddress ?? '',
    remotePort: unixSocket === undefined ? (peer?.remotePort ?? 0) : 0,
    headers,
    body: new Uint8Array(0),
    bodyBytes: 0,
    wireBytes: 0,
    bodyTruncated: false,
    decoded: undefined,
    contentType: header(headers, 'content-type'),
    savedTo: undefined,
    warnings: [...head.warnings],
  };
}

export function withBody(response: HttpResponse, body: BodyState): HttpResponse {
  const complete: HttpResponse = {
    ...response,
    body: Buffer.concat(body.kept, body.keptBytes),
    bodyBytes: body.bodyBytes,
    wireBytes: body.wireBytes,
    bodyTruncated: body.truncated,
  };
  if (body.lowerBound) complete.bodyBytesIsLowerBound = true;
  return complete;
}

const phaseMarks = [
  ['dns', 'lookup'],
  ['connect', 'connect'],
  ['tls', 'secure'],
  ['send', 'sent'],
  ['firstByte', 'firstByte'],
  ['download', 'end'],
] as const;

/**
 * Each phase runs from the mark before it (the exchange's start for the first) to its own mark,
 * so the phases of an exchange add up to its duration; a mark that came early (a response that
 * began before the request was all written) makes its phase 0 rather than negative. `redirect`
 * is the time before the last exchange began; `total` runs from `started` to `ended`.
 */
export function timingsOf(marks: Marks | undefined, started: number, ended: number): Timings {
  const timings: Timings = {
    dns: undefined,
    connect: undefined,
    tls: undefined,
    send: undefined,
    firstByte: undefined,
    download: undefined,
    total: ended - started,
  };
  if (marks === undefined) return timings;
  if (marks.start > started) timings.redirect = marks.start - started;
  let previous = marks.start;
  for (const [phase, mark] of phaseMarks) {
    const at = marks[mark];
    if (at === undefined) continue;
    const reached = Math.max(at, previous);
    timings[phase] = reached - previous;
    previous = reached;
  }
  return timings;
}
