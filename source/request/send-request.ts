/**
 * The HTTP request engine: one request (and the redirects it is asked to follow), each exchange
 * over a connection of its own or one taken from a pool, timed phase by phase at socket events.
 * After the connection is up (and ALPN has spoken) an adapter for the protocol writes the request
 * and reads the response: HTTP/1.x (http1-exchange.ts) or HTTP/2 (http2-exchange.ts). What
 * happens is emitted as events; the transcript is told from them (transcript.ts). It returns raw
 * data; whoever shows it sanitizes it. It never rejects: what went wrong is `result.error`.
 */
import {mkdir, open, type FileHandle} from 'node:fs/promises';
import net, {type Socket} from 'node:net';
import path from 'node:path';
import type {Http2ServerResponse} from 'node:http2';
import {Readable} from 'node:stream';
import type {Adapter, AdapterEvent, AdapterRequest, AdapterSink} from './adapter.js';
import {
  openConnection,
  restartConnectionIds,
  routeKey,
  type Marks,
  type Opened,
  type Route,
} from './connection.js';
import {describeError, formatSeconds, receivedSoFar, RequestFailure, type Phase} from './errors.js';
import type {RequestEvent} from './events.js';
import {firstHop, nextHop, redirectStatuses, redirectTarget, targetOf, type Hop} from './hops.js';
import {http1Exchange} from './http1-exchange.js';
import {requestHead, waitsForContinue} from './http1-request.js';
import {http2Exchange, openSession} from './http2-exchange.js';
import type {ReadHead} from './events.js';
import {createConnectionPool, type ConnectionPool, type PooledConnection} from './pool.js';
import {codingOf, emptyBody, readBody, type BodyState} from './read-body.js';
import {describeResponse, header, timingsOf, withBody} from './response.js';
import {transcriptLines} from './transcript.js';
import type {
  ConnectionInfo,
  DnsInfo,
  HttpResponse,
  Protocol,
  RedirectHop,
  RequestError,
  RequestOptions,
  RequestResult,
  TlsInfo,
  TranscriptLine,
} from './types.js';

const defaultTimeoutMs = 30_000;
const defaultConnectTimeoutMs = 10_000;
const defaultMaxRedirects = 10;
const defaultMaxBodyBytes = 2 * 1024 * 1024;
/** Data events kept in result.events; past this they are still emitted but not kept. */
const keptDataEvents = 1000;

type Stop = 'timeout' | 'aborted';

type HopOutcome = {
  response: HttpResponse | undefined;
  error: RequestError | undefined;
  marks: Marks;
  /** When the exchange ended (its body read, or the failure). */
  ended: number;
  /** Set when the response is a redirect to follow. */
  location: string | undefined;
  protocol: Protocol | undefined;
  dns: DnsInfo | undefined;
  connection: ConnectionInfo | undefined;
  tls: TlsInfo | undefined;
  /** A reused connection turned out closed before any answer: try again on a new one. */
  retryFresh?: boolean;
  /** After a 101 to an upgrade: the connection, handed over. */
  upgraded?: RequestResult['upgraded'];
};

/** State shared by the exchanges of one request. */
type Run = {
  options: RequestOptions;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBodyBytes: number;
  ca: Array<string | Uint8Array> | undefined;
  /** Which exchange is in progress. */
  exchange: number;
  /** The caller's pool, or one of this request's own when it follows redirects (as curl re-uses a connection within a command). */
  pool: ConnectionPool | undefined;
  emit: (event: AdapterEvent) => void;
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
export function warmEngine(options: WarmOptions = {}): Promise<void> {
  warmed ??= warm(options.thorough === true ? thoroughRounds : 1, protocolsFor(options.for)).catch(
    () => undefined,
  );
  return warmed;
}

export type WarmOptions = {
  /**
   * Run HTTP/2 and TLS more times over (each TLS handshake costs a few ms), so that V8 has
   * compiled their code before the first real request. The dashboard warms so, in the
   * background after start; a one-shot request runs them once, its wall time being the user's.
   */
  thorough?: boolean;
  /**
   * Warm only what this request can use (TLS for https, HTTP/2 where it may be spoken), to
   * keep a one-shot run's start short; a request that follows redirects may go anywhere.
   */
  for?: RequestOptions;
};

type Protocols = {tls: boolean; h2: boolean; dns: boolean};

function protocolsFor(options: RequestOptions | undefined): Protocols {
  if (options === undefined || options.followRedirects === true) {
    return {tls: true, h2: true, dns: true};
  }
  const secure = /^https:/i.test(options.url.trim());
  const http1 = options.httpVersion === '1.0' || options.httpVersion === '1.1';
  let host = '';
  try {
    host = new URL(options.url.trim()).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    // A URL the engine will refuse needs nothing warmed.
  }
  return {
    dns: net.isIP(host) === 0 || options.connectTo !== undefined,
    tls: secure,
    h2: options.httpVersion === '2-prior-knowledge' || (secure && !http1),
  };
}

/** Answers a warming request: the framings and codings a real response may use. */
const warmingAnswers = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nwarm!',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nwarm!\r\n0\r\nX-Trailer: 1\r\n\r\n',
  'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nwarm!',
];

