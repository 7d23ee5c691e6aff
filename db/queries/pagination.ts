import type { Knex } from 'knex';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Newest-first keyset pagination over a time-ordered id column: fetches one extra row to know
 * whether another page exists. The cursor is the last id returned.
 */
export async function pageByIdDesc<Row, T>(
  query: Knex.QueryBuilder,
  options: { limit: number; cursor?: string; column?: string },
  map: (row: Row) => T,
): Promise<Page<T>> {
  const column = options.column ?? 'id';
  if (options.cursor) query.where(column, '<', options.cursor);
  const rows = (await query.orderBy(column, 'desc').limit(options.limit + 1)) as Row[];
  const hasMore = rows.length > options.limit;
  const pageRows = hasMore ? rows.slice(0, options.limit) : rows;
  const items = pageRows.map(map);
  const last = pageRows[pageRows.length - 1] as Record<string, unknown> | undefined;
  return { items, nextCursor: hasMore && last ? String(last[column.split('.').pop() as string]) : null };
}
