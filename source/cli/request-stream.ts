/**
 * `porthole request` on a stream, as websocat and curl -N behave. A WebSocket sends each line of
 * stdin as a message (--binary: as the bytes its hex spells) and writes each message received as
 * it arrives; at the end of stdin it sends close 1000 and waits for the server's. An answer that
 * is an event stream writes each event's data as it arrives, and is asked for again with
 * Last-Event-ID when it ends. Ctrl-C closes the stream (a WebSocket with close 1000) and exits 0.
 * Any other answer is printed by the command as it prints every response.
 */
import {createInterface} from 'node:readline';
import type {Duplex} from 'node:stream';
import {formatSeconds} from '../request/errors.js';
import {closeCodeWords} from '../stream/close-codes.js';
import {headTimeoutMs, openHttpStream} from '../stream/http-stream.js';
import type {ClosedStatus} from '../stream/session-core.js';
import type {StreamEntry, StreamLimits, StreamSession} from '../stream/types.js';
import {closeTimeoutMs, openWebSocket} from '../stream/websocket.js';
import type {RequestOptions, RequestResult} from '../request/types.js';
import {sanitizeLine} from '../sanitize.js';
import type {CommandStream} from './request-command.js';
import {eventOutput, messageOutput, parseHexLine, type StreamFormat} from './stream-output.js';

export type StreamContext = {
  /** A WebSocket URL (or an Upgrade: websocket header): else an http(s) answer, maybe an event stream. */
  websocket: boolean;
  /** -N, or an Accept naming event streams: a stream has no time limit once its head is in. */
  follow: boolean;
  stdout: CommandStream;
  stderr: CommandStream;
  /** The lines to send on a WebSocket. */
  stdin: NodeJS.ReadableStream;
  format: StreamFormat;
  /** --binary: each stdin line is hex for a binary message. */
  binary: boolean;
  /** -v: the session's notes (reconnecting, closing) on stderr. */
  verbose: boolean;
  /** -s without -S: nothing on stderr. */
  quiet: boolean;
  /** Ends the stream as Ctrl-C does. */
  signal?: AbortSignal;
};

/** How a stream ended: the exit code and the line said on stderr, if any. */
export type StreamEnd = {code: number; message?: string};

export type StreamRun = {
  /** The exchange that opened the stream (the handshake, the event stream's first request). */
  result: RequestResult;
  /** Set once the answer was a stream: how it ended. Unset: print `result` as any response. */
  end?: StreamEnd;
  /** A WebSocket handshake the server did not take, in one line. */
  refused?: string;
};

/**
 * The window is only where entries wait to be written: room for everything one read of the
 * socket can bring, so none leaves the window before it is written.
 */
const commandLimits: Partial<StreamLimits> = {maxEntries: 65_536};
/** After Ctrl-C, how long the server has to answer the close before the command exits anyway. */
const interruptedCloseMs = 1000;
/** What a session says when it was closed by its caller. */
const closedByYou = 'closed by you';

/** Sends one exchange of the stream and prints its response as the command prints any. */
export type SendAndPrint = (
  options: RequestOptions,
  /** Whether the answer has turned out to be an event stream, whose body is then left alone. */
  eventStream: () => boolean,
) => Promise<RequestResult>;

/**
 * Opens the stream and follows it to its end. Each exchange goes through `send`, which prints
 * heads with -i, -v's transcript and a refusal's body as the command prints any response.
 *
 * Without -m (or the config's limit) an answer has the engine's 30 s, an event stream's included,
 * as any response; -N, asking for an event stream (Accept), and a WebSocket leave a stream
 * without a limit once its head is in.
 */
