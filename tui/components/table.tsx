import { Box, Text } from 'ink';
import { fit } from '../format.js';
import { matchesFilter } from '../screens/list-state.js';

export interface Column<T> {
  header: string;
  /** Fixed width in columns; columns without one share what is left. */
  width?: number;
  value(row: T): string;
  color?(row: T): string | undefined;
}

export interface TableProps<T> {
  columns: Column<T>[];
  rows: T[];
  selected: number;
  width: number;
  /** Rows of screen the table may use, header included. */
  height: number;
  empty?: string;
  /** False while a form or confirmation owns the keyboard, to show the cursor is parked. */
  focused?: boolean;
  /** The list's `/` filter: only rows containing it are shown (`selected` still indexes `rows`). */
  filter?: string;
}

/** The widths of each column for `width` terminal columns: fixed ones first, the rest shared. */
export function columnWidths(columns: Array<{ width?: number }>, width: number): number[] {
  const gaps = columns.length - 1 + 2; // one space between columns, two for the cursor marker
  const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
  const flexible = columns.filter((c) => c.width === undefined).length;
  const share = flexible ? Math.max(6, Math.floor((width - gaps - fixed) / flexible)) : 0;
  return columns.map((c) => c.width ?? share);
}

/** The first visible row so that `selected` stays on screen, centred when the list is long. */
export function windowStart(selected: number, total: number, visible: number): number {
  if (total <= visible) return 0;
  return Math.max(0, Math.min(selected - Math.floor(visible / 2), total - visible));
}

/** A one-line-per-row table with a header, a highlighted selected row and vertical windowing. */
export function Table<T>({
  columns,
  rows: all,
  selected: selectedIndex,
  width,
  height,
  empty = 'Nothing here yet.',
  focused = true,
  filter = '',
}: TableProps<T>) {
  const widths = columnWidths(columns, width);
  const visible = Math.max(1, height - 1);
  const kept = filter ? all.flatMap((row, index) => (matchesFilter(row, filter) ? [index] : [])) : null;
  const rows = kept ? kept.map((index) => all[index]) : all;
  const selected = kept ? kept.indexOf(selectedIndex) : selectedIndex;
  if (kept && kept.length === 0 && all.length > 0) empty = `Nothing matches "${filter}".`;
  const start = windowStart(Math.max(0, selected), rows.length, visible);
  const shown = rows.slice(start, start + visible);
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {'  ' + columns.map((c, i) => fit(c.header, widths[i])).join(' ')}
      </Text>
      {rows.length === 0 ? <Text dimColor> {empty}</Text> : null}
      {shown.map((row, offset) => {
        const index = start + offset;
        const isSelected = index === selected;
        return (
          <Text key={index} wrap="truncate" inverse={isSelected && focused} bold={isSelected}>
            {isSelected ? '› ' : '  '}
            {columns.map((c, i) => (
              <Text key={i} color={c.color?.(row)}>
                {fit(c.value(row), widths[i]) + (i < columns.length - 1 ? ' ' : '')}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
