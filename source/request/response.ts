/** The response and timings as the engine returns them, built from what Node reports. */
import type {IncomingMessage} from 'node:http';
import type {Socket} from 'node:net';
import type {Marks} from './connection.js';
import type {BodyState} from './read-body.js';
import {statusClass} from './status.js';
import type {HeaderList, HttpResponse, Timings} from './types.js';

const utf8 = new TextDecoder('utf-8', {fatal: true});

/**
 * Node hands header bytes over one character per byte (latin1). A value that is valid UTF-8, as
 * servers send names and file names, is read as UTF-8, as curl's output reads on a UTF-8 terminal;
 * any other is kept byte for byte.
 */
function headerValue(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

export function pairs(raw: string[]): HeaderList {
  const list: HeaderList = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    list.push([raw[index] ?? '', headerValue(raw[index + 1] ?? '')]);
  }
  return list;
}

export function header(headers: HeaderList, name: string): string | undefined {
  return headers.find(([each]) => each.toLowerCase() === name)?.[1];
}

export function describeResponse(
  incoming: IncomingMessage,
  url: URL,
  socket: Socket,
): HttpResponse {
  const status = incoming.statusCode ?? 0;
  const headers = pairs(incoming.rawHeaders);
  return {
    url: url.href,
    httpVersion: incoming.httpVersion,
    status,
    statusText: incoming.statusMessage ?? '',
    statusClass: statusClass(status),
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    headers,
    body: new Uint8Array(0),
    bodyBytes: 0,
    wireBytes: 0,
    bodyTruncated: false,
    decoded: undefined,
    contentType: header(headers, 'content-type'),
    savedTo: undefined,
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

export function timingsOf(marks: Marks | undefined, started: number): Timings {
  const total = performance.now() - started;
  if (marks === undefined) {
    return {
      dns: undefined,
      connect: undefined,
      tls: undefined,
      firstByte: undefined,
      download: undefined,
      total,
    };
  }
  const ready = marks.secure ?? marks.connect;
  const firstByteFrom =
    marks.response === undefined
      ? undefined
      : Math.min(marks.sent ?? ready ?? marks.response, marks.response);
  return {
    dns: marks.lookup === undefined ? undefined : marks.lookup - marks.start,
    connect:
      marks.connect === undefined ? undefined : marks.connect - (marks.lookup ?? marks.start),
    tls:
      marks.secure === undefined || marks.connect === undefined
        ? undefined
        : marks.secure - marks.connect,
    firstByte:
      marks.response === undefined || firstByteFrom === undefined
        ? undefined
        : marks.response - firstByteFrom,
    download:
      marks.end === undefined || marks.response === undefined
        ? undefined
        : marks.end - marks.response,
    total,
  };
}
