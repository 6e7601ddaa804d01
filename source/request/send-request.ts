/**
 * The HTTP request engine: one request (and the redirects it is asked to follow) over a fresh
 * connection each, timed phase by phase and told as a curl -vv style transcript. It returns raw
 * data; whoever shows it sanitizes it. It never rejects: what went wrong is `result.error`.
 */
import http, {type ClientRequest, type IncomingMessage} from 'node:http';
import {mkdir, open, type FileHandle} from 'node:fs/promises';
import type {Socket} from 'node:net';
import path from 'node:path';
import {openConnection, type Marks} from './connection.js';
import {
  describeError,
  formatSeconds,
  maxResponseHeaderBytes,
  receivedSoFar,
  RequestFailure,
  type Phase,
} from './errors.js';
import {
  firstHop,
  nextHop,
  redirectStatuses,
  redirectTarget,
  requestHeaders,
  targetOf,
  type Hop,
} from './hops.js';
import {codingOf, emptyBody, readBody, type BodyState} from './read-body.js';
import {describeResponse, header, pairs, timingsOf, withBody} from './response.js';
import type {
  HttpResponse,
  RedirectHop,
  RequestError,
  RequestOptions,
  RequestResult,
  TranscriptLine,
} from './types.js';

const defaultTimeoutMs = 30_000;
const defaultConnectTimeoutMs = 10_000;
const defaultMaxRedirects = 10;
const defaultMaxBodyBytes = 2 * 1024 * 1024;

type Stop = 'timeout' | 'aborted';

type HopOutcome = {
  response: HttpResponse | undefined;
  error: RequestError | undefined;
  marks: Marks;
  /** Set when the response is a redirect to follow. */
  location: string | undefined;
};

/** State shared by the exchanges of one request. */
type Run = {
  options: RequestOptions;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBodyBytes: number;
  ca: Array<string | Uint8Array> | undefined;
  note: (kind: TranscriptLine['kind'], text: string) => void;
  stopped: Stop | undefined;
  /** Stops the exchange in progress. */
  stop: ((reason: Stop) => void) | undefined;
};

