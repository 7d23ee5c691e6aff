/**
 * Per-source event counts per time bucket (`source_event_buckets`), so the volume and
 * verification detectors read a few rows per source instead of scanning an hour of events.
 * Counts are absolute and only ever grow, so every process may recount and write the same
 * bucket: writes keep the larger value and never need coordination.
 */
import type { Knex } from 'knex';
import type { DbOrTx } from '../index.js';
import { isMysql } from '../index.js';
import { toNumber, toNumberOrNull } from './json.js';

export interface EventBucket {
  sourceId: string;
  bucketStart: number;
  events: number;
  rejected: number;
  lastEventAt: number | null;
  lastEventId: string | null;
  lastRejectedAt: number | null;
  lastRejectedId: string | null;
}

/** How far buckets of this size were counted after they settled (null: never). */
export async function readRollupState(db: DbOrTx, bucketMs: number): Promise<number | null> {
  const row = await db('event_rollup_state')
    .where({ bucket_ms: bucketMs })
    .first<{ counted_through: number | string } | undefined>('counted_through');
  return row ? toNumber(row.counted_through) : null;
}

/** Moves the counted-through mark forward (never back: a lagging process cannot undo progress). */
export async function advanceRollupState(db: DbOrTx, bucketMs: number, countedThrough: number): Promise<void> {
  const row = { bucket_ms: bucketMs, counted_through: countedThrough };
  await withDeadlockRetry(async () => {
    if (isMysql(db)) return upsertKeepingGreater(db, 'event_rollup_state', [row], ['counted_through']);
    await db('event_rollup_state')
      .insert(row)
      .onConflict('bucket_ms')
      .merge({ counted_through: greatest(db, 'counted_through') });
  });
}

/**
 * Counts the events received in [from, until] per source and bucket, from the
 * (created_at, source_id, status) index: only the buckets a pass must refresh are read.
 */
export async function countEventBuckets(db: DbOrTx, bucketMs: number, from: number, until: number): Promise<EventBucket[]> {
  const rows = await db('events')
    .where('created_at', '>=', from)
    .andWhere('created_at', '<=', until)
    .groupBy('source_id', 'bucket_start')
    .select(
      'source_id',
      db.raw('?? - (?? % ?) AS bucket_start', ['created_at', 'created_at', bucketMs]),
      db.raw('COUNT(*) AS events'),
      db.raw("SUM(CASE WHEN ?? = 'rejected' THEN 1 ELSE 0 END) AS rejected", ['status']),
      db.raw('MAX(??) AS last_event_at', ['created_at']),
      db.raw('MAX(??) AS last_event_id', ['id']),
      db.raw("MAX(CASE WHEN ?? = 'rejected' THEN ?? END) AS last_rejected_at", ['status', 'created_at']),
      db.raw("MAX(CASE WHEN ?? = 'rejected' THEN ?? END) AS last_rejected_id", ['status', 'id']),
    );
  return (rows as Record<string, unknown>[]).map((row) => ({
    sourceId: row.source_id as string,
    bucketStart: toNumber(row.bucket_start),
    events: toNumber(row.events),
    rejected: toNumber(row.rejected ?? 0),
    lastEventAt: toNumberOrNull(row.last_event_at),
    lastEventId: (row.last_event_id as string | null) ?? null,
    lastRejectedAt: toNumberOrNull(row.last_rejected_at),
    lastRejectedId: (row.last_rejected_id as string | null) ?? null,
  }));
}

/** Writes recounted buckets; an existing bucket keeps the larger of its and the new values. */
export async function upsertEventBuckets(db: DbOrTx, bucketMs: number, buckets: EventBucket[]): Promise<void> {
  // one key order for every process keeps concurrent upserts from deadlocking each other
  const sorted = [...buckets].sort((a, b) =>
    a.sourceId === b.sourceId ? a.bucketStart - b.bucketStart : a.sourceId < b.sourceId ? -1 : 1,
  );
  for (let i = 0; i < sorted.length; i += 100) {
    const rows = sorted.slice(i, i + 100).map((b) => ({
      bucket_ms: bucketMs,
      source_id: b.sourceId,
      bucket_start: b.bucketStart,
      events: b.events,
      rejected: b.rejected,
      last_event_at: b.lastEventAt,
      last_event_id: b.lastEventId,
      last_rejected_at: b.lastRejectedAt,
      last_rejected_id: b.lastRejectedId,
    }));
    const merged = ['events', 'rejected', 'last_event_at', 'last_event_id', 'last_rejected_at', 'last_rejected_id'];
    await withDeadlockRetry(async () => {
      if (isMysql(db)) return upsertKeepingGreater(db, 'source_event_buckets', rows, merged);
      await db('source_event_buckets')
        .insert(rows)
        .onConflict(['bucket_ms', 'source_id', 'bucket_start'])
        .merge(Object.fromEntries(merged.map((column) => [column, greatest(db, column)])));
    });
  }
}

