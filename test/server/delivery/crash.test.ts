import t from 'tap';
import { createTestDatabase } from '../../helpers/databases.js';
import { inParallel, startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createDb } from '../../../db/index.js';

// child processes and thousands of messages: more than tap's default per-file budget on a busy 2-core box
t.setTimeout(300_000);

const skip = process.env.TEST_MYSQL_URL ? false : 'needs TEST_MYSQL_URL (MariaDB/MySQL)';

async function must(child: ChildServer, method: string, path: string, body?: unknown) {
  const response = await child.request(method, `/api/v1${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data;
}

t.test('crash: a SIGKILLed server loses no accepted message; the restart delivers every one', { skip }, async (t) => {
  const database = await createTestDatabase('mysql');
  t.teardown(() => database.drop());
  // slow answers keep a few hundred attempts in flight when the process dies
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 40 }));
  t.teardown(() => receiver.close());
  const env = { DISPATCH_REQUEST_TIMEOUT: '1s', DISPATCH_CONCURRENCY: '40', DISPATCH_RETRY_SCHEDULE: '200ms' };

  const first = await startChildServer(database.url, env);
  t.teardown(() => first.kill());
  const app = await must(first, 'POST', '/apps', { name: 'crash' });
  await must(first, 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
  await must(first, 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
  await must(first, 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url: `${receiver.url}/hook` });

  const accepted = new Set<string>();
  const refused: string[] = [];
  const unsent: number[] = [];
  let target = first;
  let dead = false;
  const send = async (i: number) => {
    if (dead) return void unsent.push(i);
    try {
      const response = await target.request('POST', `/api/v1/apps/${app.id}/messages`, { event_type: 'tick', payload: { i } });
      if (response.status === 202) accepted.add(response.body.data.id);
      else refused.push(`${response.status} ${JSON.stringify(response.body)}`);
    } catch {
      // the process died under this request: not accepted, so nothing is owed
    }
  };
  const sending = inParallel(2000, 24, send);
  // kill mid-stream: messages are still being accepted, and accepted ones are pending or in flight
  await waitFor(() => accepted.size >= 1200, '1200 accepted messages', 120_000);
  dead = true;
  await first.kill();
  await sending;
  t.same(refused, [], 'every answered send before the crash was accepted');

  const db = createDb({ databaseUrl: database.url, poolSize: 2 });
  t.teardown(() => db.destroy());
  const [{ n: outstanding }] = await db('deliveries').where({ status: 'pending' }).count({ n: '*' });
  const [{ n: leased }] = await db('deliveries').whereNotNull('locked_by').count({ n: '*' });
  t.comment(`killed with ${outstanding} deliveries outstanding, ${leased} leased by the dead process`);
  t.ok(Number(outstanding) > 0, `killed with ${outstanding} deliveries outstanding, ${leased} of them leased by the dead process`);

  const second = await startChildServer(database.url, env);
  t.teardown(() => second.kill());
  target = second;
  dead = false;
  // the rest of the 2,000 go to the restarted process
  await inParallel(unsent.length, 24, (k) => send(unsent[k]));
  t.same(refused, [], 'every send after the restart was accepted');
  const restarted = Date.now();
  await waitFor(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return [...accepted].every((id) => seen.has(id));
    },
    'every accepted message at the receiver',
    60_000,
    200,
  );
  t.comment(`restart delivered the rest in ${Date.now() - restarted} ms`);
  const counts = new Map<string, number>();
  for (const request of receiver.requests)
    counts.set(request.headers['webhook-id'] as string, (counts.get(request.headers['webhook-id'] as string) ?? 0) + 1);
  const missing = [...accepted].filter((id) => !counts.has(id));
  t.same(missing, [], 'no accepted message is missing');
  t.ok(
    [...accepted].every((id) => (counts.get(id) ?? 0) >= 1),
    'each accepted message delivered at least once',
  );
  t.comment(`accepted ${accepted.size}, requests ${receiver.requests.length}, duplicates ${receiver.requests.length - counts.size}`);
  t.equal(await second.stop(), 0, 'SIGTERM exits 0');
});

t.test('SIGTERM: in-flight attempts that cannot finish within the shutdown grace are released and the process exits 0', async (t) => {
  const database = await createTestDatabase('sqlite');
  t.teardown(() => database.drop());
  const receiver = await startReceiver(() => ({ hang: true }));
  t.teardown(() => receiver.close());
  // a 2 s grace instead of the 10 s default: the behaviour (wait out the grace, then release)
  // is the same, the test just does not sit through 10 s of it
  const child = await startChildServer(database.url, { DISPATCH_REQUEST_TIMEOUT: '60s', DISPATCH_SHUTDOWN_GRACE: '2s' });
  t.teardown(() => child.kill());
  const app = await must(child, 'POST', '/apps', { name: 'term' });
  await must(child, 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
  await must(child, 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
  await must(child, 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url: receiver.url });
  for (let i = 0; i < 3; i++) await must(child, 'POST', `/apps/${app.id}/messages`, { event_type: 'tick', payload: { i } });
  await receiver.waitForRequests(3);
  const started = Date.now();
  t.equal(await child.stop(), 0, 'exits 0');
  const took = Date.now() - started;
  // the requests hang for good and the request timeout is 60 s: exiting well before it is the grace at work
  t.ok(took >= 1_000, `waited out the 2 s grace (${took} ms)`);
  t.ok(took < 30_000, `then stopped without waiting for the 60 s request timeout (${took} ms)`);
  const db = createDb({ databaseUrl: database.url });
  t.teardown(() => db.destroy());
  const rows = await db('deliveries');
  t.equal(rows.length, 3);
  t.ok(
    rows.every((row) => row.status === 'pending' && row.locked_by === null && Number(row.attempts) === 0),
    'released, unattempted, due again',
  );
});