export async function runStream(
  options: RequestOptions,
  context: StreamContext,
  send: SendAndPrint,
): Promise<StreamRun> {
  let current: StreamSession | undefined;
  let last: RequestResult | undefined;
  /** The status of the last answer's head, whether or not its exchange was let run. */
  let status: number | undefined;
  let connection: Duplex | undefined;
  // The command's signal stops the exchange until the stream is followed, then ends the stream.
  const early = new AbortController();
  let following = false;
  const stopEarly = () => {
    if (!following) early.abort();
  };
  context.signal?.addEventListener('abort', stopEarly, {once: true});
  if (context.signal?.aborted === true) early.abort();
  const follow = <T>(run: () => Promise<T>): Promise<T> => {
    following = true;
    context.signal?.removeEventListener('abort', stopEarly);
    return run();
  };
  const cut = options.timeoutMs === undefined && !context.websocket && !context.follow;
  const streamOptions = {
    ...options,
    timeoutMs: cut ? headTimeoutMs : options.timeoutMs,
    signal: early.signal,
    limits: commandLimits,
    flushMs: 0,
    send: async (sent: RequestOptions) => {
      const told = sent.onEvent;
      const onEvent: RequestOptions['onEvent'] = (event) => {
        told?.(event);
        if (event.type === 'response-head' && !event.informational) status = event.head.status;
      };
      last = await send({...sent, onEvent}, () => current?.kind === 'sse');
      // Kept to end it when a server does not answer a close in the time the command waits.
      connection = last.upgraded?.socket ?? connection;
      return last;
    },
  };
  if (context.websocket) {
    // Binary messages whole, by their entry's seq, until they are written.
    const payloads = new Map<number, Uint8Array>();
    const session: StreamSession = openWebSocket({
      ...streamOptions,
      onMessage: (entry, payload) => {
        if (entry.kind === 'binary') payloads.set(entry.seq, payload);
      },
    });
    current = session;
    const result = await session.opened;
    if (result.error !== undefined) return {result};
    if (result.response?.status !== 101) return {result, refused: refusal(session)};
    return {
      result,
      end: await follow(() =>
        followWebSocket(session, context, connection, payloads, options.timeoutMs),
      ),
    };
  }
  const session = openHttpStream(streamOptions);
  current = session;
  if (!(await becomesEventStream(session))) {
    return {result: sessionError(session, await session.opened)};
  }
  const end = await follow(() => followEventStream(session, context));
  // 204 No Content is how a server says not to ask again (the HTML standard's EventSource).
  if (end.code !== 0 && status === 204) {
    if (!context.quiet) context.stderr.write(`porthole: ${end.message ?? ''}\n`);
    return {result: await session.opened, end: {code: 0}};
  }
  if (cut && end.code !== 0 && last?.error?.code === 'timeout') {
    end.message = `${end.message ?? 'time is up'}; without -m a request has ${formatSeconds(headTimeoutMs)}, and -N follows an event stream for as long as it lasts`;
  }
  return {result: await session.opened, end};
}

/** Whether the request asks for an event stream (`Accept: text/event-stream`, as EventSource sends). */
export function acceptsEventStream(headers: RequestOptions['headers']): boolean {
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers ?? {});
  return pairs.some(
    ([name, value]) =>
      name.trim().toLowerCase() === 'accept' && /\btext\/event-stream\b/i.test(value),
  );
}

/**
 * The result with the session's reason when the session itself stopped the exchange (no answer
 * within its time for a head), rather than the bare "aborted" the engine saw.
 */
function sessionError(session: StreamSession, result: RequestResult): RequestResult {
  const status = session.snapshot().status;
  if (result.error?.code !== 'aborted' || status.state !== 'closed') return result;
  if (status.why === closedByYou) return result;
  return {...result, error: {code: 'timeout', message: status.why}};
}

/** Why a handshake answered with something other than 101, in the session's words. */
function refusal(session: StreamSession): string {
  const status = session.snapshot().status;
  const why = status.state === 'closed' ? status.why : 'the server did not switch protocols';
  return `no WebSocket: ${sanitizeLine(why)}`;
}

/** Whether the answer turns out to be an event stream (false once the exchange is over without one). */
function becomesEventStream(session: StreamSession): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.kind !== 'sse') return;
      unsubscribe();
      resolve(true);
    };
    const unsubscribe = session.subscribe(check);
    void session.opened.then(() => {
      unsubscribe();
      resolve(session.kind === 'sse');
    });
  });
}

