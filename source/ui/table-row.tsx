import {Text} from 'ink';
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

/** One table line: each cell cut or padded to its column, so columns line up whatever the text. */
export function TableRow<Key extends string>({
  columns,
  row,
}: {
  columns: readonly PlacedColumn<Key>[];
  row: Row<Key>;
}) {
  return (
    <Text wrap="truncate" inverse={row.inverse} bold={row.bold} dimColor={row.dim}>
      {columns.map((column, index) => {
        const cell = row.cells[column.key];
        const text = fitCell(cell?.text ?? '', column.width, column.align);
        return (
          <Text key={column.key} color={cell?.color} bold={cell?.bold} dimColor={cell?.dim}>
            {index === 0 ? text : columnGap + text}
          </Text>
        );
      })}
    </Text>
  );
}

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
