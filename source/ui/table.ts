/** Column layout for the panes' tables: columns drop by priority until the row fits the width. */
import {textWidth} from '../ink/text-width.js';
import {wholeSlice} from './request/text-edit.js';

export type Column<Key extends string = string> = {
  key: Key;
  title: string;
  width: number;
  /** Lower numbers are kept longest; 0 is never dropped. */
  priority: number;
  align?: 'left' | 'right';
  /**
   * Takes the width left over, up to `maxWidth`. Of several such columns, each first grows to what
   * its shown cells need (`wants`), in order of priority; what is then left goes to the first.
   */
  grow?: boolean;
  maxWidth?: number;
  /** Columns the widest of its shown cells (title included) takes: a grower grows to it first. */
  wants?: number;
  /**
   * Says little (most cells empty): kept only when every growing column has what its cells need,
   * so its width goes to columns that carry information first.
   */
  yields?: boolean;
  /** How a cell too long for the column is cut (default: its end, with `…`). */
  cut?: (text: string, width: number) => string;
};

export type PlacedColumn<Key extends string = string> = Column<Key> & {width: number};

const gap = 1;

const total = (list: readonly Column[]) =>
  list.reduce((sum, column) => sum + column.width, 0) + gap * Math.max(0, list.length - 1);

/** Drops the most dispensable columns (the rightmost of equals first, TX before RX) until they fit. */
function dropToFit<Key extends string>(columns: readonly Column<Key>[], width: number) {
  let kept = [...columns];
  while (total(kept) > width && kept.some((column) => column.priority > 0)) {
    const drop = kept.reduce((worst, column) =>
      column.priority >= worst.priority ? column : worst,
    );
    kept = kept.filter((column) => column !== drop);
  }
  return kept;
}

/** The kept columns widened into the spare width: first to what their cells need, then beyond. */
function grow<Key extends string>(kept: readonly Column<Key>[], width: number) {
  const placed: PlacedColumn<Key>[] = kept.map((column) => ({...column}));
  const marked = placed.filter((column) => column.grow);
  const last = placed.at(-1);
  const growers = (marked.length > 0 ? marked : last ? [last] : []).sort(
    (a, b) => a.priority - b.priority,
  );
  let spare = Math.max(0, width - total(placed));
  const widen = (column: PlacedColumn<Key>, to: number) => {
    const added = Math.max(0, Math.min(spare, to - column.width));
    column.width += added;
    spare -= added;
  };
  for (const column of growers) {
    widen(column, Math.min(column.wants ?? -1, column.maxWidth ?? Infinity));
  }
  const first = growers[0];
  if (first) widen(first, first.maxWidth ?? Infinity);
  const overflow = total(placed) - width;
  if (overflow > 0 && first) first.width = Math.max(1, first.width - overflow);
  return placed;
}

/** Whether a growing column is narrower than what its cells need. */
const short = (column: PlacedColumn) =>
  column.grow === true && column.width < Math.min(column.wants ?? 0, column.maxWidth ?? Infinity);

/**
 * The columns that fit in `width` columns of terminal, the growing ones widened to fill it. A
 * column that `yields` goes while a growing column is short of what its cells need.
 */
export function fitColumns<Key extends string>(
  columns: readonly Column<Key>[],
  width: number,
): PlacedColumn<Key>[] {
  let candidates = [...columns];
  for (;;) {
    const placed = grow(dropToFit(candidates, width), width);
    const yielding = placed.filter((column) => column.yields);
    if (yielding.length === 0 || !placed.some(short)) return placed;
    const drop = yielding.reduce((worst, column) =>
      column.priority >= worst.priority ? column : worst,
    );
    candidates = candidates.filter((column) => column.key !== drop.key);
  }
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
export function fitCell(
  text: string,
  width: number,
  align: 'left' | 'right' = 'left',
  cut?: (text: string, width: number) => string,
): string {
  if (width <= 0) return '';
  // Never measure more than a screenful: a pasted megabyte must not cost a megabyte per frame.
  const sample = text.length > width * 4 + 16 ? text.slice(0, width * 4 + 16) : text;
  let measured = sample === text ? textWidth(text) : Infinity;
  let fitted = text;
  if (measured > width && cut && sample === text) {
    fitted = cut(text, width);
    measured = textWidth(fitted);
  }
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
