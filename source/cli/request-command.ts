/**
 * `porthole request <curl arguments>`: one request, read as curl reads its arguments and printed
 * as curl prints it (-s -S -v -i -f -o -O -w), timed by porthole's engine. Without -v or -s, a
 * terminal on stderr also gets one line of status and timings, porthole's addition to curl.
 * A WebSocket URL, and an answer that is an event stream, are followed as streams
 * (request-stream.ts).
 */
import {readFile, writeFile} from 'node:fs/promises';
import {describeBody} from '../request/body-view.js';
import {curlOptionHelp, planRequest, readCurlArgs} from '../request/curl/index.js';
import {cookieJarText} from '../request/curl/cookies.js';
import {takesValue} from '../request/curl/read.js';
import type {OutputOptions} from '../request/curl/types.js';
import {timingSummary, transcriptText} from '../request/describe.js';
import {insecureHint} from '../request/errors.js';
import {sendRequest, warmEngine} from '../request/send-request.js';
import {isWebSocketRequest} from '../stream/open.js';
import type {
  HttpResponse,
  RequestErrorCode,
  RequestOptions,
  RequestResult,
} from '../request/types.js';
import {formatBytes} from '../format.js';
import {sanitizeLine, sanitizeLines} from '../sanitize.js';
import {askPassword, passwordFromStdin} from './password-prompt.js';
import {
  fileSink,
  flushed,
  headCollector,
  outputTarget,
  streamSink,
  written,
  type BodySink,
} from './request-output.js';
import {requestResultJson} from './request-json.js';
import {
  acceptsEventStream,
  runStream,
  type StreamContext,
  type StreamEnd,
} from './request-stream.js';
import {expandWriteOut, writeOutFacts} from './write-out.js';

export type CommandStream = NodeJS.WritableStream & {isTTY?: boolean};

export type CommandIo = {
  stdout: CommandStream;
  stderr: CommandStream;
  /** For `-d @-`, `--data-binary @-` and `-T -`. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Where -o and -O files are made. Default the working directory. */
  cwd?: string;
  /** For `-u NAME`: the password, or undefined when cancelled. Default: asked on the terminal. */
  askPassword?: (user: string) => Promise<string | undefined>;
  /** From the config file: the timeout when -m is not given, and what was wrong with the file. */
  defaults?: {timeoutMs?: number; problems?: string[]};
  signal?: AbortSignal;
};

/** Exit codes: curl's 22 for -f; 130 for Ctrl-C at the password prompt, as a shell reports it. */
export const exitCodes = {ok: 0, failed: 1, usage: 2, httpError: 22, cancelled: 130} as const;

/** Mistakes in what was asked for, rather than failures of the exchange. */
const usageErrors = new Set<RequestErrorCode>([
  'invalid-url',
  'unsupported-scheme',
  'invalid-request',
]);

export function requestHelpText(): string {
  const width = Math.max(...curlOptionHelp.map(({flags}) => flags.length));
  return [
    'porthole request: one HTTP request, given as curl takes it, with honest timings',
    '',
    'Usage',
    '  porthole request [curl options] URL',
    '',
    'The body goes to stdout, as curl prints it. On a terminal porthole adds one line on stderr',
    'with the status and each phase of the exchange; -s leaves it out, -v prints the whole',
    'transcript and the timings. Exit 0 when a response arrived (any status; 22 with -f for',
    '400 and above), 1 when the exchange failed, 2 for a command that cannot be run, 130 when',
    'the password prompt was cancelled.',
    '',
    'Streams',
    '  ws:// and wss:// URLs (or -H "Upgrade: websocket") open a WebSocket, as websocat does:',
    '  each line of stdin is sent as a text message (--binary: as the bytes its hex spells),',
    '  each message received is written to stdout on its own line as it arrives (a binary one',
    '  raw, or as hex on a terminal). At the end of stdin, and on Ctrl-C, porthole sends close',
    "  1000 and waits for the server's close. Exit 0 for a close with 1000 or 1001, 1 for any",
    '  other code or a connection lost without one (1006), 22 when the server does not switch',
    '  protocols (its answer is printed as any response).',
    "  An answer of type text/event-stream is written event by event (each event's data lines)",
    '  and asked for again with Last-Event-ID when it ends; Ctrl-C ends it with exit 0. Any other',
    '  body is written to a pipe as it arrives (-N: to a terminal too). Without -m a request has',
    '  30 s, a stream included; with -N, an Accept naming text/event-stream, or a WebSocket, a',
    '  stream has no time limit once its head is in.',
    '',
    'Options (as curl)',
    ...curlOptionHelp.map(({flags, description}) => `  ${flags.padEnd(width)}  ${description}`),
    '',
    "porthole's own",
    ...ownOptionHelp.map(({flags, description}) => `  ${flags.padEnd(width)}  ${description}`),
  ].join('\n');
}

