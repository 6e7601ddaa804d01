/** Column layout for the panes' tables: columns drop by priority until the row fits the width. */
import {textWidth} from './text-width.js';
import {wholeSlice} from './request/text-edit.js';

export type Column<Key extends string = string> = {
  key: Key;
  title: string;
  width: number;
  /** Lower numbers are kept longest; 0 is never dropped. */
  priority: number;
  align?: 'left' | 'right';
  /** Takes the width left over (one column per table), up to `maxWidth`. */
  grow?: boolean;
  maxWidth?: number;
};

export type PlacedColumn<Key extends string = string> = Column<Key> & {width: number};

const gap = 1;

/** The columns that fit in `width` columns of terminal, the growing one widened to fill it. */
export function fitColumns<Key extends string>(
  columns: readonly Column<Key>[],
  width: number,
): PlacedColumn<Key>[] {
  let kept = [...columns];
  const total = (list: Column<Key>[]) =>
    list.reduce((sum, column) => sum + column.width, 0) + gap * Math.max(0, list.length - 1);
  while (total(kept) > width && kept.some((column) => column.priority > 0)) {
    // Of columns equally dispensable, the rightmost goes first (TX before RX).
    const drop = kept.reduce((worst, column) =>
      column.priority >= worst.priority ? column : worst,
    );
    kept = kept.filter((column) => column !== drop);
  }
  const spare = Math.max(0, width - total(kept));
  const placed = kept.map((column) => ({...column}));
  const grower = placed.find((column) => column.grow) ?? placed.at(-1);
  if (grower)
    grower.width = Math.min(
      grower.width + spare,
      Math.max(grower.width, grower.maxWidth ?? Infinity),
    );
  const overflow = total(placed) - width;
  if (overflow > 0 && grower) grower.width = Math.max(1, grower.width - overflow);
  return placed;
}

/**
 * At most a screenful of one line. Ink's cost to truncate a line grows faster than its length: a
 * 30 kB line of wide text took it a second per frame and a 130 kB one over a minute (a minified
 * body, a long status text), so what cannot be seen in `width` columns is cut before Ink gets it.
 */
export function screenful(text: string, width: number): string {
  const limit = Math.max(0, width) * 4 + 16;
  return text.length > limit ? wholeSlice(text, 0, limit) : text;
}

/** Cuts or pads text to exactly `width` terminal columns, measuring wide characters as two. */
export function fitCell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  // Never measure more than a screenful: a pasted megabyte must not cost a megabyte per frame.
  const sample = text.length > width * 4 + 16 ? text.slice(0, width * 4 + 16) : text;
  let measured = sample === text ? textWidth(text) : Infinity;
  let fitted = text;
  if (measured > width) {
    fitted = '';
    measured = 0;
    for (const char of sample) {
      const charWidth = textWidth(char);
      if (measured + charWidth > width - 1) break;
      fitted += char;
      measured += charWidth;
    }
    fitted += '…';
    measured += 1;
  }
  const padding = ' '.repeat(Math.max(0, width - measured));
  return align === 'right' ? padding + fitted : fitted + padding;
}

export const columnGap = ' '.repeat(gap);
