/**
 * Cutting a cell's text to its column so that what is kept still says something: the end of a
 * text is cut by default (table.ts), but an address loses its middle, never its port, and a
 * reach keeps its network word and its count of other addresses. An ellipsis marks every cut.
 */
import {textWidth} from '../ink/text-width.js';

export const ellipsis = '…';

/** Cuts text to at most `width` columns, from the end. */
function keepStart(text: string, width: number): string {
  let kept = '';
  let measured = 0;
  for (const char of text) {
    const charWidth = textWidth(char);
    if (measured + charWidth > width) break;
    kept += char;
    measured += charWidth;
  }
  return kept;
}

/** Cuts text to at most `width` columns, from the start. */
function keepEnd(text: string, width: number): string {
  const chars = [...text];
  let kept = '';
  let measured = 0;
  for (let index = chars.length - 1; index >= 0; index--) {
    const charWidth = textWidth(chars[index]!);
    if (measured + charWidth > width) break;
    kept = chars[index]! + kept;
    measured += charWidth;
  }
  return kept;
}

/** The end cut: as many leading characters as fit with `…`. */
export function cutEnd(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  return keepStart(text, width - 1) + ellipsis;
}

/**
 * `2001:db8:85a3::8a2e:370:7334` in 14 columns is `2001:d…0:7334`: the start and the end kept
 * (the end gets the odd column: an address's last groups tell hosts of one network apart).
 */
export function cutMiddle(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  const room = width - 1;
  const head = keepStart(text, Math.floor(room / 2));
  const tail = keepEnd(text, room - textWidth(head));
  return head + ellipsis + tail;
}

/**
 * An address and port as the tables write them (`10.0.0.5:8080`, `[2001:db8::1]:8443`, `*:*`):
 * the address loses its middle, the port and the closing bracket stay, `[2001:d…:1]:8443`. When
 * not even the port fits beside one character of the address, the end is cut as any text.
 */
export function cutEndpoint(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const colon = text.lastIndexOf(':');
  const split = colon > 0 && text[colon - 1] === ']' ? colon - 1 : colon;
  if (split <= 0) return cutMiddle(text, width);
  const address = text.slice(0, split);
  const port = text.slice(split);
  const room = width - textWidth(port);
  if (room < 2) return cutEnd(text, width);
  return cutMiddle(address, room) + port;
}

/**
 * A reach in words (`LAN 192.168.100.200 +2`, reach.ts): the network word and the count of other
 * addresses stay, the address loses its middle, `LAN 192.…0.200 +2`; with no room for any of the
 * address, the words alone, `LAN +2`.
 */
export function cutReach(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  // The firewall's word is the last to go: `LAN 10.…5 · filtered`.
  const verdict = / · (?:IPv[46] )?filtered$/.exec(text);
  if (verdict && !text.startsWith(verdict[0])) {
    const room = width - textWidth(verdict[0]);
    const rest = text.slice(0, verdict.index);
    if (room >= 4) return cutReach(rest, room) + verdict[0];
  }
  const parts = /^(\S+ )(\S+)( \+\d+)?$/.exec(text);
  if (!parts) return cutEnd(text, width);
  const [, word = '', address = '', more = ''] = parts;
  const room = width - textWidth(word) - textWidth(more);
  if (room >= 4) return word + cutMiddle(address, room) + more;
  const words = word.trimEnd() + more;
  return textWidth(words) <= width ? words : cutEnd(text, width);
}