async function followWebSocket(
  session: StreamSession,
  context: StreamContext,
  connection: Duplex | undefined,
  payloads: Map<number, Uint8Array>,
  /** -m: the WebSocket is closed (1000) when the time is up, counted from the 101. */
  limitMs: number | undefined,
): Promise<StreamEnd> {
  const {stderr, format} = context;
  const printer = printEntries(
    session,
    context,
    (entry) => {
      const payload = payloads.get(entry.seq);
      payloads.delete(entry.seq);
      return messageOutput(entry, format, payload);
    },
    (seq) => payloads.delete(seq),
  );
  const interrupt = interrupts(context.signal);
  const input = readLines(context.stdin, (line) => {
    let problem: string | undefined;
    if (context.binary) {
      const bytes = parseHexLine(line);
      problem = typeof bytes === 'string' ? `--binary: ${bytes}` : session.sendBinary(bytes);
      // The entry just logged is this message's: --json-result writes it whole.
      if (problem === undefined && typeof bytes !== 'string' && format.json) {
        payloads.set(session.log.dropped + session.log.size, bytes);
      }
    } else problem = session.sendText(line);
    if (problem !== undefined && !context.quiet) {
      stderr.write(`porthole: not sent: ${sanitizeLine(problem)}\n`);
    }
  });
  try {
    const first = await Promise.race([
      session.done,
      input.ended.then(() => 'end of input' as const),
      interrupt.first.then(() => 'interrupted' as const),
      printer.failed,
      ...(limitMs === undefined ? [] : [delay(limitMs).then(() => 'time is up' as const)]),
    ]);
    if (typeof first === 'object') return closedOutcome(first, printer, context, undefined);
    // The command's close comes first: the server's answer ends the stream.
    input.stop();
    session.close(first === 'write failed' ? 1001 : 1000, '');
    // The session itself drops a connection whose server does not answer within closeTimeoutMs.
    const waitMs = first === 'end of input' ? closeTimeoutMs + 1000 : interruptedCloseMs;
    const timeUp =
      first === 'time is up'
        ? `time is up: -m ${formatSeconds(limitMs ?? 0)} ended the WebSocket (close 1000 sent)`
        : undefined;
    const answer = await Promise.race([
      session.done,
      delay(waitMs),
      interrupt.second.then(() => undefined),
    ]);
    if (answer === undefined) connection?.destroy();
    if (first === 'write failed') return {code: 1, message: printer.problem()};
    if (first === 'time is up') {
      printer.drain();
      return {code: 1, message: timeUp};
    }
    if (answer !== undefined) return closedOutcome(answer, printer, context, first);
    const late = `the server did not answer the close within ${formatSeconds(waitMs)}`;
    if (first === 'end of input') return {code: 1, message: late};
    if (context.verbose) stderr.write(`porthole: ${late}\n`);
    return {code: 0};
  } finally {
    input.stop();
    interrupt.dispose();
    printer.stop();
  }
}

/**
 * The exit code and line for a WebSocket that closed: 0 for a clean close (1000, 1001, a close
 * frame without a code) and after Ctrl-C, 1 for the rest. `first`: what made the command send
 * its close first, if it did.
 */
function closedOutcome(
  status: ClosedStatus,
  printer: Printer,
  context: StreamContext,
  first: 'end of input' | 'interrupted' | undefined,
): StreamEnd {
  printer.drain();
  const problem = printer.problem();
  if (problem !== undefined) return {code: 1, message: problem};
  const {code} = status;
  const clean = code === 1000 || code === 1001 || code === 1005;
  // The server answered the command's close: the session's words say how.
  if (first !== undefined) {
    if (first === 'interrupted' || clean) return {code: 0};
    const why = sanitizeLine(status.why);
    return {code: 1, message: why.startsWith('closed') ? why : `closed: ${why}`};
  }
  const reason = status.reason ? ` (reason: ${sanitizeLine(status.reason)})` : '';
  const line =
    code === undefined
      ? sanitizeLine(status.why)
      : code === 1006
        ? `closed: ${closeCodeWords(code)}`
        : `closed by the server: ${closeCodeWords(code)}${reason}`;
  if (!clean) return {code: 1, message: line};
  if (!context.quiet) context.stderr.write(`porthole: ${line}\n`);
  return {code: 0};
}

async function followEventStream(
  session: StreamSession,
  context: StreamContext,
): Promise<StreamEnd> {
  const {format} = context;
  const printer = printEntries(session, context, (entry) => eventOutput(entry, format));
  const interrupt = interrupts(context.signal);
  try {
    const first = await Promise.race([
      session.done,
      interrupt.first.then(() => 'interrupted' as const),
      printer.failed,
    ]);
    if (typeof first !== 'object') session.close();
    const status = await session.done;
    printer.drain();
    const problem = printer.problem();
    if (problem !== undefined) return {code: 1, message: problem};
    if (first === 'interrupted') return {code: 0};
    return {code: 1, message: sanitizeLine(status.why)};
  } finally {
    interrupt.dispose();
    printer.stop();
  }
}

