/**
 * The HTTP request engine: one request (and the redirects it is asked to follow) over a fresh
 * connection each, timed phase by phase at socket events and told as a curl -vv style
 * transcript. It writes the request itself, as curl writes it, and reads the response with a
 * lenient reader of its own. It returns raw data; whoever shows it sanitizes it. It never
 * rejects: what went wrong is `result.error`.
 */
import {mkdir, open, type FileHandle} from 'node:fs/promises';
import net, {type Socket} from 'node:net';
import path from 'node:path';
import {Readable} from 'node:stream';
import {openConnection, type Marks} from './connection.js';
import {
  describeError,
  formatSeconds,
  maxResponseHeaderBytes,
  receivedSoFar,
  RequestFailure,
  type Phase,
} from './errors.js';
import {firstHop, nextHop, redirectStatuses, redirectTarget, targetOf, type Hop} from './hops.js';
import {requestHead, waitsForContinue, type RequestHead} from './http1-request.js';
import {ResponseFailure, ResponseReader, textOfBytes, type ResponseHead} from './http1-response.js';
import {codingOf, emptyBody, readBody, type BodyState} from './read-body.js';
import {describeResponse, header, timingsOf, withBody} from './response.js';
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
/** curl's --expect100-timeout default. */
const continueTimeoutMs = 1000;
/** A body up to this size goes out in the same write as the head. */
const oneWriteBytes = 64 * 1024;

type Stop = 'timeout' | 'aborted';

type HopOutcome = {
  response: HttpResponse | undefined;
  error: RequestError | undefined;
  marks: Marks;
  /** When the exchange ended (its body read, or the failure). */
  ended: number;
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

let warmed: Promise<void> | undefined;

/**
 * Loads and runs once everything an exchange uses (TLS, zlib, the writer, the reader, the body
 * stream, a loopback connection), so that none of porthole's own first-use cost falls inside the
 * timed phases of the first real request. Callers that import the engine lazily await this
 * before sending; it is cheap to call again.
 */
export function warmEngine(): Promise<void> {
  warmed ??= warm().catch(() => undefined);
  return warmed;
}

/** Answers a warming request: the framings and codings a real response may use. */
const warmingAnswers = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nwarm!',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nwarm!\r\n0\r\nX-Trailer: 1\r\n\r\n',
  'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nwarm!',
];

async function warm(): Promise<void> {
  await Promise.all([import('node:tls'), import('node:zlib'), import('node:dns')]);
  let answered = 0;
  // Over a real loopback connection, so that connecting, writing and reading have run.
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(warmingAnswers[answered++ % warmingAnswers.length] ?? ''));
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    const url = `http://127.0.0.1:${port}/`;
    // Each path twice over: a function's second run is the one V8 has compiled ahead of need.
    for (let round = 0; round < 2 * warmingAnswers.length; round++) {
      await sendRequest({url, timeoutMs: 2000});
    }
    await sendRequest({url, method: 'POST', body: 'warm', compressed: true, timeoutMs: 2000});
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // The warming's handles finish closing now, not inside the first real request's phases.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

