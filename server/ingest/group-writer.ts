import type { Knex } from 'knex';
import type { Db } from '../../db/index.js';
import { workTransaction } from '../../db/queries/deliveries.js';
import { coerceError } from '../errors.js';

/** Writes run per transaction at most. */
const MAX_GROUP = 200;

type Write<T> = (tx: Knex.Transaction) => Promise<T>;

interface Entry {
  write: Write<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Group commit for ingest writes: writes queued in the same turn of the event loop (the requests
 * whose bytes arrived together) run one after the other in ONE transaction, and each caller's
 * promise resolves only after that transaction committed (so a 200 still means stored). A
 * transaction per event cost more than half of the server's CPU per ingested event on SQLite and
 * an fsync each on MySQL. The group waits for `setImmediate`, i.e. until pending I/O was read,
 * so a lone request pays no timer. When a group fails (a deadlock, one bad row), every write is
 * tried again alone in its own transaction, so one failure never fails the others.
 */
export function createGroupWriter(db: Db) {
  let queue: Entry[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    while (queue.length > 0) {
      const group = queue.slice(0, MAX_GROUP);
      queue = queue.slice(group.length);
      let results: unknown[];
      try {
        results = await db.transaction(async (tx) => {
          const out: unknown[] = [];
          for (const entry of group) out.push(await entry.write(tx));
          return out;
        }, workTransaction(db));
      } catch {
        for (const entry of group) {
          try {
            entry.resolve(await db.transaction((tx) => entry.write(tx), workTransaction(db)));
          } catch (alone) {
            entry.reject(coerceError(alone));
          }
        }
        continue;
      }
      group.forEach((entry, i) => entry.resolve(results[i]));
    }
  }

  return {
    /** Runs `write` inside the next group transaction; resolves with its result once committed. */
    run<T>(write: Write<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}

export type GroupWriter = ReturnType<typeof createGroupWriter>;

const writers = new WeakMap<Db, GroupWriter>();

/** The ingest group writer of a database handle (one per process and database). */
export function ingestWriterFor(db: Db): GroupWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = createGroupWriter(db);
    writers.set(db, writer);
  }
  return writer;
}