/**
 * Rounds of the HTTP/1 warming answers, for every run. The first request's connect on loopback,
 * medians of 31 fresh processes (curl: 0.20 ms): 0.51 ms after 4 rounds, 0.45 after 8, 0.27 after
 * 16; its download 0.41 ms after 2, 0.13 after 4. A one-shot `porthole request`, 21 runs: total
 * 2.24 ms after 4 rounds, 2.03 after 8, 1.79 after 16 (curl 1.59), its wall time 272, 291 and
 * 314 ms.
 */
const http1Rounds = 16;
/** Rounds of HTTP/2 and TLS: once is their first use; the dashboard, warming in the background, does more. */
const thoroughRounds = 8;

async function warm(rarer: number, protocols: Protocols): Promise<void> {
  await Promise.all([import('node:tls'), import('node:zlib'), import('node:dns')]);
  let answered = 0;
  // Over a real loopback connection, so that connecting, writing and reading have run.
  // An answer with a length lets the client close first; its FIN is answered with a reset, so
  // neither side keeps the connection in TIME-WAIT: the dashboard's own warming is not dozens of
  // TIME-WAIT rows in its Sockets pane. An answer ended by the close leaves one, as it must.
  const server = net.createServer({allowHalfOpen: true}, (socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const answer = warmingAnswers[answered++ % warmingAnswers.length] ?? '';
      if (answer.startsWith('HTTP/1.0')) socket.end(answer);
      else {
        socket.write(answer);
        socket.once('end', () => socket.resetAndDestroy());
      }
    });
  });
  await onLoopback(server, 'http', async (url) => {
    // Each path several times over: V8 compiles a function ahead of need only after some runs.
    for (let round = 0; round < http1Rounds * warmingAnswers.length; round++) {
      await sendRequest({url, timeoutMs: 2000});
    }
    await sendRequest({url, method: 'POST', body: 'warm', compressed: true, timeoutMs: 2000});
  });
  // HTTP/2 and TLS once each is their first use; more is for the dashboard's thorough warming.
  if (protocols.h2) await warmHttp2(rarer);
  if (protocols.tls) await warmTls(rarer, protocols.h2);
  // The resolver's first lookup starts libuv's thread pool; a name's first lookup must not pay
  // it. (localhost itself is answered without the resolver; its lookup here reads /etc/hosts.)
  if (protocols.dns) {
    await import('node:dns').then((dns) => dns.promises.lookup('localhost')).catch(() => undefined);
  }
  // The warming's handles finish closing now, not inside the first real request's phases.
  await new Promise((resolve) => setTimeout(resolve, 0));
  restartConnectionIds();
}

