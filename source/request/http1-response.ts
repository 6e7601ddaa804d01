/**
 * A lenient HTTP/1.x response reader, fed the socket's chunks as they come. It reads what curl
 * reads: a status line with or without a reason, lines ending in CRLF or a bare LF, folded header
 * lines, control characters in values, 1xx responses before the final one, and bodies framed by
 * chunked coding, Content-Length or the end of the connection. What breaks the rules but can be
 * read becomes a warning; only bytes that are not an HTTP response at all are an error.
 */
import {receivedSoFar, RequestFailure} from './errors.js';
import type {ReadHead} from './events.js';
import type {HeaderList} from './types.js';

/** A head as read (headers in the order and spelling received, folded lines joined). */
export type ResponseHead = ReadHead;

export type ResponseEvents = {
  /** A head: 1xx ones (informational) and then the final one. */
  head(head: ResponseHead, informational: boolean): void;
  body(chunk: Buffer): void;
  /** Trailer lines of a chunked body, as received. */
  trailer(line: string): void;
  /** Something about the body that did not stop it being read. */
  warning(text: string): void;
  /** The body is complete as framed (or there is none). */
  end(): void;
};

export type ResponseReaderOptions = {
  /** The request's method: a HEAD response has no body. */
  method: string;
  maxHeaderBytes: number;
  /** `host:port`, for messages. */
  where: string;
};

/** Thrown for a response that cannot be read; `received` holds the head bytes that came. */
export class ResponseFailure extends RequestFailure {
  readonly received: Buffer;

  constructor(code: 'protocol' | 'headers-too-large' | 'reset', message: string, received: Buffer) {
    super(code, message);
    this.received = received;
  }
}

type Framing =
  | {kind: 'none'}
  | {kind: 'length'; remaining: number; length: number}
  | {kind: 'chunked'}
  | {kind: 'close'};

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'done';

const statusLine = /^HTTP\/(\d+(?:\.\d+)?)[ \t]+(\d{3})(?:[ \t](.*))?$/;
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values allow HTAB, visible ASCII and obs-text (RFC 9110 §5.5).
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const controlCharacter = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const utf8 = new TextDecoder('utf-8', {fatal: true});
const maxChunkLine = 4096;

/**
 * An HTTP/2 server answers an HTTP/1.1 request with a frame: a 3-byte length, then the type
 * (4 SETTINGS, 7 GOAWAY) and flags, then a stream id of 0. Said, with what to do about it.
 */
function http2Hint(received: Buffer): string {
  const type = received[3];
  const looksLikeFrame =
    received.length >= 9 &&
    (type === 0x04 || type === 0x07) &&
    received.readUInt32BE(5) === 0 &&
    received.readUIntBE(0, 3) <= received.length;
  return looksLikeFrame
    ? ': it answered with HTTP/2 frames (h2c): try --http2-prior-knowledge'
    : '';
}

/**
 * Header bytes are read one character per byte; a value that is valid UTF-8, as servers send
 * names and file names, is read as UTF-8, as curl's output reads on a UTF-8 terminal; any other
 * is kept byte for byte.
 */
export function textOfBytes(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  if (!/[\u0080-\u00ff]/.test(latin1)) return latin1;
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1;
  }
}

export class ResponseReader {
  private readonly options: ResponseReaderOptions;
  private readonly events: ResponseEvents;
  private state: State = 'head';
  private pending: Buffer = Buffer.alloc(0);
  /** Header bytes of the head being read, for the size cap. */
  private headBytes = 0;
  private headLines: Buffer[] = [];
  private framing: Framing = {kind: 'close'};
  private chunkRemaining = 0;
  private trailerBytes = 0;
  /** Body bytes on the wire so far (chunk framing not counted). */
  received = 0;
  /** Bytes that came after the end of a Content-Length body. */
  extra = 0;
  /** The final head was a 101: what follows it is the new protocol's, kept in `after`. */
  switched = false;
  /** After a 101, the bytes read past its head. */
  readonly after: Buffer[] = [];