/** Drops buckets that no window reaches any more (index (bucket_ms, bucket_start)). */
export async function deleteEventBucketsBefore(db: DbOrTx, bucketMs: number, before: number): Promise<void> {
  await db('source_event_buckets').where({ bucket_ms: bucketMs }).andWhere('bucket_start', '<', before).delete();
}

/** A named range of buckets [from, to) to sum per source: all events, or the rejected ones. */
export interface BucketRange {
  name: string;
  from: number;
  to: number;
  column: 'events' | 'rejected';
}

export interface SourceEventCounts {
  sourceId: string;
  counts: Record<string, number>;
  lastEventAt: number | null;
  lastEventId: string | null;
  lastRejectedAt: number | null;
  lastRejectedId: string | null;
}

/** Sums the buckets in [since, until) per source over several named ranges in one query. */
export async function sumEventBuckets(
  db: DbOrTx,
  bucketMs: number,
  since: number,
  until: number,
  ranges: BucketRange[],
): Promise<Map<string, SourceEventCounts>> {
  const sums = ranges.map((range, index) =>
    db.raw('SUM(CASE WHEN ?? >= ? AND ?? < ? THEN ?? ELSE 0 END) AS ??', [
      'bucket_start',
      range.from,
      'bucket_start',
      range.to,
      range.column,
      `r${index}`,
    ]),
  );
  const rows = await db('source_event_buckets')
    .where({ bucket_ms: bucketMs })
    .andWhere('bucket_start', '>=', since)
    .andWhere('bucket_start', '<', until)
    .groupBy('source_id')
    .select(
      'source_id',
      ...sums,
      db.raw('MAX(??) AS last_event_at', ['last_event_at']),
      db.raw('MAX(??) AS last_event_id', ['last_event_id']),
      db.raw('MAX(??) AS last_rejected_at', ['last_rejected_at']),
      db.raw('MAX(??) AS last_rejected_id', ['last_rejected_id']),
    );
  const result = new Map<string, SourceEventCounts>();
  for (const row of rows as Record<string, unknown>[]) {
    const counts: Record<string, number> = {};
    ranges.forEach((range, index) => {
      counts[range.name] = toNumber(row[`r${index}`] ?? 0);
    });
    result.set(row.source_id as string, {
      sourceId: row.source_id as string,
      counts,
      lastEventAt: toNumberOrNull(row.last_event_at),
      lastEventId: (row.last_event_id as string | null) ?? null,
      lastRejectedAt: toNumberOrNull(row.last_rejected_at),
      lastRejectedId: (row.last_rejected_id as string | null) ?? null,
    });
  }
  return result;
}

/** `column := the larger of the stored and the incoming value` in SQLite's upsert (NULL loses). */
function greatest(db: DbOrTx, column: string) {
  return db.raw('MAX(COALESCE(??, excluded.??), COALESCE(excluded.??, ??))', [column, column, column, column]);
}

/**
 * The MySQL/MariaDB upsert keeping, per merged column, the larger of the stored and the incoming
 * value (NULL loses). Portable to MariaDB 10.6+ and MySQL 8.4 alike: the update clause reads no
 * VALUES() function (deprecated since MySQL 8.0.20) and no `AS new` row alias (MySQL only). The rows
 * come from a derived table whose columns are named `new_<column>`, which the update clause
 * reads (the form MySQL documents for INSERT … SELECT … ON DUPLICATE KEY UPDATE).
 */
async function upsertKeepingGreater(db: DbOrTx, table: string, rows: Record<string, Knex.Value>[], merged: string[]): Promise<void> {
  const columns = Object.keys(rows[0]);
  const bindings: Knex.Value[] = [table, ...columns];
  const selects = rows.map((row, i) => {
    const values = columns.map((column) => {
      bindings.push(row[column] ?? null);
      if (i > 0) return '?';
      bindings.push(`new_${column}`);
      return '? AS ??';
    });
    return `SELECT ${values.join(', ')}`;
  });
  const updates = merged.map((column) => {
    bindings.push(column, column, `new_${column}`, `new_${column}`, column);
    return '?? = GREATEST(COALESCE(??, ??), COALESCE(??, ??))';
  });
  await db.raw(
    `INSERT INTO ?? (${columns.map(() => '??').join(', ')}) SELECT * FROM (${selects.join(' UNION ALL ')}) AS new_rows ` +
      `ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
    bindings,
  );
}

/** MySQL may pick an upsert as a deadlock victim when processes write the same buckets: retry it. */
async function withDeadlockRetry<T>(write: () => PromiseLike<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}