/** Runs `exercise` against `server` listening on a loopback port of its own, and closes it after. */
async function onLoopback(
  server: net.Server,
  scheme: 'http' | 'https',
  exercise: (url: string) => Promise<void>,
): Promise<void> {
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    await exercise(`${scheme}://127.0.0.1:${port}/`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Answers every warming request over HTTP/2. */
function warmingAnswer(_request: unknown, response: Http2ServerResponse): void {
  response.setHeader('content-type', 'text/plain');
  response.end('warm!');
}

/**
 * HTTP/2 sessions and their streams over cleartext (h2c), new and re-used, so that the first h2
 * request pays no first use.
 */
async function warmHttp2(rounds: number): Promise<void> {
  const http2 = await import('node:http2');
  const pool = createConnectionPool();
  await onLoopback(http2.createServer(warmingAnswer), 'http', async (url) => {
    try {
      for (let round = 0; round < rounds; round++) {
        await sendRequest({url, httpVersion: '2-prior-knowledge', timeoutMs: 2000});
        await sendRequest({url, httpVersion: '2-prior-knowledge', timeoutMs: 2000, pool});
      }
    } finally {
      pool.close();
    }
  });
}

/** TLS handshakes, ALPN picking h2 or http/1.1, over a loopback server with a throwaway certificate. */
async function warmTls(rounds: number, h2: boolean): Promise<void> {
  const http2 = await import('node:http2');
  const {warmingCertificate, warmingKey} = await import('./warm-tls.js');
  const server = http2.createSecureServer(
    {key: warmingKey, cert: warmingCertificate, allowHTTP1: true},
    warmingAnswer,
  );
  const pool = createConnectionPool();
  await onLoopback(server, 'https', async (url) => {
    try {
      const httpVersion = h2 ? '2' : '1.1';
      for (let round = 0; round < rounds; round++) {
        await sendRequest({url, insecure: true, httpVersion, timeoutMs: 2000});
        await sendRequest({url, insecure: true, httpVersion, timeoutMs: 2000, pool});
      }
      if (h2) await sendRequest({url, insecure: true, httpVersion: '1.1', timeoutMs: 2000});
    } finally {
      pool.close();
    }
  });
}

export async function sendRequest(options: RequestOptions): Promise<RequestResult> {
  const transcript: TranscriptLine[] = [];
  const events: RequestEvent[] = [];
  const redirects: RedirectHop[] = [];
  const timeoutMs = positive(options.timeoutMs) ?? defaultTimeoutMs;
  let dataEvents = 0;
  /** Tells an event to the live listeners and adds its lines to the transcript. */
  const tell = (event: RequestEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing live view must not break the exchange it watches.
    }
    for (const line of transcriptLines(event)) {
      transcript.push(line);
      try {
        options.onTranscript?.(line);
      } catch {
        // As above.
      }
    }
  };
  const run: Run = {
    options,
    timeoutMs,
    connectTimeoutMs:
      positive(options.connectTimeoutMs) ?? Math.min(defaultConnectTimeoutMs, timeoutMs),
    maxBodyBytes: Math.max(0, options.maxBodyBytes ?? defaultMaxBodyBytes),
    ca: options.ca === undefined ? undefined : [options.ca].flat(),
    exchange: 0,
    pool: options.pool ?? (options.followRedirects === true ? createConnectionPool() : undefined),
    emit(partial) {
      const event = {...partial, at: performance.now(), exchange: run.exchange};
      if (event.type !== 'data' || ++dataEvents <= keptDataEvents) events.push(event);
      tell(event);
    },
    stopped: undefined,
    stop: undefined,
  };
  // The clock starts when the first exchange does; until then nothing is timed.
  let started: number | undefined;
  const result = (
    outcome: Partial<Omit<HopOutcome, 'location'>>,
    errorTold = false,
  ): RequestResult => {
    const ended = outcome.ended ?? performance.now();
    if (outcome.error !== undefined && !errorTold) run.emit({type: 'error', error: outcome.error});
    return {
      response: outcome.response,
      error: outcome.error,
      timings: timingsOf(outcome.marks, started ?? ended, ended),
      transcript,
      redirects,
      protocol: outcome.protocol,
      dns: outcome.dns,
      connection: outcome.connection,
      tls: outcome.tls,
      warnings: [...(outcome.response?.warnings ?? [])],
      events,
      ...(outcome.upgraded === undefined ? {} : {upgraded: outcome.upgraded}),
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
      const onStart = (at: number) => {
        started ??= at;
      };
      let outcome = await exchange(hop, run, onStart, true);
      if (outcome.retryFresh === true) outcome = await exchange(hop, run, onStart, false);
      // The exchange has told its own error.
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
      run.emit({type: 'redirect', to: next.href});
      run.exchange += 1;
      hop = nextHop(hop, outcome.response?.status ?? 0, next);
    }
  } catch (error) {
    // Not expected; kept as a value so that callers can rely on the promise resolving.
    const message = error instanceof Error ? error.message : String(error);
    return result({error: {code: 'network', message: `internal error: ${message}`}});
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (run.pool !== options.pool) run.pool?.close();
  }
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A body stream that holds the connection back while nobody reads it. */
function bodyStream(resume: () => void): Readable {
  const stream = new Readable({
    read() {
      resume();
    },
  });
  // A failure destroys the stream before anything may read it; the reader sees it as it reads.
  stream.on('error', () => undefined);
  return stream;
}

/** What ALPN offers for the version asked for (curl offers h2 first unless told HTTP/1.x). */
function alpnOffer(options: RequestOptions): string[] {
  // Switching protocols is HTTP/1.1's (RFC 6455 §4.1).
  if (options.upgrade !== undefined) return ['http/1.1'];
  switch (options.httpVersion) {
    case '1.0':
    case '1.1':
      return ['http/1.1'];
    case '2-prior-knowledge':
      return ['h2'];
    default:
      return ['h2', 'http/1.1'];
  }
}

/** Which pooled connections an exchange may use: the same place, reached the same way. */
function poolKey(hop: Hop, run: Run, route: Route): string {
  const {options} = run;
  const target = targetOf(hop.url);
  return JSON.stringify([
    routeKey(target, route),
    options.via?.label,
    target.secure ? alpnOffer(options) : options.httpVersion === '2-prior-knowledge',
    options.insecure === true,
    run.ca?.map((each) => (typeof each === 'string' ? each : Buffer.from(each).toString('base64'))),
    options.cert === undefined ? undefined : Buffer.from(options.cert).toString('base64'),
    options.pinnedPublicKeys,
  ]);
}

/** One request and its response (its body read unless it is a redirect to follow). */
async function exchange(
  hop: Hop,
  run: Run,
  onStart: (at: number) => void,
  mayReuse: boolean,
): Promise<HopOutcome> {
  const {options} = run;
  const unixSocket = options.unixSocket;
  const url = targetOf(hop.url);
  const target = unixSocket === undefined ? url : {...url, where: unixSocket};
  const route: Route = {
    family: options.family,
    resolve: options.resolve,
    connectTo: options.connectTo,
    unixSocket,
  };
  // A connection that may switch protocols is neither taken from the pool nor given back to it.
  const upgrade = options.upgrade !== undefined;
  const pool = upgrade ? undefined : run.pool;
  const key = pool === undefined ? '' : poolKey(hop, run, route);
  // Built before the clock starts: the send phase is the write alone.
  const request = requestHead(hop.method, hop.url, hop.headers, hop.own, hop.body, hop.typed);
  const holdBody = waitsForContinue(request.lines) && request.body !== undefined;
  const marks: Marks = {start: 0};
  let phase: Phase = 'connecting';
  let socket: Socket | undefined;
  let adapter: Adapter | undefined;
  let pooled: PooledConnection | undefined;
  let opened: Opened | undefined;
  let dnsSeen: DnsInfo | undefined;
  let tlsSeen: TlsInfo | undefined;
  let connection: ConnectionInfo | undefined;
  let protocol: Protocol | undefined;
  let response: HttpResponse | undefined;
  let body: BodyState | undefined;
  let file: FileHandle | undefined;
  let failed: RequestFailure | undefined;
  let bodyOver = false;
  let upgraded: RequestResult['upgraded'];
  const warnings: string[] = [];
  let rejectStopped: (failure: RequestFailure) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    rejectStopped = reject;
  });
  stopped.catch(() => undefined);
  let finalHead: (head: ReadHead) => void = () => undefined;
  const headRead = Promise.race([
    new Promise<ReadHead>((resolve) => {
      finalHead = resolve;
    }),
    stopped,
  ]);
  headRead.catch(() => undefined);
  const stream = bodyStream(() => adapter?.resume());

  const fail = (failure: RequestFailure) => {
    if (failed !== undefined) return;
    failed = failure;
    rejectStopped(failure);
    stream.destroy(failure);
    if (pooled?.session === undefined) socket?.destroy();
  };
  const stopMessage = (reason: Stop): RequestFailure => {
    if (reason === 'aborted') return new RequestFailure('aborted', 'request aborted');
    const within = formatSeconds(run.timeoutMs);
    if (phase === 'body') {
      return new RequestFailure(
        'timeout',
        `no complete response within ${within} (${receivedSoFar(adapter?.received ?? 0, adapter?.expected)} of body)`,
      );
    }
    // Over HTTP/2 the socket's bytes are frames (the server's SETTINGS), not a partial head.
    const headBytes = protocol === 'h2' ? 0 : (socket?.bytesRead ?? 0);
    if (phase === 'waiting' && headBytes > 0) {
      return new RequestFailure(
        'timeout',
        `no complete response within ${within} (response headers incomplete after ${headBytes} bytes)`,
      );
    }
    if (phase === 'waiting') return new RequestFailure('timeout', `no response within ${within}`);
    if (phase === 'tls') {
      return new RequestFailure(
        'timeout',
        `TLS handshake with ${target.where} not done within ${within}`,
      );
    }
    return new RequestFailure('timeout', `no connection to ${target.where} within ${within}`);
  };
  run.stop = (reason) => fail(stopMessage(reason));
  if (run.stopped !== undefined) fail(stopMessage(run.stopped));

  const onProgress = options.onBodyProgress;
  const sink: AdapterSink = {
    emit(event) {
      if (event.type === 'warning') warnings.push(event.text);
      run.emit(event);
    },
    head(head) {
      finalHead(head);
    },
    body(chunk) {
      const more = stream.push(chunk);
      const received = adapter?.received ?? 0;
      run.emit({type: 'data', bytes: chunk.length, total: received});
      if (onProgress !== undefined) {
        try {
          onProgress(received);
        } catch {
          // A failing live view must not break the exchange it watches.
        }
      }
      return more;
    },
    end() {
      bodyOver = true;
      stream.push(null);
    },
    fail,
    marks,
  };
  const exchangeRequest: AdapterRequest = {
    hop,
    request,
    holdBody,
    where: unixSocket ?? url.where,
    scheme: url.secure ? 'https' : 'http',
    authority: hop.url.host,
    upgrade,
  };
  const http1 = http1Exchange(exchangeRequest, sink);
  const h2c = !url.secure && options.httpVersion === '2-prior-knowledge' && !upgrade;
  // The HTTP/2 session opened on a new connection, for the pool or to close after.
  const sessions = new Map<Opened, NonNullable<PooledConnection['session']>>();
  /** Picks the adapter for the protocol the connection speaks and sends the request. */
  const start = (ready: Socket, alpn: string | undefined, session = pooled?.session) => {
    phase = 'waiting';
    try {
      pick(ready, alpn, session);
    } catch (error) {
      fail(
        error instanceof RequestFailure
          ? error
          : new RequestFailure('protocol', error instanceof Error ? error.message : String(error)),
      );
    }
  };
  let wire: Socket | undefined;
  const onWireError = (error: Error) => {
    const described = describeError(error, {
      host: target.host,
      where: target.where,
      phase: response === undefined ? 'waiting' : 'body',
      received: adapter?.received ?? 0,
      expected: adapter?.expected,
    });
    fail(new RequestFailure(described.code, described.message));
  };
  const pick = (ready: Socket, alpn: string | undefined, session: PooledConnection['session']) => {
    if (session !== undefined || alpn === 'h2' || h2c) {
      protocol = 'h2';
      const h2 = session ?? openSession(ready, hop.url.host, exchangeRequest.scheme);
      if (pooled !== undefined) pooled.session = h2;
      else if (opened !== undefined) sessions.set(opened, h2);
      adapter = http2Exchange(h2, exchangeRequest, sink);
      // What broke the connection under the session (a TLS alert: a client certificate the
      // server wanted) is the reason, not the stream reset that follows it.
      wire = ready;
      ready.on('error', onWireError);
    } else {
      protocol = hop.own.httpVersion === '1.0' ? 'http/1.0' : 'http/1.1';
      http1.attach(ready);
      adapter = http1;
    }
    adapter?.send();
  };
  try {
    if (failed !== undefined) throw failed;
    marks.start = performance.now();
    onStart(marks.start);
    const reused = mayReuse ? pool?.take(key) : undefined;
    if (reused !== undefined) {
      pooled = reused;
      socket = reused.socket;
      connection = {...reused.info};
      run.emit({type: 'connected', host: url.host, connection, attempts: []});
      start(reused.socket, reused.tls?.alpn);
    } else {
      opened = await openConnection(target, {
        insecure: options.insecure === true,
        ca: run.ca,
        cert: options.cert,
        key: options.key,
        passphrase: options.passphrase,
        pinnedPublicKeys: options.pinnedPublicKeys,
        alpn: alpnOffer(options),
        timeoutMs: run.connectTimeoutMs,
        marks,
        emit: run.emit,
        onSocket(created) {
          socket = created;
          if (failed !== undefined) created.destroy();
        },
        onPhase(next) {
          phase = next;
        },
        onDns(info) {
          dnsSeen = info;
        },
        onTls(info) {
          tlsSeen = info;
        },
        onReady(ready) {
          opened = ready;
          start(ready.socket, ready.alpn);
        },
        route,
        via: options.via,
      });
      connection = {...opened.connection, protocol: protocol ?? 'http/1.1'};
      opened.connection = connection;
      if (pool !== undefined) {
        pooled = {
          key,
          socket: opened.socket,
          session: sessions.get(opened),
          info: connection,
          tls: opened.tls,
          active: 1,
        };
        pool.add(pooled);
      }
    }
    const head = await headRead;
    phase = 'body';
    response = describeResponse(head, hop.url, connection, unixSocket);
    const location = header(response.headers, 'location');
    if (
      options.followRedirects === true &&
      redirectStatuses.has(response.status) &&
      location !== undefined
    ) {
      // Read to its end, so that the connection can carry the next request.
      if (pool !== undefined) {
        await readBody(stream, undefined, emptyBody(), {maxBodyBytes: 0, consumer: undefined});
      }
      return {...outcome(), response, error: undefined, ended: performance.now(), location};
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
    for (const warning of adapter?.afterBody() ?? []) sink.emit({type: 'warning', text: warning});
    response.warnings.push(...warnings);
    run.emit({type: 'end'});
    const head101 = adapter === http1 ? http1.switched() : undefined;
    const handed = opened?.socket ?? socket;
    if (head101 !== undefined && handed !== undefined && response.status === 101) {
      upgraded = {socket: handed, head: head101};
    }
    return {
      ...(upgraded === undefined ? {} : {upgraded}),
      ...outcome(),
      response: withBody(response, body),
      error: undefined,
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
        received: adapter?.received ?? 0,
        expected: adapter?.expected,
      });
    // A kept connection the server had closed: as curl, the request goes again on a new one.
    if (
      pooled !== undefined &&
      connection?.reused === true &&
      response === undefined &&
      (adapter?.received ?? 0) === 0 &&
      marks.firstByte === undefined &&
      (described.code === 'reset' || described.code === 'protocol') &&
      run.stopped === undefined
    ) {
      run.emit({
        type: 'warning',
        text: `connection #${connection.id} was closed by the server; trying a new one`,
      });
      return {
        ...outcome(),
        response: undefined,
        error: undefined,
        ended,
        location: undefined,
        retryFresh: true,
      };
    }
    run.emit({type: 'error', error: described});
    response?.warnings.push(...warnings);
    const partial =
      response === undefined || body === undefined ? response : withBody(response, body);
    return {...outcome(), response: partial, error: described, ended, location: undefined};
  } finally {
    run.stop = undefined;
    wire?.off('error', onWireError);
    const reusable =
      failed === undefined && bodyOver && adapter !== undefined && adapter.reusable();
    adapter?.abandon();
    if (upgraded !== undefined) {
      // The connection is the new protocol's now: whoever asked closes it.
    } else if (pooled !== undefined && pool !== undefined) {
      pool.release(pooled, reusable);
      run.emit({
        type: 'closed',
        id: connection?.id,
        kept: reusable,
        requests: pooled.info.requests,
      });
    } else {
      if (connection !== undefined) {
        run.emit({type: 'closed', id: connection.id, kept: false, requests: 1});
      }
      if (opened !== undefined) sessions.get(opened)?.destroy();
      socket?.destroy();
    }
    stream.destroy();
    await file?.close().catch(() => undefined);
  }

  function outcome(): Omit<HopOutcome, 'response' | 'error' | 'ended' | 'location'> {
    return {
      marks,
      protocol,
      dns: opened?.dns ?? dnsSeen,
      connection:
        connection === undefined
          ? undefined
          : {...connection, protocol: protocol ?? connection.protocol},
      tls: opened?.tls ?? pooled?.tls ?? tlsSeen,
    };
  }
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