  constructor(options: ResponseReaderOptions, events: ResponseEvents) {
    this.options = options;
    this.events = events;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether the final head has been read. */
  get headRead(): boolean {
    return this.state !== 'head';
  }

  /**
   * Whether the connection can carry another request: the body ended by its framing (not by
   * the connection closing), nothing came after it, and the head did not ask to close.
   */
  get reusable(): boolean {
    return (
      this.done &&
      !this.switched &&
      this.framing.kind !== 'close' &&
      this.extra === 0 &&
      this.pending.length === 0
    );
  }

  /** The Content-Length being read to, if the body is framed by one. */
  get expected(): number | undefined {
    return this.framing.kind === 'length' ? this.framing.length : undefined;
  }

  feed(chunk: Buffer): void {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.state === 'done') {
        if (this.switched) this.after.push(Buffer.from(data));
        else this.extra += data.length;
        return;
      }
      const used = this.step(data);
      if (used === 0) {
        this.pending = Buffer.from(data);
        return;
      }
      data = data.subarray(used);
    }
  }

  /** The warning for bytes that came after a Content-Length body, if any did. */
  excessWarning(): string | undefined {
    if (this.extra === 0 || this.framing.kind !== 'length') return undefined;
    return `${this.extra} bytes after the body's Content-Length of ${this.framing.length} were ignored`;
  }

  /** The warning for a body the connection cut short. */
  shortWarning(): string {
    return this.framing.kind === 'length'
      ? `the body is ${this.framing.length - this.received} bytes shorter than its Content-Length of ${this.framing.length}`
      : 'the chunked body ended before its last chunk';
  }

  /** The connection has ended: a body read to the close ends here, any other is cut short. */
  finish(): void {
    if (this.state === 'done') return;
    if (this.state === 'head') {
      const received = Buffer.concat([...this.headLines, this.pending]);
      if (received.length === 0) {
        throw new ResponseFailure(
          'reset',
          `connection closed by ${this.options.where} before a response arrived`,
          received,
        );
      }
      throw new ResponseFailure(
        'protocol',
        `malformed response from ${this.options.where}: the connection closed inside the response head (${received.length} bytes)${http2Hint(received)}`,
        received,
      );
    }
    if (this.state === 'body' && this.framing.kind === 'close') {
      this.state = 'done';
      this.events.end();
      return;
    }
    this.events.warning(this.shortWarning());
    throw new ResponseFailure(
      'reset',
      `connection to ${this.options.where} closed before the body was complete (${receivedSoFar(this.received, this.expected)})`,
      Buffer.alloc(0),
    );
  }

  /** Takes what it can from data; returns how many bytes it used (0: needs more). */
  private step(data: Buffer): number {
    switch (this.state) {
      case 'head':
        return this.headLine(data);
      case 'body':
        return this.bodyBytes(data);
      case 'chunk-size':
        return this.chunkSize(data);
      case 'chunk-data': {
        const size = Math.min(this.chunkRemaining, data.length);
        this.chunkRemaining -= size;
        this.deliver(data.subarray(0, size));
        if (this.chunkRemaining === 0) this.state = 'chunk-end';
        return size;
      }
      case 'chunk-end':
        return this.chunkEnd(data);
      case 'trailer':
        return this.trailerLine(data);
      case 'done':
        return data.length;
    }
  }

  private headLine(data: Buffer): number {
    const newline = data.indexOf(0x0a);
    const room = this.options.maxHeaderBytes - this.headBytes;
    if (newline === -1 || newline + 1 > room) {
      if (data.length > room || (newline !== -1 && newline + 1 > room)) {
        throw new ResponseFailure(
          'headers-too-large',
          `response headers exceed ${this.options.maxHeaderBytes / 1024} KiB`,
          Buffer.concat([...this.headLines, data.subarray(0, room)]),
        );
      }
      return 0;
    }
    this.headBytes += newline + 1;
    const line = data.subarray(0, newline + 1);
    // Empty lines before the status line are skipped (RFC 9112 §2.2).
    if (
      this.headLines.length === 0 &&
      (line.length === 1 || (line.length === 2 && line[0] === 0x0d))
    ) {
      return line.length;
    }
    this.headLines.push(Buffer.from(line));
    if (newline === 0 || data[newline - 1] !== 0x0d) this.bareLineEnd = true;
    if (this.headLines.length === 1) this.checkStatusLine(line);
    if (line.length === 1 || (line.length === 2 && line[0] === 0x0d)) this.headComplete();
    return newline + 1;
  }

  private checkStatusLine(line: Buffer): void {
    if (!statusLine.test(withoutLineEnd(line).toString('latin1'))) {
      throw new ResponseFailure(
        'protocol',
        `malformed response from ${this.options.where}: not an HTTP response (no status line)${http2Hint(line)}`,
        Buffer.from(line),
      );
    }
  }

  private headComplete(): void {
    const rawLines = this.headLines.slice(0, -1).map(withoutLineEnd);
    this.headLines = [];
    this.headBytes = 0;
    const lines = rawLines.map(textOfBytes);
    const warnings: string[] = [];
    const match = statusLine.exec((rawLines[0] ?? Buffer.alloc(0)).toString('latin1'));
    const status = Number(match?.[2]);
    const headers: HeaderList = [];
    for (const raw of rawLines.slice(1)) {
      const text = textOfBytes(raw);
      if (raw[0] === 0x20 || raw[0] === 0x09) {
        const last = headers.at(-1);
        if (last === undefined) {
          warnings.push(`a folded line with no header before it was ignored: ${text.trim()}`);
        } else {
          last[1] = `${last[1]} ${text.trim()}`.trim();
          warnings.push(`header ${last[0]}: obsolete line folding (joined to the line before)`);
        }
        continue;
      }
      const colon = text.indexOf(':');
      if (colon <= 0) {
        warnings.push(`a line that is not a header was ignored: ${text}`);
        continue;
      }
      const name = text.slice(0, colon);
      const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
      if (!headerName.test(name))
        warnings.push(`header ${name}: the name has characters a name may not have`);
      const bad = controlCharacter.exec(value);
      if (bad !== null) {
        const code = bad[0].charCodeAt(0).toString(16).padStart(2, '0');
        warnings.push(`header ${name}: value has a control character (0x${code})`);
      }
      headers.push([name, value]);
    }
    const bareLineEnds = this.bareLineEnd;
    this.bareLineEnd = false;
    if (bareLineEnds) warnings.unshift('header lines end in a bare LF, not CRLF');
    const head: ResponseHead = {
      httpVersion: match?.[1] ?? '1.1',
      status,
      statusText: textOfBytes(Buffer.from(match?.[3] ?? '', 'latin1')),
      headers,
      lines,
      warnings,
    };
    if (status >= 100 && status < 200 && status !== 101) {
      this.events.head(head, true);
      return;
    }
    this.framing = this.framingOf(head);
    this.switched = status === 101;
    this.state = this.framing.kind === 'chunked' ? 'chunk-size' : 'body';
    this.events.head(head, false);
    if (
      this.framing.kind === 'none' ||
      (this.framing.kind === 'length' && this.framing.length === 0)
    ) {
      this.state = 'done';
      this.events.end();
    }
  }

  /** Whether a line of the head being read ended in LF alone. */
  private bareLineEnd = false;

  private framingOf(head: ResponseHead): Framing {
    const {status, headers, warnings} = head;
    if (this.options.method === 'HEAD' || status === 204 || status === 304 || status === 101) {
      return {kind: 'none'};
    }
    const codings = headers
      .filter(([name]) => name.toLowerCase() === 'transfer-encoding')
      .map(([, value]) => value);
    const lengths = headers
      .filter(([name]) => name.toLowerCase() === 'content-length')
      .flatMap(([, value]) => value.split(','))
      .map((value) => value.trim());
    if (codings.length > 0) {
      if (lengths.length > 0)
        warnings.push('Content-Length ignored: the body has a Transfer-Encoding');
      const last = codings.join(',').split(',').at(-1)?.trim().toLowerCase();
      return last === 'chunked' ? {kind: 'chunked'} : {kind: 'close'};
    }
    if (lengths.length === 0) return {kind: 'close'};
    const valid = lengths.filter(
      (value) => /^\d+$/.test(value) && Number.isSafeInteger(Number(value)),
    );
    const first = valid[0];
    if (first === undefined) {
      warnings.push(
        `Content-Length ${lengths.join(', ')} is not a number: the body is read to the end of the connection`,
      );
      return {kind: 'close'};
    }
    const length = Number(first);
    if (new Set(valid.map(Number)).size > 1 || valid.length < lengths.length) {
      warnings.push(
        `Content-Length given as ${lengths.join(', ')}: the first valid one, ${length}, was used`,
      );
    }
    return {kind: 'length', remaining: length, length};
  }

  private bodyBytes(data: Buffer): number {
    if (this.framing.kind !== 'length') {
      this.deliver(data);
      return data.length;
    }
    const size = Math.min(this.framing.remaining, data.length);
    this.framing.remaining -= size;
    this.deliver(data.subarray(0, size));
    if (this.framing.remaining === 0) {
      this.state = 'done';
      this.extra += data.length - size;
      this.events.end();
      return data.length;
    }
    return size;
  }

  private deliver(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.received += bytes.length;
    this.events.body(bytes);
  }

  private chunkLine(data: Buffer, what: string): Buffer | undefined {
    const newline = data.indexOf(0x0a);
    if (newline === -1) {
      if (data.length > maxChunkLine) {
        throw new ResponseFailure(
          'protocol',
          `malformed response from ${this.options.where}: ${what} longer than ${maxChunkLine} bytes`,
          Buffer.alloc(0),
        );
      }
      return undefined;
    }
    return data.subarray(0, newline + 1);
  }

  private chunkSize(data: Buffer): number {
    const line = this.chunkLine(data, 'a chunk size line');
    if (line === undefined) return 0;
    const text = withoutLineEnd(line).toString('latin1');
    // Chunk extensions (`;name=value`) carry nothing this reader uses.
    const size = text.split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,15}$/.test(size)) {
      throw new ResponseFailure(
        'protocol',
        `malformed response from ${this.options.where}: bad chunk size ${JSON.stringify(text.slice(0, 40))}`,
        Buffer.alloc(0),
      );
    }
    this.chunkRemaining = Number.parseInt(size, 16);
    this.state = this.chunkRemaining === 0 ? 'trailer' : 'chunk-data';
    return line.length;
  }

  private chunkEnd(data: Buffer): number {
    if (data[0] === 0x0a) {
      this.state = 'chunk-size';
      return 1;
    }
    if (data[0] === 0x0d) {
      if (data.length < 2) return 0;
      if (data[1] === 0x0a) {
        this.state = 'chunk-size';
        return 2;
      }
    }
    throw new ResponseFailure(
      'protocol',
      `malformed response from ${this.options.where}: a chunk is longer than its size says`,
      Buffer.alloc(0),
    );
  }

  private trailerLine(data: Buffer): number {
    const line = this.chunkLine(data, 'a trailer line');
    if (line === undefined) return 0;
    this.trailerBytes += line.length;
    if (this.trailerBytes > this.options.maxHeaderBytes) {
      throw new ResponseFailure(
        'headers-too-large',
        `response trailers exceed ${this.options.maxHeaderBytes / 1024} KiB`,
        Buffer.alloc(0),
      );
    }
    const text = withoutLineEnd(line);
    if (text.length === 0) {
      this.state = 'done';
      this.events.end();
    } else {
      this.events.trailer(textOfBytes(text));
    }
    return line.length;
  }
}

function withoutLineEnd(line: Buffer): Buffer {
  let end = line.length;
  if (line[end - 1] === 0x0a) end--;
  if (line[end - 1] === 0x0d) end--;
  return line.subarray(0, end);
}
