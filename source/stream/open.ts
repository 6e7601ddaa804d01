/**
 * The one way in to streams: a WebSocket for ws:// and wss:// URLs or a request that asks to
 * upgrade to one, an event stream or a live body for anything else (which of the two is up to
 * the answer's Content-Type).
 */
import {openHttpStream} from './http-stream.js';
import type {StreamOptions, StreamSession} from './types.js';
import {openWebSocket} from './websocket.js';

export function openStream(options: StreamOptions): StreamSession {
  return isWebSocketRequest(options) ? openWebSocket(options) : openHttpStream(options);
}

/** A ws:// or wss:// URL, or an `Upgrade: websocket` header in either headers form. */
export function isWebSocketRequest(options: Pick<StreamOptions, 'url' | 'headers'>): boolean {
  if (/^\s*wss?:\/\//i.test(options.url)) return true;
  const headers = options.headers;
  const pairs: Array<readonly [string, string]> = Array.isArray(headers)
    ? headers.map(([name, value]) => [name, value] as const)
    : Object.entries(headers ?? {});
  return pairs.some(
    ([name, value]) =>
      name.trim().toLowerCase() === 'upgrade' &&
      value.split(',').some((token) => token.trim().toLowerCase().split('/')[0] === 'websocket'),
  );
}