export async function sendRequest(options: RequestOptions): Promise<RequestResult> {
  const started = performance.now();
  const transcript: TranscriptLine[] = [];
  const redirects: RedirectHop[] = [];
  const timeoutMs = positive(options.timeoutMs) ?? defaultTimeoutMs;
  const run: Run = {
    options,
    timeoutMs,
    connectTimeoutMs:
      positive(options.connectTimeoutMs) ?? Math.min(defaultConnectTimeoutMs, timeoutMs),
    maxBodyBytes: Math.max(0, options.maxBodyBytes ?? defaultMaxBodyBytes),
    ca: options.ca === undefined ? undefined : [options.ca].flat(),
    note(kind, text) {
      const line = {kind, text};
      transcript.push(line);
      try {
        options.onTranscript?.(line);
      } catch {
        // A failing live view must not break the exchange it watches.
      }
    },
    stopped: undefined,
    stop: undefined,
  };
  const result = (
    outcome: Partial<Pick<HopOutcome, 'response' | 'error' | 'marks'>>,
    errorNoted = false,
  ): RequestResult => {
    if (outcome.error !== undefined && !errorNoted) run.note('info', outcome.error.message);
    return {
      response: outcome.response,
      error: outcome.error,
      timings: timingsOf(outcome.marks, started),
      transcript,
      redirects,
    };
  };

  const stop = (reason: Stop) => {
    run.stopped ??= reason;
    run.stop?.(reason);
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('aborted');
  options.signal?.addEventListener('abort', onAbort, {once: true});
  try {
    if (options.signal?.aborted === true) {
      return result({error: {code: 'aborted', message: 'request aborted'}});
    }
    const first = firstHop(options);
    if (first instanceof RequestFailure) return result({error: first.failure});
    let hop = first;
    for (;;) {
      const outcome = await exchange(hop, run);
      // The exchange has told its own error in the transcript.
      if (outcome.error !== undefined) return result(outcome, true);
      if (outcome.location === undefined) return result(outcome);
      const maxRedirects = Math.max(0, options.maxRedirects ?? defaultMaxRedirects);
      if (redirects.length >= maxRedirects) {
        const error = {
          code: 'too-many-redirects' as const,
          message: `too many redirects: stopped after following ${maxRedirects}`,
        };
        return result({...outcome, error});
      }
      const next = redirectTarget(outcome.location, hop.url);
      if (next instanceof RequestFailure) return result({...outcome, error: next.failure});
      redirects.push({
        url: hop.url.href,
        status: outcome.response?.status ?? 0,
        location: outcome.location,
      });
      run.note('info', `Issue another request to this URL: '${next.href}'`);
      hop = nextHop(hop, outcome.response?.status ?? 0, next);
    }
  } catch (error) {
    // Not expected; kept as a value so that callers can rely on the promise resolving.
    const message = error instanceof Error ? error.message : String(error);
    return result({error: {code: 'network', message: `internal error: ${message}`}});
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** One connection, one request, one response (its body read unless it is a redirect to follow). */
async function exchange(hop: Hop, run: Run): Promise<HopOutcome> {
  const {options} = run;
  const target = targetOf(hop.url);
  const marks: Marks = {start: performance.now()};
  let phase: Phase = 'connecting';
  let socket: Socket | undefined;
  let request: ClientRequest | undefined;
  let incoming: IncomingMessage | undefined;
  let response: HttpResponse | undefined;
  let body: BodyState | undefined;
  let file: FileHandle | undefined;
  let expected: number | undefined;
  let failed: RequestFailure | undefined;
  let rejectStopped: (failure: RequestFailure) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    rejectStopped = reject;
  });
  stopped.catch(() => undefined);

  const fail = (failure: RequestFailure) => {
    if (failed !== undefined) return;
    failed = failure;
    rejectStopped(failure);
    incoming?.destroy(failure);
    request?.destroy(failure);
    socket?.destroy();
  };
  const stopMessage = (reason: Stop): RequestFailure => {
    if (reason === 'aborted') return new RequestFailure('aborted', 'request aborted');
    const within = formatSeconds(run.timeoutMs);
    if (phase === 'body') {
      return new RequestFailure(
        'timeout',
        `no complete response within ${within} (${receivedSoFar(body?.wireBytes ?? 0, expected)} of body)`,
      );
    }
    if (phase === 'waiting' && (socket?.bytesRead ?? 0) > 0) {
      return new RequestFailure(
        'timeout',
        `no complete response within ${within} (response headers incomplete after ${socket?.bytesRead ?? 0} bytes)`,
      );
    }
    if (phase === 'waiting') return new RequestFailure('timeout', `no response within ${within}`);
    return new RequestFailure('timeout', `no connection to ${target.where} within ${within}`);
  };
  run.stop = (reason) => fail(stopMessage(reason));
  if (run.stopped !== undefined) fail(stopMessage(run.stopped));

  const info = (text: string) => run.note('info', text);
  try {
    if (failed !== undefined) throw failed;
    const connected = await openConnection(target, {
      insecure: options.insecure === true,
      ca: run.ca,
      timeoutMs: run.connectTimeoutMs,
      marks,
      info,
      onSocket(created) {
        socket = created;
        if (failed !== undefined) created.destroy();
      },
      onPhase(next) {
        phase = next;
      },
    });
    phase = 'waiting';
    incoming = await send(connected, hop, run, marks, (created) => {
      request = created;
    });
    marks.response = performance.now();
    phase = 'body';
    response = describeResponse(incoming, hop.url, connected);
    const lengthHeader = incoming.headers['content-length'];
    const length = Number(lengthHeader);
    expected = lengthHeader !== undefined && Number.isSafeInteger(length) ? length : undefined;
    const location = header(response.headers, 'location');
    if (
      options.followRedirects === true &&
      redirectStatuses.has(response.status) &&
      location !== undefined
    ) {
      // No connection is reused, so the redirect's body need not be read.
      return {response, error: undefined, marks, location};
    }
    body = emptyBody();
    if (options.saveBodyTo !== undefined) {
      file = await openBodyFile(options.saveBodyTo);
      response.savedTo = options.saveBodyTo;
    }
    const coding = codingOf(header(response.headers, 'content-encoding'));
    response.decoded = coding;
    await readBody(incoming, coding, body, {
      maxBodyBytes: run.maxBodyBytes,
      consumer: bodyConsumer(file, options.saveBodyTo, options.onBodyChunk, stopped),
    });
    marks.end = performance.now();
    return {response: withBody(response, body), error: undefined, marks, location: undefined};
  } catch (error) {
    const described =
      failed?.failure ??
      describeError(error, {
        host: target.host,
        where: target.where,
        phase,
        received: body?.wireBytes ?? 0,
        expected,
      });
    info(described.message);
    const partial =
      response === undefined || body === undefined ? response : withBody(response, body);
    return {response: partial, error: described, marks, location: undefined};
  } finally {
    run.stop = undefined;
    if (marks.connect !== undefined) info('Connection closed');
    socket?.destroy();
    await file?.close().catch(() => undefined);
  }
}

/** Writes the request on an open connection and waits for the response head. */
function send(
  socket: Socket,
  hop: Hop,
  run: Run,
  marks: Marks,
  onRequest: (request: ClientRequest) => void,
): Promise<IncomingMessage> {
  const headers = requestHeaders(hop);
  const path = hop.url.pathname + hop.url.search;
  run.note('out', `${hop.method} ${path} HTTP/1.1`);
  for (const [name, value] of headers) run.note('out', `${name}: ${value}`);
  run.note('out', '');
  return new Promise((resolve, reject) => {
    const request = http.request({
      method: hop.method,
      path,
      headers: headers.flat(),
      createConnection: () => socket,
      maxHeaderSize: maxResponseHeaderBytes,
      setHost: false,
    });
    onRequest(request);
    request.on('error', reject);
    request.once('close', () => {
      reject(Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}));
    });
    request.once('finish', () => {
      marks.sent = performance.now();
    });
    request.on('information', (informational) => {
      run.note(
        'in',
        statusLine(
          informational.httpVersion,
          informational.statusCode,
          informational.statusMessage,
        ),
      );
      for (const [name, value] of pairs(informational.rawHeaders)) {
        run.note('in', `${name}: ${value}`);
      }
      run.note('in', '');
    });
    request.once('response', (incoming) => {
      run.note(
        'in',
        statusLine(incoming.httpVersion, incoming.statusCode ?? 0, incoming.statusMessage ?? ''),
      );
      for (const [name, value] of pairs(incoming.rawHeaders)) run.note('in', `${name}: ${value}`);
      run.note('in', '');
      resolve(incoming);
    });
    request.end(hop.body);
  });
}

