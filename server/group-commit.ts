import { coerceError } from './errors.js';

/**
 * Group commit: items queued in the same turn of the event loop (the requests whose bytes
 * arrived together) are handed to `commit` as one group — one transaction for many writes — and
 * each caller's promise settles only after that group committed. The group starts on
 * `setImmediate`, once pending I/O was read (on SQLite a write never yields to I/O, so without it
 * every group would hold one item), and groups run one at a time. When a group fails (a deadlock,
 * one bad row), every item is committed again alone, so one failure never fails the others.
 */
export function createGroupCommit<Item, Result>(options: { maxGroup: number; commit(items: Item[]): Promise<Result[]> }) {
  let queue: { item: Item; resolve(result: Result): void; reject(error: Error): void }[] = [];
  let writing = false;
  let scheduled = false;

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, options.maxGroup);
        queue = queue.slice(group.length);
        try {
          const results = await options.commit(group.map((entry) => entry.item));
          group.forEach((entry, i) => entry.resolve(results[i]));
        } catch (thrown) {
          if (group.length === 1) {
            group[0].reject(coerceError(thrown));
            continue;
          }
          for (const entry of group) {
            try {
              entry.resolve((await options.commit([entry.item]))[0]);
            } catch (alone) {
              entry.reject(coerceError(alone));
            }
          }
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    /** Queues `item` for the next group; resolves with its result once the group committed. */
    add(item: Item): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!writing && !scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            void drain();
          });
        }
      });
    },
  };
}
