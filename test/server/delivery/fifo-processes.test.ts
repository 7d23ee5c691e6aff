import t from 'tap';
import { createDb } from '../../../db/index.js';
import { startChildServer, type ChildServer } from '../../helpers/child-server.js';
import { createTestDatabase } from '../../helpers/databases.js';
import type { Json } from '../../helpers/json.js';
import { startReceiver, type ReceivedRequest } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';

// child server processes on a busy 2-core box, and a lease that has to run out
t.setTimeout(240_000);

const skip = process.env.TEST_MYSQL_URL ? false : 'needs TEST_MYSQL_URL (MariaDB/MySQL)';

async function must(child: ChildServer, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await child.request(method, `/api/v1${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data;
}

const indexOf = (request: ReceivedRequest) => (JSON.parse(request.body.toString('utf8')) as { i: number }).i;

/** An app with one fifo endpoint at `url`, created through `child`; returns the app id. */
async function fifoApp(child: ChildServer, url: string): Promise<string> {
  const app = await must(child, 'POST', '/apps', { name: 'fifo' });
  await must(child, 'POST', `/apps/${app.id}/event-types`, { name: 'tick' });
  await must(child, 'POST', `/apps/${app.id}/recipients`, { uid: 'r' });
  await must(child, 'POST', `/apps/${app.id}/recipients/r/endpoints`, { url, ordering: 'fifo' });
  return app.id as string;
}

t.test('fifo holds across two server processes on one database: strictly in order, one at a time', { skip }, async (t) => {
  const database = await createTestDatabase('mysql');
  t.teardown(() => database.drop());
  let open = 0;
  let mostOpen = 0;
  const receiver = await startReceiver(() => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    setTimeout(() => open--, 10);
    return { status: 200, delayMs: 10 };
  });
  t.teardown(() => receiver.close());
  // the default 15 s request timeout: on a starved machine a shorter one could time out an
  // attempt the receiver did get, and its retry would be a second copy
  const env = { DISPATCH_RETRY_SCHEDULE: '200ms' };
  const first = await startChildServer(database.url, env);
  t.teardown(() => first.kill());
  const second = await startChildServer(database.url, env);
  t.teardown(() => second.kill());
  const app = await fifoApp(first, `${receiver.url}/hook`);

  // accept order is send order: each send is answered before the next, alternating processes
  const count = 40;
  for (let i = 0; i < count; i++)
    await must(i % 2 === 0 ? first : second, 'POST', `/apps/${app}/messages`, { event_type: 'tick', payload: { i } });
  await receiver.waitForRequests(count, 120_000);
  t.same(
    receiver.requests.map(indexOf),
    Array.from({ length: count }, (_, i) => i),
    'every message exactly once, in accept order',
  );
  t.equal(mostOpen, 1, 'never two requests to the endpoint at once');
  const spanMs = receiver.requests[count - 1].at - receiver.requests[0].at;
  t.comment(`${count} fifo deliveries through two processes in ${spanMs} ms (sent one by one meanwhile; receiver answering in 10 ms)`);
  t.equal(await first.stop(), 0);
  t.equal(await second.stop(), 0);
});

t.test(
  'fifo: the process holding the head is SIGKILLed mid-attempt; after its lease expires message 1 still goes before 2',
  { skip },
  async (t) => {
    const database = await createTestDatabase('mysql');
    t.teardown(() => database.drop());
    // the first request (message 0) hangs until the process that sent it is killed
    const receiver = await startReceiver((_request, index) => (index === 0 ? { hang: true } : { status: 200 }));
    t.teardown(() => receiver.close());
    // lease = 2 s timeout + 5 s: short, so the test does not sit through the 15 s default margin
    const env = { DISPATCH_REQUEST_TIMEOUT: '2s', DISPATCH_RETRY_SCHEDULE: '200ms' };
    const a = await startChildServer(database.url, env);
    t.teardown(() => a.kill());
    const b = await startChildServer(database.url, env);
    t.teardown(() => b.kill());
    const app = await fifoApp(a, `${receiver.url}/hook`);
    for (let i = 0; i < 3; i++) await must(i === 1 ? b : a, 'POST', `/apps/${app}/messages`, { event_type: 'tick', payload: { i } });

    const [hanging] = await receiver.waitForRequests(1, 30_000);
    t.equal(indexOf(hanging), 0, 'message 0 is the head');
    // whichever process claimed it holds the lease: its pid is in the lock token
    const db = createDb({ databaseUrl: database.url, poolSize: 2 });
    t.teardown(() => db.destroy());
    const head = await db('deliveries')
      .whereNotNull('locked_by')
      .first<{ locked_by: string; due_at: number | string }>('locked_by', 'due_at');
    t.ok(head, 'the head is leased');
    const holder = [a, b].find((child) => head?.locked_by.includes(`-${child.process.pid}-`));
    const survivor = holder === a ? b : a;
    t.ok(holder, 'the lease names one of the two processes');
    await (holder as ChildServer).kill();
    const killedAt = Date.now();
    const leaseEnd = Number(head?.due_at);

    await receiver.waitForRequests(4, 60_000);
    t.same(receiver.requests.map(indexOf), [0, 0, 1, 2], 'message 0 again (after the lease), then 1 and 2: nothing overtook it');
    const retriedAt = receiver.requests[1].at;
    t.ok(
      retriedAt >= leaseEnd - 50,
      `message 0 was sent again only once its lease had run out (${retriedAt - killedAt} ms after the kill)`,
    );
    await waitFor(
      async () => {
        const rows = await db('deliveries').select('status');
        return rows.length === 3 && rows.every((row: { status: string }) => row.status === 'succeeded');
      },
      'all three deliveries succeeded',
      30_000,
    );
    t.pass('all three succeeded');
    t.equal(await survivor.stop(), 0);
  },
);
