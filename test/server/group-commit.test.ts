import t from 'tap';
import { createGroupCommit, isLockConflict, type GroupCommitOptions } from '../../server/group-commit.js';

/** An error shaped like a driver's, with its code. */
const driverError = (code: string) => Object.assign(new Error(code), { code });

/** Resolves after the event loop ran its pending setImmediate callbacks (a group start on linger 0). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A group commit whose `commit` records every call and fails as `fail` says (null = commit). */
function recording(options: Partial<GroupCommitOptions<string, string>> & { fail?: (items: string[], call: number) => Error | null } = {}) {
  const calls: string[][] = [];
  const groups = createGroupCommit<string, string>({
    maxGroup: 100,
    ...options,
    async commit(items) {
      calls.push(items);
      const error = options.fail?.(items, calls.length);
      if (error) throw error;
      return items.map((item) => item.toUpperCase());
    },
  });
  return { calls, groups };
}

t.test('group commit hands items queued in one turn to one commit, results in order', async (t) => {
  const { calls, groups } = recording();
  const results = await Promise.all(['a', 'b', 'c'].map((item) => groups.add(item)));
  t.same(results, ['A', 'B', 'C']);
  t.same(calls, [['a', 'b', 'c']]);
});

t.test('group commit splits a long queue into groups of at most maxGroup, in order', async (t) => {
  const { calls, groups } = recording({ maxGroup: 2 });
  const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => groups.add(item)));
  t.same(results, ['A', 'B', 'C', 'D', 'E']);
  t.same(calls, [['a', 'b'], ['c', 'd'], ['e']]);
});

t.test('group commit runs one group at a time: items queued meanwhile form the next group', async (t) => {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let running = 0;
  let most = 0;
  const calls: string[][] = [];
  const groups = createGroupCommit<string, string>({
    maxGroup: 100,
    async commit(items) {
      calls.push(items);
      running++;
      most = Math.max(most, running);
      if (calls.length === 1) await gate;
      running--;
      return items;
    },
  });
  const first = groups.add('a');
  await nextTurn();
  t.same(calls, [['a']], 'the first group started');
  const later = [groups.add('b'), groups.add('c')];
  await nextTurn();
  t.same(calls, [['a']], 'nothing else starts while it runs');
  release();
  t.same(await Promise.all([first, ...later]), ['a', 'b', 'c']);
  t.same(calls, [['a'], ['b', 'c']]);
  t.equal(most, 1);
});

t.test('group commit without linger starts the group on the next turn', async (t) => {
  const { calls, groups } = recording();
  const a = groups.add('a');
  await nextTurn();
  const b = groups.add('b');
  await Promise.all([a, b]);
  t.same(calls, [['a'], ['b']]);
});

t.test('group commit with a linger gathers items queued over several turns into one group', async (t) => {
  const { calls, groups } = recording({ lingerMs: 100 });
  const pending = [groups.add('a')];
  for (const item of ['b', 'c']) {
    await nextTurn();
    t.same(calls, [], 'still lingering');
    pending.push(groups.add(item));
  }
  t.same(await Promise.all(pending), ['A', 'B', 'C']);
  t.same(calls, [['a', 'b', 'c']]);
});

t.test('group commit splits a failed group: a bad item fails only its own caller', async (t) => {
  const bad = new Error('bad row');
  const { calls, groups } = recording({ fail: (items) => (items.includes('bad') ? bad : null) });
  const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => groups.add(item)));
  t.same(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.same(
    outcomes.map((o) => (o.status === 'fulfilled' ? o.value : null)),
    ['A', null, 'C'],
  );
  t.equal((outcomes[1] as PromiseRejectedResult).reason, bad, 'the item gets its own error');
  t.same(calls, [['a', 'bad', 'c'], ['a'], ['bad'], ['c']], 'no retry of the whole group by default');
});

t.test('group commit retries a group classified retry once whole, then succeeds', async (t) => {
  const seen: { retried: boolean; alone: boolean }[] = [];
  const { calls, groups } = recording({
    fail: (_items, call) => (call === 1 ? driverError('ER_LOCK_DEADLOCK') : null),
    onFailure: (error, attempt) => {
      seen.push(attempt);
      return isLockConflict(error) ? 'retry' : 'split';
    },
  });
  t.same(await Promise.all(['a', 'b'].map((item) => groups.add(item))), ['A', 'B']);
  t.same(calls, [
    ['a', 'b'],
    ['a', 'b'],
  ]);
  t.same(seen, [{ retried: false, alone: false }]);
});

t.test('group commit splits a group whose retry failed too, and retries each item once', async (t) => {
  const seen: { retried: boolean; alone: boolean }[] = [];
  const { calls, groups } = recording({
    // the whole group deadlocks twice; alone, 'b' deadlocks once, then commits
    fail: (items, call) => (items.length > 1 || (items[0] === 'b' && call === 4) ? driverError('ER_LOCK_DEADLOCK') : null),
    onFailure: (error, attempt) => {
      seen.push(attempt);
      return 'retry';
    },
  });
  t.same(await Promise.all(['a', 'b'].map((item) => groups.add(item))), ['A', 'B']);
  t.same(calls, [['a', 'b'], ['a', 'b'], ['a'], ['b'], ['b']]);
  t.same(seen, [
    { retried: false, alone: false },
    { retried: true, alone: false },
    { retried: false, alone: true },
  ]);
});

t.test('group commit fails every caller at once when the failure is classified fail', async (t) => {
  const gone = driverError('ECONNREFUSED');
  const { calls, groups } = recording({ fail: () => gone, onFailure: () => 'fail' });
  const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((item) => groups.add(item)));
  t.same(
    outcomes.map((o) => (o.status === 'rejected' ? o.reason : null)),
    [gone, gone, gone],
  );
  t.same(calls, [['a', 'b', 'c']], 'no item is tried alone');
});

t.test('group commit stops splitting when an item alone fails with a fail-class error', async (t) => {
  const bad = new Error('bad row');
  const gone = driverError('ECONNREFUSED');
  const { calls, groups } = recording({
    fail: (items) => (items.length > 1 ? bad : items[0] === 'b' ? gone : null),
    onFailure: (error) => (error === gone ? 'fail' : 'split'),
  });
  const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((item) => groups.add(item)));
  t.same(
    outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value)),
    ['A', gone, gone],
  );
  t.same(calls, [['a', 'b', 'c'], ['a'], ['b']]);
});

t.test('group commit keeps serving after a failed group', async (t) => {
  const { groups } = recording({ fail: (items) => (items.includes('bad') ? new Error('bad') : null) });
  await t.rejects(groups.add('bad'));
  t.equal(await groups.add('next'), 'NEXT');
});

t.test('isLockConflict knows deadlocks, lock waits and a busy SQLite file only', async (t) => {
  for (const code of ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']) t.ok(isLockConflict(driverError(code)), code);
  for (const code of ['ER_DUP_ENTRY', 'ECONNREFUSED']) t.notOk(isLockConflict(driverError(code)), code);
  t.notOk(isLockConflict(null));
  t.notOk(isLockConflict(new Error('plain')));
});
