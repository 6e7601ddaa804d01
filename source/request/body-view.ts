/**
 * How a response body is shown: JSON re-indented, text as safe lines, anything else as a short
 * summary and a hex view. Pure; every line returned is safe to put on a terminal.
 */
import {formatBytes} from '../format.js';
import {sanitizeLine, sanitizeLines} from '../sanitize.js';
import type {HttpResponse} from './types.js';

export type BodyKind = 'json' | 'text' | 'binary' | 'empty';
export type BodyView = {kind: BodyKind; lines: string[]};

export type BodySource = Pick<
  HttpResponse,
  'body' | 'bodyBytes' | 'bodyTruncated' | 'contentType'
> &
  Partial<Pick<HttpResponse, 'bodyBytesIsLowerBound' | 'wireBytes'>>;

export type DescribeOptions = {
  /** Re-indent JSON with two spaces (default true); false shows it as the server sent it. */
  formatJson?: boolean;
};

const hexViewBytes = 256;
const sniffChars = 8192;

const textualType =
  /^text\/|[+/](json|xml)\b|javascript|ecmascript|x-www-form-urlencoded|svg|yaml|csv|graphql|x-ndjson/;
const binaryType =
  /^(image|audio|video|font|model)\/|^application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|x-bzip2|x-xz|zstd|wasm|x-protobuf|protobuf|grpc|vnd\.|x-msdownload|java-archive)/;
const jsonType = /^application\/json\b|[+/]json\b|^application\/x-ndjson/;

export function describeBody(response: BodySource, options: DescribeOptions = {}): BodyView {
  const {body} = response;
  if (body.length === 0 && response.bodyBytes === 0) return {kind: 'empty', lines: []};
  const mediaType = mediaTypeOf(response.contentType);
  const note = truncationNote(response);
  const declaredText = mediaType !== undefined && textualType.test(mediaType);
  const declaredBinary = !declaredText && mediaType !== undefined && binaryType.test(mediaType);
  const text = declaredBinary ? undefined : decodeText(body, response.contentType);
  if (text === undefined || looksBinary(body, text)) {
    return {kind: 'binary', lines: [...binarySummary(response, mediaType), ...note]};
  }
  const wantsJson = options.formatJson ?? true;
  if (wantsJson && (jsonType.test(mediaType ?? '') || /^\s*[[{]/.test(text))) {
    const pretty = reindentJson(text);
    if (pretty !== undefined) return {kind: 'json', lines: [...sanitizeLines(pretty), ...note]};
  }
  const lines = sanitizeLines(text);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return {kind: 'text', lines: [...lines, ...note]};
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

function decodeText(body: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset="?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // An unknown charset is read as UTF-8, the web's default.
    }
  }
  return new TextDecoder('utf-8').decode(body);
}

/** NUL bytes, or more than one character in ten neither printable nor layout, make a body binary. */
function looksBinary(body: Uint8Array, text: string): boolean {
  if (body.subarray(0, sniffChars).includes(0)) return true;
  const sample = text.slice(0, sniffChars);
  if (sample.length === 0) return false;
  let odd = 0;
  for (const char of sample) {
    const code = char.charCodeAt(0);
    const control = code < 0x20 && !'\t\n\r\f\v\u001b'.includes(char);
    if (control || code === 0x7f || char === '\ufffd') odd++;
  }
  return odd / sample.length > 0.1;
}

function binarySummary(response: BodySource, mediaType: string | undefined): string[] {
  const parts = ['binary'];
  if (mediaType !== undefined) parts.push(sanitizeLine(mediaType));
  parts.push(formatBytes(response.bodyBytes));
  return [parts.join(', '), '', ...hexView(response.body.subarray(0, hexViewBytes))];
}

/** `00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|`, as hexdump -C. */
export function hexView(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    let hex = '';
    let ascii = '';
    for (let index = 0; index < 16; index++) {
      const byte = row[index];
      if (index === 8) hex += ' ';
      hex += byte === undefined ? '   ' : byte.toString(16).padStart(2, '0') + ' ';
      if (byte !== undefined)
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines;
}

function truncationNote(response: BodySource): string[] {
  if (!response.bodyTruncated) return [];
  const shown = formatBytes(response.body.length);
  if (response.bodyBytesIsLowerBound === true) {
    const wire =
      response.wireBytes === undefined ? '' : ` (${formatBytes(response.wireBytes)} on the wire)`;
    return [`… first ${shown} shown; the rest was not decoded${wire}`];
  }
  return [`… ${shown} of ${formatBytes(response.bodyBytes)} shown`];
}

/**
 * JSON re-indented with two spaces, token by token, so numbers and string escapes keep the
 * spelling the server used (JSON.parse would round big integers). Undefined when it is not JSON.
 */
export function reindentJson(text: string): string | undefined {
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  try {
    JSON.parse(source);
  } catch {
    return undefined;
  }
  let out = '';
  let depth = 0;
  const newline = () => '\n' + '  '.repeat(depth);
  for (let index = 0; index < source.length; index++) {
    const char = source[index] ?? '';
    if (char === '"') {
      let end = index + 1;
      while (end < source.length && source[end] !== '"') end += source[end] === '\\' ? 2 : 1;
      out += source.slice(index, end + 1);
      index = end;
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      let next = index + 1;
      while (/\s/.test(source[next] ?? '')) next++;
      if (source[next] === close) {
        out += char + close;
        index = next;
      } else {
        depth++;
        out += char + newline();
      }
    } else if (char === '}' || char === ']') {
      depth--;
      out += newline() + char;
    } else if (char === ',') {
      out += ',' + newline();
    } else if (char === ':') {
      out += ': ';
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}
