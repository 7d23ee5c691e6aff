import t from 'tap';
import { retryOnDeadlock } from '../../db/deadlock-retry.js';

function driverError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

t.test('retryOnDeadlock runs the work again after a deadlock and returns its result', async (t) => {
  let runs = 0;
  const retried: number[] = [];
  const result = await retryOnDeadlock(
    async () => {
      runs++;
      if (runs < 3) throw driverError('ER_LOCK_DEADLOCK');
      return 'committed';
    },
    { baseDelayMs: 1, onRetry: (_error, attempt) => retried.push(attempt) },
  );
  t.equal(result, 'committed');
  t.equal(runs, 3);
  t.same(retried, [1, 2], 'told about each retried conflict');
});

t.test('retryOnDeadlock throws the last deadlock after the bounded number of runs', async (t) => {
  let runs = 0;
  await t.rejects(
    retryOnDeadlock(
      async () => {
        runs++;
        throw driverError('ER_LOCK_DEADLOCK');
      },
      { attempts: 4, baseDelayMs: 1 },
    ),
    { code: 'ER_LOCK_DEADLOCK' },
  );
  t.equal(runs, 4);
});

t.test('retryOnDeadlock never retries another error', async (t) => {
  for (const code of ['ER_DUP_ENTRY', 'ECONNREFUSED', 'ER_PARSE_ERROR']) {
    let runs = 0;
    await t.rejects(
      retryOnDeadlock(async () => {
        runs++;
        throw driverError(code);
      }),
      { code },
    );
    t.equal(runs, 1, `${code} is thrown at once`);
  }
});

t.test('retryOnDeadlock pauses a jittered, growing, capped time between runs', async (t) => {
  const pauses: number[] = [];
  let last = Date.now();
  let runs = 0;
  await retryOnDeadlock(
    async () => {
      const now = Date.now();
      if (runs++ > 0) pauses.push(now - last);
      last = now;
      if (runs < 5) throw driverError('ER_LOCK_DEADLOCK');
    },
    { baseDelayMs: 20, maxDelayMs: 40 },
  );
  t.equal(pauses.length, 4);
  // d = 20, 40, 40, 40: each pause in [d/2, d] (timers may fire a little late, never early)
  t.ok(pauses[0] >= 9, `first pause ${pauses[0]} ms`);
  for (const pause of pauses.slice(1)) t.ok(pause >= 19, `later pause ${pause} ms is at least half the cap`);
});