/** porthole's own options of `porthole request`; completions and the man page list them too. */
export const ownOptionHelp: ReadonlyArray<{flags: string; description: string}> = [
  {
    flags: '--json-result',
    description:
      'print the whole result as JSON instead of the body; on a stream, one JSON line per message or event',
  },
  {
    flags: '--binary',
    description:
      'WebSocket: each stdin line is hex (0a1bff) sent as a binary message; binary messages in --json-result are hex',
  },
  {
    flags: '--via HOST',
    description:
      "make the request from HOST's side, through ssh -W (an ssh_config alias or user@address:port)",
  },
  {flags: '--ssh-config FILE', description: 'with --via: the ssh_config file to use (ssh -F)'},
];

type OwnOptions = {
  curlArgs: string[];
  json: boolean;
  /** --binary: WebSocket messages from stdin as hex. */
  binary: boolean;
  /** --via, as given. */
  via?: string;
  sshConfig?: string;
};

/** porthole's own options taken out of curl's arguments (a value such as `-d --json-result` stays). */
function ownOptions(args: string[]): OwnOptions | string {
  const own: OwnOptions = {curlArgs: [], json: false, binary: false};
  const {curlArgs} = own;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      curlArgs.push(...args.slice(index));
      break;
    }
    if (arg === '--json-result') {
      own.json = true;
      continue;
    }
    if (arg === '--binary') {
      own.binary = true;
      continue;
    }
    const valued = /^--(via|ssh-config)(?:=(.*))?$/s.exec(arg);
    if (valued !== null) {
      const value = valued[2] ?? args[++index];
      if (value === undefined) return `${arg} needs a value`;
      if (valued[1] === 'via') own.via = value;
      else own.sshConfig = value;
      continue;
    }
    curlArgs.push(arg);
    if (takesValue(arg) && index + 1 < args.length) curlArgs.push(args[++index] ?? '');
  }
  return own;
}

/**
 * --via HOST: the request's connection is an `ssh -W` channel from HOST. Loaded only when asked
 * for; the control directory (ssh finds no master in a new one, and makes its own connection)
 * is removed by `close`.
 */
