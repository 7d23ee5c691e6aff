import type { DbOrTx } from '../index.js';
import { toBool, toNumber, toNumberOrNull } from './json.js';

/**
 * An endpoint's failure streak, written after each group of recorded attempts (the dispatcher
 * calls these inside its recording transaction, locking endpoint rows in ascending id order).
 */

/** Ends the streak: a success with nothing failing since. */
export async function clearEndpointFailures(db: DbOrTx, id: string): Promise<void> {
  await db('endpoints').where({ id }).update({ consecutive_failures: 0, failing_since: null });
}

/** Starts a new streak of `count` failures, the first at `since` (a success came before them). */
export async function restartEndpointFailures(db: DbOrTx, id: string, count: number, since: number): Promise<void> {
  await db('endpoints').where({ id }).update({ consecutive_failures: count, failing_since: since });
}

/**
 * Extends the streak by `count` failures in one statement (concurrent recorders add up rather
 * than overwrite); `failing_since` keeps the start of a running streak, else becomes `since`.
 */
export async function extendEndpointFailures(db: DbOrTx, id: string, count: number, since: number): Promise<void> {
  await db('endpoints')
    .where({ id })
    .update({
      consecutive_failures: db.raw('consecutive_failures + ?', [count]),
      failing_since: db.raw('COALESCE(failing_since, ?)', [since]),
    });
}

/** An endpoint's streak as stored now. */
export interface EndpointHealth {
  id: string;
  consecutiveFailures: number;
  failingSince: number | null;
  disabled: boolean;
}

interface HealthRow {
  id: string;
  consecutive_failures: number | string;
  failing_since: number | string | null;
  disabled: number | boolean;
}

/** The streaks of the given endpoints (missing ids are absent). */
export async function listEndpointHealth(db: DbOrTx, ids: string[]): Promise<EndpointHealth[]> {
  const rows = await db<HealthRow>('endpoints').whereIn('id', ids).select('id', 'consecutive_failures', 'failing_since', 'disabled');
  return rows.map((row) => ({
    id: row.id,
    consecutiveFailures: toNumber(row.consecutive_failures),
    failingSince: toNumberOrNull(row.failing_since),
    disabled: toBool(row.disabled),
  }));
}
