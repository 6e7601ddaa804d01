/**
 * Reading a response body with bounded memory: at most maxBodyBytes of the decoded body is kept,
 * the rest is counted. Content-Encoding is decoded as it arrives; when nothing streams the body,
 * decoding stops at the cap (a compression bomb then costs neither memory nor CPU) while the
 * bytes on the wire are still read and counted to the end.
 */
import type {Readable, Transform} from 'node:stream';
import zlib from 'node:zlib';
import {Decompress} from 'fzstd';
import {RequestFailure} from './errors.js';

export type Coding = 'gzip' | 'x-gzip' | 'deflate' | 'br' | 'zstd';

/**
 * Node 20's zlib has no zstd, so a pure-JS decoder is fed the body this many bytes at a time: it
 * decodes synchronously, and a zstd block of 4 bytes can stand for 128 KiB, so a slice of 1 KiB
 * yields at most 32 MiB before the cap or the consumer is asked again.
 */
const zstdSlice = 1024;

export type BodyState = {
  kept: Buffer[];
  keptBytes: number;
  bodyBytes: number;
  wireBytes: number;
  truncated: boolean;
  lowerBound: boolean;
};

export type BodyOptions = {
  maxBodyBytes: number;
  /** Every decoded chunk; a returned promise holds the next chunk back until it settles. */
  consumer: ((chunk: Buffer) => Promise<void> | undefined) | undefined;
};

export function emptyBody(): BodyState {
  return {kept: [], keptBytes: 0, bodyBytes: 0, wireBytes: 0, truncated: false, lowerBound: false};
}

/** The one Content-Encoding this engine decodes, or undefined (identity, unknown, or several). */
export function codingOf(contentEncoding: string | undefined): Coding | undefined {
  const coding = contentEncoding?.trim().toLowerCase();
  return coding === 'gzip' ||
    coding === 'x-gzip' ||
    coding === 'deflate' ||
    coding === 'br' ||
    coding === 'zstd'
    ? coding
    : undefined;
}

export async function readBody(
  source: Readable,
  coding: Coding | undefined,
  state: BodyState,
  options: BodyOptions,
): Promise<void> {
  const take = async (chunk: Buffer) => {
    state.bodyBytes += chunk.length;
    const room = options.maxBodyBytes - state.keptBytes;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      state.kept.push(Buffer.from(part));
      state.keptBytes += part.length;
    }
    if (state.bodyBytes > state.keptBytes) state.truncated = true;
    const pending = options.consumer?.(chunk);
    if (pending !== undefined) await pending;
  };

  if (coding === undefined) {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      state.wireBytes += chunk.length;
      await take(chunk);
    }
    return;
  }

  const streaming = options.consumer !== undefined;
  if (coding === 'zstd') {
    await readZstd(source, state, take, streaming ? Infinity : options.maxBodyBytes);
    return;
  }
  let decoder: Transform | undefined;
  let draining: Promise<void> | undefined;
  let decoding = true;
  const drain = async (from: Transform) => {
    try {
      for await (const chunk of from as AsyncIterable<Buffer>) {
        await take(chunk);
        if (!streaming && state.keptBytes >= options.maxBodyBytes) {
          decoding = false;
          state.lowerBound = true;
          state.truncated = true;
          break;
        }
      }
    } catch (error) {
      if (error instanceof RequestFailure) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new RequestFailure('protocol', `the ${coding} body could not be decoded: ${reason}`);
    }
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      state.wireBytes += chunk.length;
      if (!decoding) continue;
      if (decoder === undefined) {
        const started = createDecoder(coding, chunk);
        decoder = started;
        draining = drain(started);
        // A decoding failure ends the read loop too, with the same error.
        draining.catch((error: unknown) => source.destroy(error as Error));
      }
      if (!decoder.write(chunk)) await drainedOrClosed(decoder);
    }
    if (decoding) decoder?.end();
    await draining;
  } catch (error) {
    decoder?.destroy();
    throw error;
  }
}

async function readZstd(
  source: Readable,
  state: BodyState,
  take: (chunk: Buffer) => Promise<void>,
  cap: number,
): Promise<void> {
  const decoded: Buffer[] = [];
  const decoder = new Decompress((data) => {
    if (data.length > 0) decoded.push(Buffer.from(data));
  });
  let decoding = true;
  const taken = async () => {
    for (const chunk of decoded.splice(0)) {
      await take(chunk);
      if (state.keptBytes >= cap) {
        decoding = false;
        state.lowerBound = true;
        state.truncated = true;
        return;
      }
    }
  };
  const failed = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    return new RequestFailure('protocol', `the zstd body could not be decoded: ${reason}`);
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    state.wireBytes += chunk.length;
    for (let offset = 0; decoding && offset < chunk.length; offset += zstdSlice) {
      try {
        decoder.push(chunk.subarray(offset, offset + zstdSlice));
      } catch (error) {
        throw failed(error);
      }
      await taken();
    }
  }
  if (!decoding) return;
  try {
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    // Lenient at the end, as with the other codings: a stream cut short yields what it had.
    if ((error as {code?: unknown}).code !== 5) throw failed(error);
  }
  await taken();
}

function drainedOrClosed(stream: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function createDecoder(coding: Exclude<Coding, 'zstd'>, first: Buffer): Transform {
  // Lenient at the end, as browsers are: a stream cut short yields what it had.
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip({finishFlush: zlib.constants.Z_SYNC_FLUSH});
    case 'deflate':
      // Some servers send raw deflate under this name; a zlib header tells them apart.
      return hasZlibHeader(first)
        ? zlib.createInflate({finishFlush: zlib.constants.Z_SYNC_FLUSH})
        : zlib.createInflateRaw({finishFlush: zlib.constants.Z_SYNC_FLUSH});
    case 'br':
      return zlib.createBrotliDecompress({finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH});
  }
}

function hasZlibHeader(bytes: Buffer): boolean {
  const [method, flags] = bytes;
  return (
    method !== undefined &&
    flags !== undefined &&
    (method & 0x0f) === 8 &&
    ((method << 8) | flags) % 31 === 0
  );
}
