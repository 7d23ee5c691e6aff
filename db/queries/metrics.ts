import type { DbOrTx } from '../index.js';
import { toNumber, toNumberOrNull } from './json.js';

/** The delivery queue as /metrics reports it. */
export interface QueueStats {
  /** Deliveries not finished yet (waiting, leased or scheduled for a retry). */
  pending: number;
  /** The earliest due time among pending deliveries that nobody holds a lease on, or null. */
  oldestDueAt: number | null;
}

/**
 * Queue depth and lag for a scrape. Pending rows are exactly those with a `due_at` (every
 * write that finishes a delivery clears it, see db/queries/deliveries.ts), so both aggregates
 * are range reads of the due_at index and stay cheap however many finished rows the table holds.
 */
export async function readQueueStats(db: DbOrTx): Promise<QueueStats> {
  const [depth] = await db('deliveries').whereNotNull('due_at').count<{ n: number | string }[]>({ n: '*' });
  const [oldest] = await db('deliveries')
    .whereNotNull('due_at')
    .whereNull('locked_by')
    .min<{ due: number | string | null }[]>({ due: 'due_at' });
  return { pending: toNumber(depth.n), oldestDueAt: toNumberOrNull(oldest.due) };
}
