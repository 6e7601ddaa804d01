import {memo} from 'react';
import {Text} from 'ink';
import chalk, {type ForegroundColorName} from 'chalk';
import {columnGap, fitCell, type PlacedColumn} from './table.js';

export type Cell = {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
};

export type Row<Key extends string> = {
  key: string;
  cells: Partial<Record<Key, Cell>>;
  /** Whole-row emphasis: the selected row, a new socket, a closed listener. */
  inverse?: boolean;
  bold?: boolean;
  dim?: boolean;
};

/** A cell's text styled as Ink's <Text> styles it (dim, then colour, then bold), as one string. */
function styledCell(cell: Cell | undefined, text: string): string {
  if (!cell) return text;
  let styled = text;
  if (cell.dim) styled = chalk.dim(styled);
  if (cell.color && cell.color in chalk) styled = chalk[cell.color as ForegroundColorName](styled);
  if (cell.bold) styled = chalk.bold(styled);
  return styled;
}

/** A row as one line: each cell cut or padded to its column, so columns line up whatever the text. */
export function rowText<Key extends string>(
  columns: readonly PlacedColumn<Key>[],
  row: Row<Key>,
): string {
  let line = '';
  columns.forEach((column, index) => {
    const cell = row.cells[column.key];
    const text = fitCell(cell?.text ?? '', column.width, column.align, column.cut);
    line += (index === 0 ? '' : columnGap) + styledCell(cell, text);
  });
  return line;
}

/**
 * One table line. The cells are styled into one string rather than drawn as a <Text> each: a
 * screenful of sockets is then 50 text nodes for Ink to lay out, style and measure, not 500, and
 * a row that reads the same as in the last frame is not rendered again.
 */
export function TableRow<Key extends string>({
  columns,
  row,
}: {
  columns: readonly PlacedColumn<Key>[];
  row: Row<Key>;
}) {
  return (
    <TableLine text={rowText(columns, row)} inverse={row.inverse} bold={row.bold} dim={row.dim} />
  );
}

const TableLine = memo(function TableLine({
  text,
  inverse,
  bold,
  dim,
}: {
  text: string;
  inverse: boolean | undefined;
  bold: boolean | undefined;
  dim: boolean | undefined;
}) {
  return (
    <Text wrap="truncate" inverse={inverse} bold={bold} dimColor={dim}>
      {text}
    </Text>
  );
});

/** The column titles. */
export function TableHeader<Key extends string>({
  columns,
}: {
  columns: readonly PlacedColumn<Key>[];
}) {
  return (
    <Text wrap="truncate" bold underline>
      {columns
        .map(
          (column, index) =>
            (index === 0 ? '' : columnGap) + fitCell(column.title, column.width, column.align),
        )
        .join('')}
    </Text>
  );
}