type Printer = {
  /** Writes what came since the last time. */
  drain(): void;
  /** Settles once a write to stdout fails. */
  failed: Promise<'write failed'>;
  problem(): string | undefined;
  stop(): void;
};

/**
 * Writes each entry's output to stdout as the session tells of it, oldest first; with -v the
 * session's notes go to stderr. Entries that left the window unwritten are counted and said.
 */
function printEntries(
  session: StreamSession,
  context: StreamContext,
  output: (entry: StreamEntry) => string | Uint8Array | undefined,
  /** An entry that left the window before it was written. */
  skip?: (seq: number) => void,
): Printer {
  const {stdout, stderr} = context;
  const closedWhy = () => {
    const status = session.snapshot().status;
    return status.state === 'closed' ? status.why : undefined;
  };
  let seen = 0;
  let skipped = 0;
  let writeError: Error | undefined;
  let failed!: (value: 'write failed') => void;
  const failure = new Promise<'write failed'>((resolve) => (failed = resolve));
  const onError = (error: Error) => {
    writeError ??= error;
    failed('write failed');
  };
  stdout.on('error', onError);
  const drain = () => {
    if (writeError !== undefined) return;
    for (const entry of session.log.after(seen)) {
      skipped += entry.seq - seen - 1;
      for (let gone = seen + 1; gone < entry.seq; gone++) skip?.(gone);
      seen = entry.seq;
      // A connection lost without a close frame (1006) is a line of --json-result too.
      const lost = entry.kind === 'close' && context.format.json;
      if (entry.dir === 'info' && !lost) {
        // How the stream ended is the command's own last line.
        if (context.verbose && entry.kind === 'note' && entry.text !== closedWhy()) {
          stderr.write(`porthole: ${sanitizeLine(entry.text)}\n`);
        }
        continue;
      }
      const text = output(entry);
      if (text !== undefined && !stdout.write(text)) holdBack();
    }
  };
  // A reader slower than the stream holds the connection back (as websocat does), instead of
  // the writes piling up in memory.
  let held = false;
  const holdBack = () => {
    if (held) return;
    held = true;
    session.pause();
    stdout.once('drain', () => {
      held = false;
      session.resume();
    });
  };
  const unsubscribe = session.subscribe(drain);
  drain();
  return {
    drain,
    failed: failure,
    problem: () =>
      writeError === undefined ? undefined : `cannot write to stdout: ${writeError.message}`,
    stop() {
      unsubscribe();
      stdout.off('error', onError);
      if (skipped > 0 && !context.quiet) {
        stderr.write(
          `porthole: ${skipped} ${session.kind === 'sse' ? 'event' : 'message'}${skipped === 1 ? '' : 's'} came faster than stdout took them and ${skipped === 1 ? 'was' : 'were'} left out\n`,
        );
      }
    },
  };
}

/** Each line of `input` as it comes; `ended` settles at its end. */
function readLines(input: NodeJS.ReadableStream, line: (text: string) => void) {
  const lines = createInterface({input, crlfDelay: Infinity, terminal: false});
  let stopped = false;
  const ended = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (text) => {
    if (!stopped) line(text);
  });
  return {
    ended,
    /** Reads no more: the stream is over (or closing). */
    stop() {
      if (stopped) return;
      stopped = true;
      lines.close();
      // process.stdin left open would keep the command from exiting.
      if (input === process.stdin) process.stdin.destroy();
    },
  };
}

/** Ctrl-C (SIGINT) and the command's own signal: the first, and a second one (stop waiting). */
function interrupts(signal: AbortSignal | undefined) {
  let count = 0;
  let first!: () => void;
  let second!: () => void;
  const firstCame = new Promise<void>((resolve) => (first = resolve));
  const secondCame = new Promise<void>((resolve) => (second = resolve));
  const onInterrupt = () => {
    count++;
    if (count === 1) first();
    else second();
  };
  process.on('SIGINT', onInterrupt);
  signal?.addEventListener('abort', onInterrupt, {once: true});
  if (signal?.aborted === true) onInterrupt();
  return {
    first: firstCame,
    second: secondCame,
    dispose() {
      process.off('SIGINT', onInterrupt);
      signal?.removeEventListener('abort', onInterrupt);
    },
  };
}

/** A wait that does not keep the process up: only what it waits for does. */
function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