async function viaOption(
  text: string,
  configFile: string | undefined,
): Promise<{via: NonNullable<RequestOptions['via']>; close(): Promise<void>} | string> {
  const [{parseSshTarget}, channel, ssh, fs] = await Promise.all([
    import('../fleet/ssh-args.js'),
    import('../fleet/ssh-channel.js'),
    import('../fleet/ssh.js'),
    import('node:fs/promises'),
  ]);
  let target;
  try {
    target = parseSshTarget(text);
  } catch (error) {
    return `--via: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (configFile !== undefined) {
    const readable = await fs.access(configFile, fs.constants.R_OK).then(
      () => true,
      () => false,
    );
    if (!readable) return `--ssh-config: cannot read ${configFile}`;
  }
  const controlDir = await ssh.makeControlDir();
  const settings = {configFile, controlDir};
  return {
    via: {
      label: channel.channelLabel(target),
      open: (host, port, signal) => channel.openSshChannel(target, settings, host, port, signal),
    },
    close: () => fs.rm(controlDir, {recursive: true, force: true}),
  };
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

/** Runs the command; resolves to the exit code (see exitCodes). */
export async function runRequestCommand(args: string[], io: CommandIo): Promise<number> {
  const {stdout, stderr} = io;
  const end = async (code: number, message?: string) => {
    if (message !== undefined) stderr.write(`porthole: ${sanitizeLine(message)}\n`);
    await flushed(stdout);
    await flushed(stderr);
    return code;
  };
  if (wantsHelp(args)) {
    stdout.write(requestHelpText() + '\n');
    return end(exitCodes.ok);
  }
  const own = ownOptions(args);
  if (typeof own === 'string') return end(exitCodes.usage, own);
  const {curlArgs, json} = own;
  if (own.sshConfig !== undefined && own.via === undefined) {
    return end(exitCodes.usage, '--ssh-config is for --via HOST; give --via too');
  }
  const command = readCurlArgs(curlArgs);
  if (typeof command === 'string') return end(exitCodes.usage, command);
  const {output} = command;
  if (json && output.writeOut !== undefined) {
    return end(exitCodes.usage, '--json-result and -w both write to stdout; give one of them');
  }
  const quiet = output.silent && !output.showError;
  if (!output.silent) {
    for (const problem of io.defaults?.problems ?? []) stderr.write(`porthole: ${problem}\n`);
  }

  let cancelled = false;
  let stdinTaken = false;
  const stdin = () => io.stdin ?? process.stdin;
  const ask =
    io.askPassword ??
    ((user: string) =>
      askPassword(user, {
        stderr,
        readLine: () => (stdinTaken ? Promise.resolve('') : passwordFromStdin(stdin())),
      }));
  const planned = await planRequest(command, {
    readFile: (file) => readFile(file),
    readStdin: () => {
      stdinTaken = true;
      return readAll(stdin());
    },
    askPassword: async (user) => {
      const password = await ask(user);
      if (password === undefined) cancelled = true;
      return password;
    },
  });
  if (cancelled) return end(exitCodes.cancelled, 'no password given; nothing was sent');
  if (typeof planned === 'string') return end(exitCodes.usage, planned);
  if (!output.silent) for (const note of planned.notes) stderr.write(`porthole: ${note}\n`);
  // Checked before sending, as a request whose answer cannot be kept is better not made.
  const target = await outputTarget(output, planned.options.url, io.cwd ?? process.cwd());
  if (typeof target === 'string') return end(exitCodes.usage, target);
  const options: RequestOptions = {
    ...planned.options,
    timeoutMs: planned.options.timeoutMs ?? io.defaults?.timeoutMs,
  };
  if (own.via !== undefined && options.unixSocket !== undefined) {
    return end(exitCodes.usage, '--via and --unix-socket cannot be used together');
  }
  const websocket = isWebSocketRequest(options);
  // -N, or an Accept naming event streams, asks to follow a stream for as long as it lasts.
  const follow = output.noBuffer === true || acceptsEventStream(options.headers);
  if (own.binary && !websocket) {
    return end(exitCodes.usage, '--binary is for WebSocket messages (a ws:// or wss:// URL)');
  }
  if (websocket && target.kind === 'file') {
    return end(exitCodes.usage, "-o and -O keep a body; a WebSocket's messages go to stdout");
  }
  if (websocket && options.body !== undefined) {
    return end(exitCodes.usage, 'a WebSocket handshake sends no body: give the messages on stdin');
  }
  const made = own.via === undefined ? undefined : await viaOption(own.via, own.sshConfig);
  if (typeof made === 'string') return end(exitCodes.usage, made);
  if (made !== undefined) options.via = made.via;
  try {
    // Everything the first exchange would load runs now, so none of it lands inside its phases.
    await warmEngine({for: options});
    // With --json-result stdout gets the JSON alone; the body is in it (and still in -o's file).
    const sink =
      target.kind === 'file' ? fileSink(target.file) : json ? undefined : streamSink(stdout);
    // curl -I prints the head it asked for, as -i would, and never a body (even with -X GET).
    const shown = {...output, include: output.include || command.head};
    const exchangeIo = {
      ...io,
      sink,
      toTerminal: !json && target.kind === 'stdout' && stdout.isTTY === true,
      headOnly: command.head,
      keepBody: json,
      bodyLimit: options.maxBodyBytes,
      live: follow,
    };
    // A body bound for stdout may be an event stream; one for a file is kept as it came.
    const {exchange, stream, refused} =
      websocket || (target.kind === 'stdout' && !command.head)
        ? await exchangeAndFollow(options, shown, exchangeIo, {
            websocket,
            follow,
            stdout,
            stderr,
            stdin: stdin(),
            format: {terminal: stdout.isTTY === true, json},
            binary: own.binary,
            verbose: output.verbose,
            quiet,
            signal: io.signal,
          })
        : {exchange: await exchangeAndPrint(options, shown, exchangeIo)};
    const {result, failedStatus, writeError} = exchange;
    let code: number = exitCodes.ok;
    let message: string | undefined;
    if (writeError !== undefined) {
      code = exitCodes.failed;
      const where = target.kind === 'file' ? target.file : 'stdout';
      message = `cannot write the body to ${where}: ${writeError.message}`;
    } else if (failedStatus !== undefined) {
      code = exitCodes.httpError;
      message = `the server answered ${failedStatus} (-f)`;
    } else if (result.error !== undefined) {
      code = usageErrors.has(result.error.code) ? exitCodes.usage : exitCodes.failed;
      // Here the way to skip verification is this command's own option.
      message = result.error.message.replace(insecureHint, '(pass -k to skip verification)');
    }
    if (writeError === undefined && stream !== undefined) {
      code = stream.code;
      message = stream.message;
    } else if (writeError === undefined && refused !== undefined && result.error === undefined) {
      // As curl: a WebSocket URL whose server does not switch protocols is an HTTP error.
      code = exitCodes.httpError;
      message = refused;
    }

    if (planned.cookieJar !== undefined && result.response !== undefined) {
      const problem = await saveCookies(planned.cookieJar, result.response);
      if (problem !== undefined && !quiet) stderr.write(`porthole: ${sanitizeLine(problem)}\n`);
    }
    // A stream's --json-result was its messages or events, one a line.
    if (json && stream === undefined) {
      await written(stdout, requestResultJson(result)).catch((error: unknown) => {
        code = exitCodes.failed;
        message = `cannot write to stdout: ${error instanceof Error ? error.message : String(error)}`;
      });
    }
    if (output.writeOut !== undefined) {
      const facts = writeOutFacts(result, {
        url: options.url,
        method: options.method ?? 'GET',
        exitCode: code,
      });
      const expanded = expandWriteOut(
        output.writeOut,
        facts,
        stdout.isTTY === true ? sanitizeLine : undefined,
      );
      stdout.write(expanded.text);
      for (const name of expanded.unknown) {
        stderr.write(`porthole: unknown --write-out variable: '${sanitizeLine(name)}'\n`);
      }
    }
    // What broke HTTP's rules but was read anyway is said, as errors are (-v told it already).
    if (!output.silent && !output.verbose) {
      for (const warning of result.response?.warnings ?? []) {
        stderr.write(`porthole: warning: ${sanitizeLine(warning)}\n`);
      }
    }
    if (output.verbose) stderr.write(timingSummary(result.timings, '  ') + '\n');
    else if (!output.silent && stderr.isTTY === true && result.response !== undefined) {
      stderr.write(summaryLine(result) + '\n');
    }
    return end(code, quiet && code !== exitCodes.usage ? undefined : message);
  } finally {
    await made?.close().catch(() => undefined);
  }
}

/**
 * Sends the request as a stream session (request-stream.ts), each exchange of it printed as
 * exchangeAndPrint prints any: a WebSocket, and an answer that is an event stream, are followed to
 * their end; any other answer is the exchange it was.
 */
async function exchangeAndFollow(
  options: RequestOptions,
  output: OutputOptions,
  io: ExchangeIo,
  context: StreamContext,
): Promise<{exchange: Exchange; stream?: StreamEnd; refused?: string}> {
  let first: Exchange | undefined;
  let writeError: Error | undefined;
  const run = await runStream(options, context, async (sent, eventStream) => {
    // The session's signal ends the exchange; the command's own ends the session.
    const each = await exchangeAndPrint(sent, output, {...io, signal: undefined, eventStream});
    first ??= each;
    writeError ??= each.writeError;
    return each.result;
  });
  return {
    exchange: {failedStatus: undefined, ...first, result: run.result, writeError},
    stream: run.end,
    refused: run.refused,
  };
}

type Exchange = {
  result: RequestResult;
  /** The status that -f refused, when it did. */
  failedStatus: string | undefined;
  writeError: Error | undefined;
};

type ExchangeIo = CommandIo & {
  /** Where the body (and -i's heads) go; none when it is only kept in memory (--json-result). */
  sink: BodySink | undefined;
  toTerminal: boolean;
  headOnly: boolean;
  /** Keep the body in memory (up to maxBodyBytes) even when it is also streamed. */
  keepBody: boolean;
  /** The command's limit on the body kept in memory (a stream session asks for its own). */
  bodyLimit: number | undefined;
  /**
   * Whether the answer is an event stream (its events are printed by request-stream.ts): its
   * body then goes to the session's reader (`options.onBodyChunk`) and nowhere else.
   */
  eventStream?: () => boolean;
  /** -N: a terminal too gets the body as it arrives (made safe), not once it is all in. */
  live: boolean;
};

/** Sends the request and prints the response as the output options ask. */
async function exchangeAndPrint(
  options: RequestOptions,
  output: OutputOptions,
  io: ExchangeIo,
): Promise<Exchange> {
  const {stdout, stderr, toTerminal} = io;
  const sink = io.sink ?? discardSink;
  const include = output.include;
  const heads = headCollector();
  let failedStatus: string | undefined;
  let writeError: Error | undefined;
  const stop = new AbortController();
  const onStdoutError = (error: Error) => {
    writeError ??= error;
    stop.abort();
  };
  // A failed write ends the exchange; the error is told once, naming where the body was going.
  const keep = (write: Promise<void>) => write.catch(onStdoutError);
  stdout.on('error', onStdoutError);
  // -f drops the body of an HTTP error; --fail-with-body keeps it and still exits 22.
  const failing = (status: number) => output.fail && status >= 400;
  let droppedBody = false;
  const refused = () => io.headOnly || (failing(heads.status()) && output.failWithBody !== true);
  const eventStream = io.eventStream ?? (() => false);
  const reader = options.onBodyChunk;
  // -N on a terminal: the text as it arrives, a character cut between two reads kept whole.
  const decoder = new TextDecoder('utf-8');
  const terminalText = (chunk?: Uint8Array) =>
    Buffer.from(sanitizeLines(decoder.decode(chunk, {stream: chunk !== undefined})).join('\n'));
  const signals = [stop.signal, io.signal, options.signal].filter(
    (each): each is AbortSignal => each !== undefined,
  );
  try {
    const result = await sendRequest({
      ...options,
      // Only a terminal shows the body from memory; a pipe or a file gets it as it arrives.
      maxBodyBytes: toTerminal || io.keepBody ? io.bodyLimit : 0,
      onBodyChunk:
        reader === undefined && (toTerminal || io.sink === undefined)
          ? undefined
          : (chunk) => {
              if (eventStream()) return reader?.(chunk);
              if ((toTerminal && !io.live) || io.sink === undefined) return undefined;
              if (refused()) {
                // The rest of the body is not wanted: the exchange ends here, on purpose.
                droppedBody = true;
                stop.abort();
                return undefined;
              }
              return keep(sink.write(toTerminal ? terminalText(chunk) : chunk));
            },
      onTranscript(line) {
        options.onTranscript?.(line);
        if (output.verbose) stderr.write(transcriptText(line) + '\n');
        if (line.kind !== 'in') return;
        const head = heads.take(line.text);
        if (head === undefined || !include) return;
        const text = toTerminal
          ? [...head.map(sanitizeLine), ''].join('\n') + '\n'
          : head.map((each) => each + '\r\n').join('') + '\r\n';
        void keep(sink.write(Buffer.from(text)));
      },
      signal: signals.length === 1 ? stop.signal : AbortSignal.any(signals),
    });
    const {response} = result;
    if (response !== undefined && failing(response.status)) {
      failedStatus = `${response.status} ${sanitizeLine(response.statusText)}`.trim();
    } else if (failing(heads.status())) failedStatus = String(heads.status());
    const bodyKept = response !== undefined && !refused() && !eventStream();
    if (toTerminal && io.live && bodyKept) await keep(sink.write(terminalText()));
    // A 101's connection is the WebSocket's now: there is no body to show.
    else if (toTerminal && bodyKept && result.upgraded === undefined) {
      const lines = describeBody(response, {formatJson: false}).lines;
      if (lines.length > 0) await keep(sink.write(Buffer.from(lines.join('\n') + '\n')));
    }
    await keep(sink.close(bodyKept));
    if (result.error?.code === 'file' && writeError === undefined) {
      writeError = new Error(result.error.message);
    }
    const error = droppedBody && result.error?.code === 'aborted' ? undefined : result.error;
    return {result: {...result, error}, failedStatus, writeError};
  } finally {
    stdout.off('error', onStdoutError);
  }
}

/** For a body kept in memory only: nothing is written anywhere. */
const discardSink: BodySink = {write: () => Promise.resolve(), close: () => Promise.resolve()};

/** `200 OK · 3 B · dns — · connect 0.3 ms · …`: the line a terminal gets on stderr by default. */
function summaryLine(result: RequestResult): string {
  const {response} = result;
  const status = response === undefined ? '' : `${response.status} ${response.statusText}`;
  const redirects = result.redirects.length;
  return [
    sanitizeLine(status.trim()),
    ...(redirects > 0 ? [`${redirects} redirect${redirects === 1 ? '' : 's'}`] : []),
    formatBytes(response?.bodyBytes ?? 0),
    timingSummary(result.timings),
  ].join(' · ');
}

/** -c FILE: the cookies the file held and those the response set, as curl writes its jar. */
async function saveCookies(file: string, response: HttpResponse): Promise<string | undefined> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  try {
    await writeFile(file, cookieJarText(existing, new URL(response.url), response.headers), {
      mode: 0o600,
    });
    return undefined;
  } catch (error) {
    return `cannot write the cookie jar ${file}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
