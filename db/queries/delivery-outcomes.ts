import type { DbOrTx } from '../index.js';
import { isMysql } from '../index.js';
import type { DeliveryStatus } from './deliveries.js';

/** The new state of a delivery after one attempt. */
export interface DeliveryOutcome {
  id: string;
  lockToken: string;
  /** An attempt never leaves a delivery `held` (only a disabled endpoint does, outside attempts). */
  status: Exclude<DeliveryStatus, 'held'>;
  attempts: number;
  /** The next attempt's time while still pending; null once finished. */
  nextAttemptAt: number | null;
}

/**
 * Writes outcomes of attempts, but only for rows still leased to the given tokens: a worker whose
 * lease expired (and whose row another worker re-claimed) must not overwrite the newer state.
 * Returns the ids that were written; call inside the transaction that inserts the attempts.
 */
export async function finishDeliveries(db: DbOrTx, outcomes: DeliveryOutcome[], now: number): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const pairs = outcomes.map((o) => [o.id, o.lockToken]) as unknown as readonly string[][];
  const select = db('deliveries').select('id').whereIn(['id', 'locked_by'], pairs);
  if (isMysql(db)) select.forUpdate();
  const held = new Set(((await select) as { id: string }[]).map((row) => row.id));
  const mine = outcomes.filter((o) => held.has(o.id));
  if (mine.length === 0) return held;
  // finished rows share their new values: one UPDATE per status, whatever the group size
  // (attempts is +1 for every row: the lease guarantees the row still has the claimed count)
  for (const status of ['succeeded', 'failed'] as const) {
    const ids = mine.filter((o) => o.status === status).map((o) => o.id);
    for (let i = 0; i < ids.length; i += 500) {
      await db('deliveries')
        .whereIn('id', ids.slice(i, i + 500))
        .update({
          status,
          attempts: db.raw('attempts + 1'),
          next_attempt_at: null,
          due_at: null,
          locked_by: null,
          updated_at: now,
        });
    }
  }
  // retries each have their own next attempt time
  for (const o of mine.filter((x) => x.status === 'pending')) {
    await db('deliveries').where({ id: o.id }).update({
      status: o.status,
      attempts: o.attempts,
      next_attempt_at: o.nextAttemptAt,
      due_at: o.nextAttemptAt,
      locked_by: null,
      updated_at: now,
    });
  }
  return held;
}
