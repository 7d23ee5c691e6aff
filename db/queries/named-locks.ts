import { isMysql, type DbOrTx } from '../index.js';

/**
 * Named advisory locks, for work that several processes may start at once and that must run
 * once (first-start bootstrap). MySQL/MariaDB take a session lock with GET_LOCK; SQLite runs one
 * write transaction at a time already, so there they are no-ops. Hold the lock on the connection
 * of a transaction (pass `tx`), or the pool may release it on another connection.
 */

/** Waits up to `timeoutSeconds` for the lock `name`; returns whether it was taken (always true on SQLite). */
export async function acquireNamedLock(db: DbOrTx, name: string, timeoutSeconds: number): Promise<boolean> {
  if (!isMysql(db)) return true;
  const [rows] = (await db.raw('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds])) as [{ got: number | null }[]];
  return Number(rows[0]?.got) === 1;
}

/** Releases the lock `name` taken by acquireNamedLock on this connection. */
export async function releaseNamedLock(db: DbOrTx, name: string): Promise<void> {
  if (isMysql(db)) await db.raw('SELECT RELEASE_LOCK(?)', [name]);
}