export async function sendRequest(options: RequestOptions): Promise<RequestResult> {
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
  // The clock starts when the first exchange does; until then nothing is timed.
  let started: number | undefined;
  const result = (
    outcome: Partial<Pick<HopOutcome, 'response' | 'error' | 'marks' | 'ended'>>,
    errorNoted = false,
  ): RequestResult => {
    const ended = outcome.ended ?? performance.now();
    if (outcome.error !== undefined && !errorNoted) run.note('info', outcome.error.message);
    return {
      response: outcome.response,
      error: outcome.error,
      timings: timingsOf(outcome.marks, started ?? ended, ended),
      transcript,
      redirects,
      protocol: undefined,
      dns: undefined,
      connection: undefined,
      tls: undefined,
      warnings: outcome.response?.warnings ?? [],
      events: [],
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
      const outcome = await exchange(hop, run, (at) => {
        started ??= at;
      });
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

/** A body stream that holds the socket back while nobody reads it. */
function bodyStream(socket: () => Socket | undefined): Readable {
  const stream = new Readable({
    read() {
      socket()?.resume();
    },
  });
  // A failure destroys the stream before anything may read it; the reader sees it as it reads.
  stream.on('error', () => undefined);
  return stream;
}

/** One connection, one request, one response (its body read unless it is a redirect to follow). */
async function exchange(hop: Hop, run: Run, onStart: (at: number) => void): Promise<HopOutcome> {
  const {options} = run;
  const unixSocket = options.unixSocket;
  const url = targetOf(hop.url);
  const target = unixSocket === undefined ? url : {...url, where: unixSocket};
  // Built before the clock starts: the send phase is the write alone.
  const request = requestHead(hop.method, hop.url, hop.headers, hop.own, hop.body, hop.typed);
  const holdBody = waitsForContinue(request.lines) && request.body !== undefined;
  const marks: Marks = {start: 0};
  let phase: Phase = 'connecting';
  let socket: Socket | undefined;
  let response: HttpResponse | undefined;
  let body: BodyState | undefined;
  let file: FileHandle | undefined;
  // The reader, once the wire exists (a stop may come before).
  const seen: {reader?: ResponseReader} = {};
  let failed: RequestFailure | undefined;
  let continueTimer: NodeJS.Timeout | undefined;
  const warnings: string[] = [];
  let rejectStopped: (failure: RequestFailure) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    rejectStopped = reject;
  });
  stopped.catch(() => undefined);
  const stream = bodyStream(() => socket);
  const life = {over: false};

  const fail = (failure: RequestFailure) => {
    if (failed !== undefined) return;
    failed = failure;
    clearTimeout(continueTimer);
    rejectStopped(failure);
    stream.destroy(failure);
    socket?.destroy();
  };
  const stopMessage = (reason: Stop): RequestFailure => {
    if (reason === 'aborted') return new RequestFailure('aborted', 'request aborted');
    const within = formatSeconds(run.timeoutMs);
    if (phase === 'body') {
      return new RequestFailure(
        'timeout',
        `no complete response within ${within} (${receivedSoFar(seen.reader?.received ?? 0, seen.reader?.expected)} of body)`,
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
  const warn = (text: string) => {
    warnings.push(text);
    info(`Warning: ${text}`);
  };
  // Everything the exchange needs exists before the clock starts: from here on a phase is
  // the network's time and the few calls that put bytes on it.
  const wire = requestWire({
    hop,
    request,
    holdBody,
    run,
    marks,
    stream,
    warn,
    fail,
    stopped,
    onContinueTimer(timer) {
      continueTimer = timer;
    },
    life,
  });
  seen.reader = wire.reader;
  const route = {
    family: options.family,
    resolve: options.resolve,
    connectTo: options.connectTo,
    unixSocket,
  };
  try {
    if (failed !== undefined) throw failed;
    marks.start = performance.now();
    onStart(marks.start);
    const connected = await openConnection(target, {
      insecure: options.insecure === true,
      ca: run.ca,
      timeoutMs: run.connectTimeoutMs,
      marks,
      info,
      onSocket(created) {
        socket = created;
        wire.attach(created);
        if (failed !== undefined) created.destroy();
      },
      onPhase(next) {
        phase = next;
      },
      onReady(ready) {
        phase = 'waiting';
        wire.send(ready);
      },
      route,
    });
    const head = await wire.head;
    phase = 'body';
    response = describeResponse(head, hop.url, connected, unixSocket);
    const location = header(response.headers, 'location');
    if (
      options.followRedirects === true &&
      redirectStatuses.has(response.status) &&
      location !== undefined
    ) {
      // No connection is reused, so the redirect's body need not be read.
      return {response, error: undefined, marks, ended: performance.now(), location};
    }
    body = emptyBody();
    if (options.saveBodyTo !== undefined) {
      file = await openBodyFile(options.saveBodyTo);
      response.savedTo = options.saveBodyTo;
    }
    // As curl: without --compressed the body is kept as it was sent.
    const coding =
      options.compressed === true
        ? codingOf(header(response.headers, 'content-encoding'))
        : undefined;
    response.decoded = coding;
    await readBody(stream, coding, body, {
      maxBodyBytes: run.maxBodyBytes,
      consumer: bodyConsumer(file, options.saveBodyTo, options.onBodyChunk, stopped),
    });
    const excess = wire.reader.excessWarning();
    if (excess !== undefined) warn(excess);
    response.warnings.push(...warnings);
    return {
      response: withBody(response, body),
      error: undefined,
      marks,
      ended: marks.end ?? performance.now(),
      location: undefined,
    };
  } catch (error) {
    const ended = performance.now();
    const described =
      failed?.failure ??
      describeError(error, {
        host: target.host,
        where: target.where,
        phase,
        received: wire.reader.received,
        expected: wire.reader.expected,
      });
    if (error instanceof ResponseFailure && error.failure.code === 'protocol')
      showReceived(error, run);
    info(described.message);
    response?.warnings.push(...warnings);
    const partial =
      response === undefined || body === undefined ? response : withBody(response, body);
    return {response: partial, error: described, marks, ended, location: undefined};
  } finally {
    run.stop = undefined;
    life.over = true;
    clearTimeout(continueTimer);
    if (marks.connect !== undefined) info('Connection closed');
    socket?.destroy();
    stream.destroy();
    await file?.close().catch(() => undefined);
  }
}

/** What could not be read as a response, line by line as it came, for the transcript. */
function showReceived(failure: ResponseFailure, run: Run): void {
  if (failure.received.length === 0) return;
  const lines = textOfBytes(failure.received).split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) run.note('in', line.replace(/\r$/, ''));
}

type WireContext = {
  hop: Hop;
  request: RequestHead;
  holdBody: boolean;
  run: Run;
  marks: Marks;
  stream: Readable;
  warn: (text: string) => void;
  fail: (failure: RequestFailure) => void;
  stopped: Promise<never>;
  onContinueTimer: (timer: NodeJS.Timeout) => void;
  /** Set once the exchange is over: what the socket does then is not part of it. */
  life: {over: boolean};
};

type Wire = {
  reader: ResponseReader;
  /** Listens to the socket as soon as it exists; nothing counts until it is ready. */
  attach(socket: Socket): void;
  /** Writes the request, in the event that made the connection ready. */
  send(socket: Socket): void;
  /** The final response head: 1xx heads are told and skipped; the body goes on into `stream`. */
  head: Promise<ResponseHead>;
};

function requestWire(context: WireContext): Wire {
  const {hop, request, run, marks, stream, warn, fail} = context;
  const where = run.options.unixSocket ?? targetOf(hop.url).where;
  const onProgress = run.options.onBodyProgress;
  let finalHead: ((head: ResponseHead) => void) | undefined;
  const head = Promise.race([
    new Promise<ResponseHead>((resolve) => {
      finalHead = resolve;
    }),
    context.stopped,
  ]);
  head.catch(() => undefined);
  let connection: Socket | undefined;
  let bodySent = !context.holdBody;
  let headWritten: number | undefined;
  let early: number | undefined;
  let ready = false;
  let finished = false;

  const tell = (told: ResponseHead) => {
    for (const line of told.lines) run.note('in', line);
    run.note('in', '');
    for (const warning of told.warnings) run.note('info', `Warning: ${warning}`);
  };
  const sendBody = () => {
    if (bodySent) return;
    bodySent = true;
    connection?.write(request.body ?? Buffer.alloc(0), () => {
      marks.sent = performance.now();
    });
  };
  const reader = new ResponseReader(
    {method: hop.method, maxHeaderBytes: maxResponseHeaderBytes, where},
    {
      head(received, informational) {
        tell(received);
        if (informational) {
          if (received.status === 100) sendBody();
          return;
        }
        if (!bodySent) {
          // As curl: a final answer instead of 100 Continue means the body is not sent.
          bodySent = true;
          marks.sent ??= headWritten;
          run.note('info', 'the server answered before the body was sent: it was not sent');
        }
        marks.firstByte ??= early;
        finalHead?.(received);
      },
      body(chunk) {
        if (!stream.push(chunk)) connection?.pause();
        if (onProgress === undefined) return;
        try {
          onProgress(reader.received);
        } catch {
          // A failing live view must not break the exchange it watches.
        }
      },
      trailer(line) {
        run.note('in', line);
      },
      warning: warn,
      end() {
        marks.end ??= performance.now();
        stream.push(null);
      },
    },
  );

  const finish = () => {
    if (!ready || finished || context.life.over) return;
    finished = true;
    try {
      reader.finish();
    } catch (error) {
      fail(asFailure(error));
    }
  };
  const onData = (chunk: Buffer) => {
    // The first byte after the request was all written; one that came before (a 100 Continue)
    // counts only if nothing comes after.
    if (marks.sent === undefined) early ??= performance.now();
    else marks.firstByte ??= performance.now();
    if (context.life.over) return;
    try {
      reader.feed(chunk);
    } catch (error) {
      fail(asFailure(error));
    }
  };
  const onError = (error: Error) => {
    if (!ready || finished || context.life.over) return;
    finished = true;
    if (reader.headRead && !reader.done && reader.expected !== undefined) {
      warn(reader.shortWarning());
    }
    const described = describeError(error, {
      host: hop.url.hostname,
      where,
      phase: reader.headRead ? 'body' : 'waiting',
      received: reader.received,
      expected: reader.expected,
    });
    fail(new RequestFailure(described.code, described.message));
  };
  const written = () => {
    marks.sent = performance.now();
  };
  // A small body goes out in the same write as the head; a held-back one waits for 100 Continue.
  const {head: headBytes, body} = request;
  const together = !context.holdBody && body !== undefined && body.length <= oneWriteBytes;
  const firstWrite = together ? Buffer.concat([headBytes, body]) : headBytes;
  const secondWrite = together || context.holdBody ? undefined : body;

  return {
    reader,
    head,
    attach(socket) {
      connection = socket;
      socket.on('data', onData);
      socket.once('end', finish);
      socket.once('close', finish);
      socket.on('error', onError);
    },
    send(socket) {
      ready = true;
      if (context.holdBody) {
        socket.write(firstWrite, () => {
          headWritten = performance.now();
        });
      } else if (secondWrite === undefined) {
        socket.write(firstWrite, written);
      } else {
        socket.write(firstWrite);
        socket.write(secondWrite, written);
      }
      // Told after the write, so that telling it costs the send phase nothing.
      for (const line of request.lines) run.note('out', line);
      run.note('out', '');
      if (context.holdBody) {
        context.onContinueTimer(
          setTimeout(() => {
            if (bodySent) return;
            run.note('info', 'Done waiting for 100-continue');
            sendBody();
          }, continueTimeoutMs),
        );
      }
    },
  };
}

function asFailure(error: unknown): RequestFailure {
  if (error instanceof RequestFailure) return error;
  return new RequestFailure('protocol', error instanceof Error ? error.message : String(error));
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
