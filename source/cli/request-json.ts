/**
 * `porthole request --json-result`: the whole RequestResult as one JSON document, so a script
 * gets the status, the headers, the timings, the TLS session and every event without parsing
 * text. The body is text when it is UTF-8 and base64 otherwise (`encoding` says which); a field
 * with no value is null, never missing, so every documented key is always there.
 */
import type {HttpResponse, RequestResult} from '../request/types.js';

/** The response as the JSON has it: the body as text or base64 instead of bytes. */
export type JsonResponse = Omit<HttpResponse, 'body'> & {
  body: string;
  encoding: 'utf8' | 'base64';
};

export type JsonResult = Omit<RequestResult, 'response' | 'upgraded'> & {
  response: JsonResponse | undefined;
};

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

/**
 * UTF-8 text, or base64. A body cut at maxBodyBytes may end inside a character: it is text when
 * all but that last character's first bytes is, and ends at the last whole character.
 */
function bodyText(
  body: Uint8Array,
  truncated: boolean,
): {body: string; encoding: 'utf8' | 'base64'} {
  for (let cut = 0; cut <= (truncated ? Math.min(3, body.length) : 0); cut++) {
    try {
      return {body: utf8.decode(body.subarray(0, body.length - cut)), encoding: 'utf8'};
    } catch {
      // Not text this far: one byte less, or base64.
    }
  }
  return {body: Buffer.from(body).toString('base64'), encoding: 'base64'};
}

export function jsonResult(whole: RequestResult): JsonResult {
  // A connection handed over after a 101 is not data.
  const result = {...whole};
  delete result.upgraded;
  const {response} = result;
  if (response === undefined) return {...result, response: undefined};
  // The body and its encoding take the body's place, so the keys read in the documented order.
  const entries = Object.entries(response).flatMap(([key, value]) =>
    key === 'body'
      ? Object.entries(bodyText(response.body, response.bodyTruncated))
      : [[key, value] as const],
  );
  return {...result, response: Object.fromEntries(entries) as JsonResponse};
}

/**
 * What JSON.stringify leaves as it is but a terminal may obey or hide (C1 controls, DEL, bidi
 * overrides, zero-width marks), written as \u escapes: the same JSON, safe to print anywhere.
 */
const unsafe =
  /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/** The result as one line of JSON with a newline after it. */
export function requestResultJson(result: RequestResult): string {
  return jsonLine(jsonResult(result));
}

/** Any value as one line of JSON (undefined written as null) with a newline after it, safe to print. */
export function jsonLine(value: unknown): string {
  const text = JSON.stringify(value, (_key, each: unknown) => (each === undefined ? null : each));
  return (
    text.replace(unsafe, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
  );
}
