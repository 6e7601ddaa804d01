/**
 * Ink's measureText, with a memo that forgets: Ink's own keeps every text it ever measured in a
 * Map that never lets go, and a stream's log draws new lines all the time. Soak at 1,000
 * WebSocket messages a second: the heap after a full collection grew 2.2 MiB a minute, 22,588
 * strings and 21,584 objects in two minutes, those lines and their sizes. The bundle gives Ink
 * this in place of its build/measure-text.js (patches.mjs).
 */
import widestLine, {Memo} from './text-width.js';

type Dimensions = {width: number; height: number};

const empty: Dimensions = {width: 0, height: 0};
const dimensions = new Memo<Dimensions>(4000);

function measure(text: string): Dimensions {
  return {width: widestLine(text), height: text.split('\n').length};
}

export default function measureText(text: string): Dimensions {
  if (text.length === 0) return empty;
  // Long texts are measured, not kept (as textWidth does).
  return text.length > 512 ? measure(text) : dimensions.get(text, measure);
}

/** Whether the size of `text` is kept: how a test tells that Ink measures with this. */
export function remembersSize(text: string): boolean {
  return dimensions.has(text);
}
