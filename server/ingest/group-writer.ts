import type { Knex } from 'knex';
import type { Db } from '../../db/index.js';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';
import { createGroupCommit } from '../group-commit.js';

/** Writes run per transaction at most. */
const MAX_GROUP = 200;

type Write<T> = (tx: Knex.Transaction) => Promise<T>;

/**
 * Group commit for ingest writes (see group-commit.ts): writes queued together run one after the
 * other in ONE transaction, and each caller's promise resolves only after that transaction
 * committed (so a 200 still means stored). A transaction per event cost more than half of the
 * server's CPU per ingested event on SQLite and an fsync each on MySQL. Each app builds one
 * (server/runtime.ts).
 */
export function createGroupWriter(db: Db) {
  const groups = createGroupCommit<Write<unknown>, unknown>({
    maxGroup: MAX_GROUP,
    // a deadlock (or a Galera certification conflict) rolled every write back: run them again
    commit: (writes) =>
      retryOnDeadlock(() =>
        db.transaction(async (tx) => {
          const results: unknown[] = [];
          for (const write of writes) results.push(await write(tx));
          return results;
        }),
      ),
  });
  return {
    /** Runs `write` inside the next group transaction; resolves with its result once committed. */
    run: <T>(write: Write<T>): Promise<T> => groups.add(write) as Promise<T>,
  };
}

export type GroupWriter = ReturnType<typeof createGroupWriter>;
