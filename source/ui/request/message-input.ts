/**
 * What a line typed under a WebSocket's messages means: text to send, `hex:` bytes to send as a
 * binary message, or one of the line's commands (`/ping`, `/close CODE REASON`). Pure.
 */
import {sendableCloseCode} from '../../stream/close-codes.js';

/** Typed before hex digits, a line is sent as a binary message. */
export const binaryPrefix = 'hex:';

export type MessageInput =
  | {send: 'text'; text: string}
  | {send: 'binary'; bytes: Uint8Array}
  | {send: 'ping'}
  | {send: 'close'; code: number; reason: string}
  | {problem: string};

/** A close reason is at most 123 bytes (the frame's 125 less the code). */
const maxReasonBytes = 123;

export function readMessageInput(line: string): MessageInput {
  if (line.startsWith(binaryPrefix)) return hexBytes(line.slice(binaryPrefix.length));
  const command = /^\/(ping|close)(?:\s+(.*))?$/.exec(line.trim());
  if (!command) return {send: 'text', text: line};
  if (command[1] === 'ping') return {send: 'ping'};
  const [codeText, ...words] = (command[2] ?? '').trim().split(/\s+/).filter(Boolean);
  if (codeText === undefined) return {send: 'close', code: 1000, reason: ''};
  const code = /^\d{1,4}$/.test(codeText) ? Number(codeText) : Number.NaN;
  if (!sendableCloseCode(code)) {
    return {
      problem: `close code ${codeText} cannot be sent: 1000-1003, 1007-1014 or 3000-4999 (/close 4000 reason)`,
    };
  }
  const reason = words.join(' ');
  if (Buffer.byteLength(reason) > maxReasonBytes) {
    return {problem: `a close reason is at most ${maxReasonBytes} bytes`};
  }
  return {send: 'close', code, reason};
}

/** `0a 1b ff`, `0a1bff`, `0a:1b:ff` → the bytes; anything else a one-line problem. */
function hexBytes(text: string): MessageInput {
  const digits = text.replace(/[\s:]/g, '');
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad) return {problem: `not hex: '${bad[0]}' (${binaryPrefix}0a1bff, two digits a byte)`};
  if (digits.length % 2 === 1) {
    return {problem: `odd number of hex digits (${digits.length}): two digits a byte`};
  }
  return {send: 'binary', bytes: Uint8Array.from(Buffer.from(digits, 'hex'))};
}
