import { coerceError } from './errors.js';

/**
 * What to do with a group whose commit threw:
 * - `retry`: run the same group again whole, once (a deadlock rolled all of it back and says
 *   nothing about the items); asked again after that retry, `retry` means `split`;
 * - `split`: commit each item alone, so one bad item fails only its own caller;
 * - `fail`: reject every caller with the error (the database is gone: committing the items one
 *   by one would only wait out the same failure once per item).
 */
export type GroupFailure = 'retry' | 'split' | 'fail';

export interface GroupCommitOptions<Item, Result> {
  /** Items per group at most; a longer queue is committed as several groups, in order. */
  maxGroup: number;
  /**
   * How long the first item of an idle queue waits for others before its group starts. 0 (the
   * default) starts it on `setImmediate`: after the I/O that is already pending was read (on
   * SQLite a write never yields to I/O, so without that every group would hold one item). A few
   * milliseconds gather items that finish at different moments, e.g. HTTP attempts.
   */
  lingerMs?: number;
  /**
   * Classifies a failed commit (default: always `split`). `retried` is true when this failure
   * came from the one whole retry; `alone` when the commit held a single item (there `split`
   * just rejects that item).
   */
  onFailure?: (error: Error, attempt: { retried: boolean; alone: boolean }) => GroupFailure;
  /** Commits the items together; resolves with one result per item, in order. */
  commit(items: Item[]): Promise<Result[]>;
}

// driver codes are read in db/ only (STYLE pattern 3); re-exported for the helper's users
export { isLockConflict } from '../db/errors.js';

interface Entry<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: Error): void;
}

/**
 * Group commit: items queued together (in the same turn of the event loop, or within `lingerMs`)
 * are handed to `commit` as one group — one transaction for many writes — and each caller's
 * promise settles only after that group committed. Groups run one at a time; items queued
 * while one runs form the next. A failed group is retried, split or failed as `onFailure` says,
 * so one bad item never fails the others and a failed item's error reaches only its caller.
 */
export function createGroupCommit<Item, Result>(options: GroupCommitOptions<Item, Result>) {
  const classify = options.onFailure ?? ((): GroupFailure => 'split');
  let queue: Entry<Item, Result>[] = [];
  let writing = false;
  let scheduled = false;

  /** Commits `items`, once more when the failure is classified `retry`; never throws. */
  async function commitRetrying(items: Item[]): Promise<{ results: Result[] } | { error: Error; failure: 'split' | 'fail' }> {
    const alone = items.length === 1;
    for (let retried = false; ; retried = true) {
      try {
        return { results: await options.commit(items) };
      } catch (thrown) {
        const error = coerceError(thrown);
        const failure = classify(error, { retried, alone });
        if (failure === 'retry' && !retried) continue;
        return { error, failure: failure === 'fail' ? 'fail' : 'split' };
      }
    }
  }

  async function commitGroup(group: Entry<Item, Result>[]): Promise<void> {
    const outcome = await commitRetrying(group.map((entry) => entry.item));
    if ('results' in outcome) {
      group.forEach((entry, i) => entry.resolve(outcome.results[i]));
      return;
    }
    if (group.length === 1 || outcome.failure === 'fail') {
      for (const entry of group) entry.reject(outcome.error);
      return;
    }
    for (const [i, entry] of group.entries()) {
      const alone = await commitRetrying([entry.item]);
      if ('results' in alone) {
        entry.resolve(alone.results[0]);
      } else if (alone.failure === 'fail') {
        // the database went away mid-split: the rest would only fail the same way, one by one
        for (const rest of group.slice(i)) rest.reject(alone.error);
        return;
      } else entry.reject(alone.error);
    }
  }

  async function drain(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, options.maxGroup);
        queue = queue.slice(group.length);
        await commitGroup(group);
      }
    } finally {
      writing = false;
    }
  }

  function schedule(): void {
    if (writing || scheduled) return;
    scheduled = true;
    const start = () => {
      scheduled = false;
      void drain();
    };
    if (options.lingerMs && options.lingerMs > 0) setTimeout(start, options.lingerMs);
    else setImmediate(start);
  }

  return {
    /** Queues `item` for the next group; resolves with its result once the group committed. */
    add(item: Item): Promise<Result> {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}

export type GroupCommit<Item, Result> = ReturnType<typeof createGroupCommit<Item, Result>>;
