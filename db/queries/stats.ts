import type { DbOrTx } from '../index.js';
import { toNumber, toNumberOrNull } from './json.js';
import { appendToGroup } from '../map-groups.js';

/** The window GET /stats summarises and the width of each of its buckets. */
export const STATS_WINDOW_MS = 300_000;
export const STATS_BUCKET_MS = 10_000;
const BUCKETS = STATS_WINDOW_MS / STATS_BUCKET_MS;
/** Sources listed at most (the busiest first), so the answer stays small with many sources. */
export const STATS_MAX_SOURCES = 100;

export interface SourceRate {
  id: string;
  name: string;
  /** Events received per bucket, oldest first. */
  counts: number[];
}

/** A workspace's live figures over the last STATS_WINDOW_MS, read from the database alone. */
export interface WorkspaceStats {
  /** Messages accepted per bucket, oldest first. */
  accepted: number[];
  /** Successful attempts (deliveries and forwards) per bucket, oldest first. */
  delivered: number[];
  attempts: number;
  succeeded: number;
  pending: number;
  held: number;
  /** created_at of the oldest pending delivery, or null. */
  oldestPendingAt: number | null;
  latency: { p50: number; p99: number } | null;
  anomaliesOpen: Record<string, number>;
  sources: SourceRate[];
}

interface BucketRow {
  bucket: number | string;
  n: number | string;
}

/**
 * Counts per bucket of [start, start + window): the bucket is `offset - offset % size`, which
 * both dialects compute with integer arithmetic.
 */
function bucketExpression(db: DbOrTx, start: number) {
  return db.raw('(?? - ?) - ((?? - ?) % ?)', ['created_at', start, 'created_at', start, STATS_BUCKET_MS]);
}

function toBuckets(rows: BucketRow[]): number[] {
  const counts = new Array<number>(BUCKETS).fill(0);
  for (const row of rows) {
    const index = Math.floor(toNumber(row.bucket) / STATS_BUCKET_MS);
    if (index >= 0 && index < BUCKETS) counts[index] += toNumber(row.n);
  }
  return counts;
}

async function countPerBucket(db: DbOrTx, table: 'messages' | 'attempts', workspaceId: string, start: number, end: number) {
  const query = db(table)
    .where('workspace_id', workspaceId)
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .groupBy('bucket')
    .select({ bucket: bucketExpression(db, start) })
    .count<BucketRow[]>({ n: '*' });
  if (table === 'attempts') query.andWhere('status', 'succeeded');
  return toBuckets(await query);
}

/** Attempts of the window: how many, how many succeeded, and the p50/p99 duration (nearest rank). */
async function readAttempts(db: DbOrTx, workspaceId: string, start: number, end: number) {
  const window = () =>
    db('attempts').where('workspace_id', workspaceId).andWhere('created_at', '>=', start).andWhere('created_at', '<', end);
  const [totals] = await window().select<{ total: number | string; succeeded: number | string | null }[]>(
    db.raw('COUNT(*) AS total'),
    db.raw("SUM(CASE WHEN ?? = 'succeeded' THEN 1 ELSE 0 END) AS succeeded", ['status']),
  );
  const total = toNumber(totals.total);
  const succeeded = toNumber(totals.succeeded ?? 0);
  if (total === 0) return { total, succeeded, latency: null };
  const rank = async (p: number) => {
    const offset = Math.max(0, Math.ceil(p * total) - 1);
    const row = await window().orderBy('duration_ms', 'asc').offset(offset).first<{ duration_ms: number | string }>('duration_ms');
    return row ? toNumber(row.duration_ms) : 0;
  };
  return { total, succeeded, latency: { p50: await rank(0.5), p99: await rank(0.99) } };
}

/** Pending and held deliveries in one read of the (workspace_id, status, id) index. */
async function countUnfinished(db: DbOrTx, workspaceId: string): Promise<{ pending: number; held: number }> {
  const rows = await db('deliveries')
    .where('workspace_id', workspaceId)
    .whereIn('status', ['pending', 'held'])
    .groupBy('status')
    .select('status')
    .count<{ status: string; n: number | string }[]>({ n: '*' });
  const count = (status: string) => toNumber(rows.find((row) => row.status === status)?.n ?? 0);
  return { pending: count('pending'), held: count('held') };
}

/** The oldest pending delivery: ids are time-ordered, so the first in id order (one index probe). */
async function oldestPending(db: DbOrTx, workspaceId: string): Promise<number | null> {
  const row = await db('deliveries')
    .where({ workspace_id: workspaceId, status: 'pending' })
    .orderBy('id', 'asc')
    .first<{ created_at: number | string } | undefined>('created_at');
  return toNumberOrNull(row?.created_at);
}

async function openAnomalies(db: DbOrTx, workspaceId: string): Promise<Record<string, number>> {
  const rows = await db('anomalies')
    .where('workspace_id', workspaceId)
    .whereIn('status', ['open', 'acknowledged'])
    .groupBy('type')
    .select('type')
    .count<{ type: string; n: number | string }[]>({ n: '*' });
  const byType: Record<string, number> = {};
  for (const row of rows) byType[row.type] = toNumber(row.n);
  return byType;
}

/** Every source of the workspace with its events per bucket; the busiest first, then by name. */
async function sourceRates(db: DbOrTx, workspaceId: string, start: number, end: number): Promise<SourceRate[]> {
  const rows = await db('events')
    .where('workspace_id', workspaceId)
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .groupBy('source_id', 'bucket')
    .select('source_id', { bucket: bucketExpression(db, start) })
    .count<(BucketRow & { source_id: string })[]>({ n: '*' });
  const bySource = new Map<string, BucketRow[]>();
  for (const row of rows) appendToGroup(bySource, row.source_id, row);
  const sources = await db('sources')
    .where('workspace_id', workspaceId)
    .orderBy('id', 'asc')
    .select<{ id: string; name: string }[]>('id', 'name');
  const total = (counts: number[]) => counts.reduce((sum, n) => sum + n, 0);
  return sources
    .map((source) => ({ id: source.id, name: source.name, counts: toBuckets(bySource.get(source.id) ?? []) }))
    .sort((a, b) => total(b.counts) - total(a.counts) || a.name.localeCompare(b.name))
    .slice(0, STATS_MAX_SOURCES);
}

/**
 * The figures of GET /stats for one workspace at `now`: every figure is a range read of an index
 * from 20261207200006_stats_indexes (only the window's rows, or only unfinished deliveries), so
 * any process answers the same, cheaply, however much history the tables hold.
 */
export async function readWorkspaceStats(db: DbOrTx, workspaceId: string, now: number): Promise<WorkspaceStats> {
  const end = now + 1;
  const start = end - STATS_WINDOW_MS;
  const [accepted, delivered, attempts, { pending, held }, oldestPendingAt, anomaliesOpen, sources] = await Promise.all([
    countPerBucket(db, 'messages', workspaceId, start, end),
    countPerBucket(db, 'attempts', workspaceId, start, end),
    readAttempts(db, workspaceId, start, end),
    countUnfinished(db, workspaceId),
    oldestPending(db, workspaceId),
    openAnomalies(db, workspaceId),
    sourceRates(db, workspaceId, start, end),
  ]);
  return {
    accepted,
    delivered,
    attempts: attempts.total,
    succeeded: attempts.succeeded,
    pending,
    held,
    oldestPendingAt,
    latency: attempts.latency,
    anomaliesOpen,
    sources,
  };
}
