/** Column layout for the panes' tables: columns drop by priority until the row fits the width. */
import stringWidth from 'string-width';

export type Column<Key extends string = string> = {
  key: Key;
  title: string;
  width: number;
  /** Lower numbers are kept longest; 0 is never dropped. */
  priority: number;
  align?: 'left' | 'right';
  /** Takes the width left over (one column per table). */
  grow?: boolean;
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
    const drop = kept.reduce((worst, column) =>
      column.priority > worst.priority ? column : worst,
    );
    kept = kept.filter((column) => column !== drop);
  }
  const spare = Math.max(0, width - total(kept));
  const placed = kept.map((column) => ({...column}));
  const grower = placed.find((column) => column.grow) ?? placed.at(-1);
  if (grower) grower.width += spare;
  const overflow = total(placed) - width;
  if (overflow > 0 && grower) grower.width = Math.max(1, grower.width - overflow);
  return placed;
}

/** Cuts or pads text to exactly `width` terminal columns, measuring wide characters as two. */
export function fitCell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  // Never measure more than a screenful: a pasted megabyte must not cost a megabyte per frame.
  const sample = text.length > width * 4 + 16 ? text.slice(0, width * 4 + 16) : text;
  let measured = sample === text ? stringWidth(text) : Infinity;
  let fitted = text;
  if (measured > width) {
    fitted = '';
    measured = 0;
    for (const char of sample) {
      const charWidth = stringWidth(char);
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
