/**
 * Where `porthole request` puts a response, as curl does: the body (and with -i the head) to
 * stdout, to -o FILE or to -O's name from the URL. A pipe or a file gets the bytes as they came;
 * a terminal gets them made safe to show. Writes happen in order, each after the one before.
 */
import {closeSync, openSync, writeSync} from 'node:fs';
import {access, constants, stat} from 'node:fs/promises';
import path from 'node:path';
import type {OutputOptions} from '../request/curl/types.js';
import type {CommandStream} from './request-command.js';

export type OutputTarget = {kind: 'stdout'} | {kind: 'file'; file: string};

/** The last segment of a URL's path, as curl -O names its file; undefined when there is none. */
export function remoteFileName(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const name = pathname.slice(pathname.lastIndexOf('/') + 1);
  return name === '' || name === '.' || name === '..' ? undefined : name;
}

/**
 * Where the body goes, checked before anything is sent: a file's folder must exist and be
 * writable, because a request whose answer cannot be kept is better not made.
 */
export async function outputTarget(
  output: OutputOptions,
  url: string,
  cwd: string,
): Promise<OutputTarget | string> {
  let file: string;
  if (output.output !== undefined) {
    if (output.output === '-') return {kind: 'stdout'};
    file = output.output;
  } else if (output.remoteName) {
    const name = remoteFileName(url);
    if (name === undefined) return `-O: the URL has no file name to save as: ${url}`;
    file = name;
  } else return {kind: 'stdout'};
  const full = path.resolve(cwd, file);
  const folder = path.dirname(full);
  const folderKind = await stat(folder).then(
    (info) => (info.isDirectory() ? 'folder' : 'file'),
    () => 'none',
  );
  if (folderKind !== 'folder') return `cannot write ${file}: no such directory`;
  const existing = await stat(full).catch(() => undefined);
  if (existing?.isDirectory() === true) return `cannot write ${file}: it is a directory`;
  const writable = await access(existing === undefined ? folder : full, constants.W_OK).then(
    () => true,
    () => false,
  );
  if (!writable) return `cannot write ${file}: permission denied`;
  return {kind: 'file', file: full};
}

/** Ordered writes to one place; a failed write fails every later one with the same error. */
export type BodySink = {
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the output; with `keep` a file is created even when nothing was written (an empty body). */
  close(keep: boolean): Promise<void>;
};

export function streamSink(stream: CommandStream): BodySink {
  let queue: Promise<void> = Promise.resolve();
  return {
    write(bytes) {
      queue = queue.then(() => written(stream, bytes));
      return queue;
    },
    close: () => queue,
  };
}

/**
 * A file opened at the first byte (mode 0600 when new), so a failed exchange leaves no file.
 * Written synchronously, as curl writes: a thread-pool round trip per chunk would land inside
 * the download phase of the timings this command reports.
 */
export function fileSink(file: string): BodySink {
  let fd: number | undefined;
  let failure: Error | undefined;
  const opened = () => (fd ??= openSync(file, 'w', 0o600));
  const attempt = (action: () => void): Promise<void> => {
    if (failure !== undefined) return Promise.reject(failure);
    try {
      action();
      return Promise.resolve();
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      return Promise.reject(failure);
    }
  };
  return {
    write: (bytes) =>
      attempt(() => {
        const handle = opened();
        for (let offset = 0; offset < bytes.length;) {
          offset += writeSync(handle, bytes, offset, bytes.length - offset);
        }
      }),
    close: (keep) =>
      attempt(() => {
        if (fd === undefined && !keep) return;
        closeSync(opened());
      }),
  };
}

/** Writes a chunk; when the stream is full, settles once it has drained. */
export function written(stream: CommandStream, chunk: Uint8Array | string): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
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
export function flushed(stream: CommandStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

/**
 * Gathers the response heads (`<` lines) of an exchange as -i prints them: each head's lines
 * with CRLF and a blank line after, redirects' and 100 Continue's heads included.
 */
export function headCollector() {
  let lines: string[] = [];
  let status = 0;
  return {
    /** Takes one received transcript line; returns a head once its blank line arrives. */
    take(text: string): string[] | undefined {
      if (lines.length === 0) status = Number(/^HTTP\/\S+ (\d{3})/.exec(text)?.[1] ?? 0);
      if (text !== '') {
        lines.push(text);
        return undefined;
      }
      const head = lines;
      lines = [];
      return head;
    },
    /** The status of the latest head begun. */
    status: () => status,
  };
}
