/**
 * Terminal columns of a text, remembered: a frame measures the same cells, sparklines and titles
 * as the last one, and measuring anything beyond ASCII walks the Unicode segmenter each time.
 */
import stringWidth from 'string-width';

/** A map that forgets everything once it holds `limit` entries: frames reuse, never hoard. */
export class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string, make: (key: string) => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      value = make(key);
      this.map.set(key, value);
    }
    return value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }
}

const widths = new Memo<number>(8000);

/** Columns `text` takes on a terminal (wide characters two, escape sequences none). */
export function textWidth(text: string): number {
  // Long texts are measured once and not kept: a pasted megabyte must not sit in the memo.
  return text.length > 512 ? stringWidth(text) : widths.get(text, stringWidth);
}

const blockWidths = new Memo<number>(2000);

function measureWidestLine(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, textWidth(line));
  return widest;
}

/**
 * Columns of the widest line of `text`, remembered. Ink asks this of every text node in every
 * frame, of the same rows as last frame; the bundle gives Ink this in place of `widest-line`.
 */
export default function widestLine(text: string): number {
  return text.length > 512 ? measureWidestLine(text) : blockWidths.get(text, measureWidestLine);
}