function statusLine(httpVersion: string, status: number, reason: string): string {
  return `HTTP/${httpVersion} ${status}${reason === '' ? '' : ` ${reason}`}`;
}

async function openBodyFile(file: string): Promise<FileHandle> {
  try {
    await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
    return await open(file, 'w', 0o600);
  } catch (error) {
    throw new RequestFailure('file', `cannot write ${file}: ${errorMessage(error)}`);
  }
}

function bodyConsumer(
  file: FileHandle | undefined,
  fileName: string | undefined,
  onBodyChunk: RequestOptions['onBodyChunk'],
  stopped: Promise<never>,
): ((chunk: Buffer) => Promise<void> | undefined) | undefined {
  if (file === undefined && onBodyChunk === undefined) return undefined;
  return (chunk) => {
    const waits: Array<Promise<unknown>> = [];
    if (file !== undefined) {
      waits.push(
        file.write(chunk).catch((error: unknown) => {
          throw new RequestFailure(
            'file',
            `cannot write ${fileName ?? 'the body'}: ${errorMessage(error)}`,
          );
        }),
      );
    }
    if (onBodyChunk !== undefined) {
      const passedOn = (error: unknown) => {
        if (error instanceof RequestFailure) throw error;
        throw new RequestFailure('file', `the body could not be passed on: ${errorMessage(error)}`);
      };
      try {
        const pending = onBodyChunk(chunk);
        if (pending instanceof Promise) {
          waits.push(Promise.race([pending, stopped]).catch(passedOn));
        }
      } catch (error) {
        passedOn(error);
      }
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
