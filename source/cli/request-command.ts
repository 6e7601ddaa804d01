/**
 * `porthole request URL [-X METHOD] [-H 'Name: value']... [-d DATA] [-k] [-L] [--timeout SECONDS]
 * [-o FILE]`: one request, its transcript and timings on stderr, its body on stdout. A pipe or a
 * file gets the body byte for byte; a terminal gets it made safe to show.
 */
import {describeBody} from '../request/body-view.js';
import {parseHeaderLine} from '../request/header-lines.js';
import {sendRequest} from '../request/send-request.js';
import type {HeaderList, RequestErrorCode} from '../request/types.js';
import {timingSummary, transcriptText} from '../request/describe.js';
import {sanitizeLine} from '../sanitize.js';

export type RequestCommandArgs = {
  url: string;
  method?: string;
  /** Each `Name: value`. */
  headers: string[];
  data?: string;
  insecure: boolean;
  location: boolean;
  timeoutSeconds?: number;
  output?: string;
};

export type CommandStream = NodeJS.WritableStream & {isTTY?: boolean};

export type CommandIo = {stdout: CommandStream; stderr: CommandStream; signal?: AbortSignal};

/** Mistakes in what was asked for, rather than failures of the exchange. */
const usageErrors = new Set<RequestErrorCode>([
  'invalid-url',
  'unsupported-scheme',
  'invalid-request',
]);

/** Runs the command; resolves to the exit code: 0 when a response arrived, 1 when the exchange failed, 2 for bad arguments. */
export async function runRequestCommand(args: RequestCommandArgs, io: CommandIo): Promise<number> {
  const {stdout, stderr} = io;
  const refuse = async (message: string, code: number) => {
    stderr.write(`porthole: ${sanitizeLine(message)}\n`);
    await flushed(stdout);
    await flushed(stderr);
    return code;
  };

  const headers: HeaderList = [];
  for (const line of args.headers) {
    const header = parseHeaderLine(line);
    if (typeof header === 'string') return refuse(`bad -H value: ${header}`, 2);
    headers.push(header);
  }
  const {timeoutSeconds} = args;
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    return refuse('--timeout needs a positive number of seconds', 2);
  }
  const given = new Set(headers.map(([name]) => name.toLowerCase()));
  // As curl -d: a body without a type is form data.
  if (args.data !== undefined && !given.has('content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }

  const toTerminal = stdout.isTTY === true && args.output === undefined;
  const streamBody = !toTerminal && args.output === undefined;
  const stop = new AbortController();
  let outputError: Error | undefined;
  const onOutputError = (error: Error) => {
    outputError ??= error;
    stop.abort();
  };
  stdout.on('error', onOutputError);
  try {
    const result = await sendRequest({
      url: withScheme(args.url),
      method: args.method ?? (args.data === undefined ? 'GET' : 'POST'),
      headers,
      body: args.data,
      insecure: args.insecure,
      followRedirects: args.location,
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      saveBodyTo: args.output,
      // Only a terminal shows the body from memory; a pipe or a file gets it as it arrives.
      maxBodyBytes: toTerminal ? undefined : 0,
      onBodyChunk: streamBody ? (chunk) => written(stdout, chunk) : undefined,
      onTranscript(line) {
        stderr.write(transcriptText(line) + '\n');
      },
      signal: io.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, io.signal]),
    });
    const {response} = result;
    if (response !== undefined && toTerminal) {
      const {lines} = describeBody(response, {formatJson: false});
      if (lines.length > 0) stdout.write(lines.join('\n') + '\n');
    }
    stderr.write(timingSummary(result.timings, '  ') + '\n');
    if (outputError !== undefined) {
      return await refuse(`cannot write the body to stdout: ${outputError.message}`, 1);
    }
    if (result.error !== undefined) {
      return await refuse(result.error.message, usageErrors.has(result.error.code) ? 2 : 1);
    }
    await flushed(stdout);
    await flushed(stderr);
    return 0;
  } finally {
    stdout.off('error', onOutputError);
  }
}

/** As curl: a URL without a scheme is taken as http. */
function withScheme(url: string): string {
  const trimmed = url.trim();
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** Writes a chunk; when the stream is full, a promise that settles once it has drained. */
function written(stream: CommandStream, chunk: Uint8Array): Promise<void> | undefined {
  if (stream.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const drained = () => {
      stream.off('error', failed);
      resolve();
    };
    const failed = (error: Error) => {
      stream.off('drain', drained);
      reject(error);
    };
    stream.once('drain', drained);
    stream.once('error', failed);
  });
}

/** Resolves once everything written so far has been handed on, so an exit right after loses nothing. */
function flushed(stream: CommandStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}
