import type { Knex } from 'knex';
import t from 'tap';
import { claimDueDeliveries } from '../../../db/queries/deliveries.js';
import { repairLanes } from '../../../db/queries/fifo-lanes.js';
import { api, createApp, createEndpoint, runDispatcher, send, type Setup } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { startReceiver, type ReceivedRequest } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';
import { inParallel } from '../../helpers/child-server.js';

// a 1,000-message backlog on MariaDB under a busy machine
t.setTimeout(240_000);

const indexOf = (request: ReceivedRequest) => (JSON.parse(request.body.toString('utf8')) as { i: number }).i;

/** Sends `count` messages one after the other (so accept order is i order); returns their ids. */
async function sendInOrder(server: TestServer, setup: Setup, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await send(server, setup, { event_type: 'invoice.paid', payload: { i } })).id);
  return ids;
}

const retryEnv = { env: { DISPATCH_RETRY_SCHEDULE: '150ms,150ms,150ms', DISPATCH_CONCURRENCY: '20' } };

forEachDatabase(
  t,
  'fifo delivers in accept order while the first message fails twice',
  async (t, server) => {
    const failures = new Map<number, number>();
    let open = 0;
    let mostOpen = 0;
    const receiver = await startReceiver((request) => {
      const i = indexOf(request);
      open++;
      mostOpen = Math.max(mostOpen, open);
      setTimeout(() => open--, 15);
      if (i === 0 && (failures.get(0) ?? 0) < 2) {
        failures.set(0, (failures.get(0) ?? 0) + 1);
        return { status: 500, delayMs: 15 };
      }
      return { status: 200, delayMs: 15 };
    });
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, ordering: 'fifo' });
    const ids = await sendInOrder(server, setup, 8);
    runDispatcher(t, server);

    await receiver.waitForRequests(10, 30_000);
    t.same(receiver.requests.map(indexOf), [0, 0, 0, 1, 2, 3, 4, 5, 6, 7], 'message 0 three times (two failures), then 1..7 in order');
    t.equal(mostOpen, 1, 'never two requests to the endpoint at once');
    const attempts = await waitFor(
      async () => {
        const list = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}/attempts?limit=100`);
        return list.length >= 10 ? list : null;
      },
      'ten recorded attempts',
      20_000,
    );
    t.equal(attempts.length, 10, 'ten attempts recorded');
    const detail = await api(server, 'GET', `/apps/${setup.app}/messages/${ids[0]}`);
    t.equal(detail.deliveries[0].status, 'succeeded', 'the head succeeded on its third attempt');
    t.equal(detail.deliveries[0].attempts, 3);
  },
  retryEnv,
);

forEachDatabase(
  t,
  'fifo lets the next message go once the head failed for good',
  async (t, server) => {
    const receiver = await startReceiver((request) => ({ status: indexOf(request) === 0 ? 503 : 200 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, ordering: 'fifo' });
    const ids = await sendInOrder(server, setup, 4);
    runDispatcher(t, server);

    await receiver.waitForRequests(5, 30_000);
    t.same(receiver.requests.map(indexOf), [0, 0, 1, 2, 3], 'the head twice (schedule of one retry), then the others in order');
    await waitFor(
      async () => (await api(server, 'GET', `/apps/${setup.app}/messages/${ids[3]}`)).deliveries[0].status === 'succeeded',
      'the last delivery recorded',
      20_000,
    );
    const head = await api(server, 'GET', `/apps/${setup.app}/messages/${ids[0]}`);
    t.equal(head.deliveries[0].status, 'failed', 'the head exhausted its retries');
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '150ms' } },
);

forEachDatabase(t, 'fifo ordering is validated, echoed, and null reads none', async (t, server) => {
  const setup = await createApp(server);
  const base = `/api/v1/apps/${setup.app}/recipients/acme/endpoints`;
  const plain = await server.request('POST', base, { body: { url: 'https://example.com/a' } });
  t.equal(plain.status, 201);
  t.equal(plain.body.data.ordering, 'none', 'default none');
  const fifo = await server.request('POST', base, { body: { url: 'https://example.com/b', ordering: 'fifo' } });
  t.equal(fifo.body.data.ordering, 'fifo');
  const bad = await server.request('POST', base, { body: { url: 'https://example.com/c', ordering: 'lifo' } });
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'invalid_request');
  t.ok(
    (bad.body.details as { path: string }[]).some((d) => d.path === '/ordering'),
    'details name /ordering',
  );
  const cleared = await server.request('PATCH', `${base}/${fifo.body.data.id}`, { body: { ordering: null } });
  t.equal(cleared.status, 200);
  t.equal(cleared.body.data.ordering, 'none', 'null clears to none');
  const again = await server.request('GET', `${base}/${fifo.body.data.id}`);
  t.equal(again.body.data.ordering, 'none');
});

forEachDatabase(t, 'fifo switched on and off moves the waiting deliveries', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://example.com/hook' });
  await sendInOrder(server, setup, 5);
  const due = async () =>
    Number((await server.db('deliveries').where({ endpoint_id: endpoint.id }).whereNotNull('due_at').count({ n: '*' }))[0].n);
  t.equal(await due(), 5, 'ordering none: all five due');
  await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { ordering: 'fifo' });
  t.equal(await due(), 1, 'fifo: only the head is due');
  const head = await server.db('deliveries').where({ endpoint_id: endpoint.id }).whereNotNull('due_at').first('message_id');
  const first = await server.db('deliveries').where({ endpoint_id: endpoint.id }).orderBy('message_id', 'asc').first('message_id');
  t.equal(head.message_id, first.message_id, 'the head is the earliest message');
  await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { ordering: 'none' });
  t.equal(await due(), 5, 'back to none: all five due again');
});

forEachDatabase(
  t,
  'fifo resumes held deliveries in accept order when the endpoint is re-enabled',
  async (t, server) => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    t.teardown(() => receiver.close());
    const setup = await createApp(server);
    const endpoint = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/hook`, ordering: 'fifo', disabled: true });
    await sendInOrder(server, setup, 6);
    runDispatcher(t, server);
    await api(server, 'PATCH', `/apps/${setup.app}/recipients/acme/endpoints/${endpoint.id}`, { disabled: false });
    await receiver.waitForRequests(6, 30_000);
    t.same(receiver.requests.map(indexOf), [0, 1, 2, 3, 4, 5], 'held deliveries go out one at a time in accept order');
  },
  retryEnv,
);

forEachDatabase(t, 'fifo claim reads only the head of a 1,000-message backlog', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://example.com/hook', ordering: 'fifo' });
  await inParallel(1000, 16, (i) => send(server, setup, { event_type: 'invoice.paid', payload: { i } }));
  const db = server.db;
  const [{ n: waiting }] = await db('deliveries')
    .where({ endpoint_id: endpoint.id, status: 'pending' })
    .whereNull('due_at')
    .count({ n: '*' });
  const [{ n: due }] = await db('deliveries')
    .where({ endpoint_id: endpoint.id, status: 'pending' })
    .whereNotNull('due_at')
    .count({ n: '*' });
  t.equal(Number(waiting), 999, '999 deliveries wait in the lane without a due_at');
  t.equal(Number(due), 1, 'one head is due');
  const head = await db('deliveries').where({ endpoint_id: endpoint.id }).whereNotNull('due_at').first('message_id');
  const [{ m: earliest }] = await db('deliveries').where({ endpoint_id: endpoint.id }).min({ m: 'message_id' });
  t.equal(head.message_id, earliest, 'the head is the earliest accepted message');

  const now = Date.now() + 60_000;
  const claimSql = db('deliveries').where('due_at', '<=', now).orderBy('due_at', 'asc').limit(500).toSQL().toNative();
  const nextSql = db('deliveries')
    .where({ endpoint_id: endpoint.id, status: 'pending' })
    .whereNull('due_at')
    .orderBy([
      { column: 'message_id', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(1)
    .select('id')
    .toSQL()
    .toNative();
  if (server.dialect === 'sqlite') {
    const plan = async (sql: Knex.SqlNative) =>
      (await db.raw<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql.sql}`, [...sql.bindings])).map((row) => row.detail).join('; ');
    const claimPlan = await plan(claimSql);
    t.match(claimPlan, /SEARCH deliveries USING INDEX deliveries_due_at_index \(due_at<\?\)/, `claim: ${claimPlan}`);
    const nextPlan = await plan(nextSql);
    t.match(nextPlan, /USING (COVERING )?INDEX deliveries_fifo_lane_index/, `next row: ${nextPlan}`);
    t.notMatch(nextPlan, /TEMP B-TREE/, 'the next row needs no sort');
  } else {
    // rows examined, read from the handler counters of one connection around the claim's SELECT
    const examined = await db.transaction(async (tx) => {
      await tx.raw('FLUSH STATUS');
      await tx.raw(`${claimSql.sql} FOR UPDATE SKIP LOCKED`, [...claimSql.bindings]);
      const rows = ((await tx.raw("SHOW SESSION STATUS LIKE 'Handler_read%'")) as [{ Variable_name: string; Value: string }[]])[0];
      return rows.reduce((sum, row) => sum + Number(row.Value), 0);
    });
    t.ok(examined <= 10, `the claim examined ${examined} index entries for a 1,000-row backlog`);
    const [explained] = (await db.raw(`EXPLAIN ${nextSql.sql}`, [...nextSql.bindings])) as [{ key: string; Extra: string | null }[]];
    t.equal(explained[0].key, 'deliveries_fifo_lane_index', 'the next row is found through the lane index');
    t.notMatch(explained[0].Extra ?? '', /filesort/, 'without a sort');
  }
  const claimed = await claimDueDeliveries(db, { now, limit: 500, leaseMs: 10_000, lockToken: 'test:1' });
  t.equal(claimed.length, 1, 'a claim with room for 500 gets only the head');
});

forEachDatabase(t, 'fifo keeps replays in the lane and the sweep restores a lane that lost its head', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://example.com/hook', ordering: 'fifo' });
  const ids = await sendInOrder(server, setup, 3);
  const heads = () =>
    server.db('deliveries').where({ endpoint_id: endpoint.id, status: 'pending' }).whereNotNull('due_at').select('id', 'message_id');
  t.equal((await heads()).length, 1, 'one head');
  await api(server, 'POST', `/apps/${setup.app}/messages/${ids[2]}/replay`, {});
  t.equal(
    Number((await server.db('deliveries').where({ endpoint_id: endpoint.id, status: 'pending' }).count({ n: '*' }))[0].n),
    4,
    'the replay added a delivery',
  );
  t.equal((await heads()).length, 1, 'a replay waits in the lane too: still one head');

  // a crash between a head's end and the promotion (normally one transaction) leaves no head
  await server.db('deliveries').where({ endpoint_id: endpoint.id }).update({ due_at: null });
  t.equal((await heads()).length, 0, 'headless lane');
  const madeDue = await repairLanes(server.db, Date.now());
  t.equal(madeDue, 1, 'the sweep made one row due');
  const [head] = await heads();
  t.equal(head.message_id, ids[0], 'the earliest message is the head again');
  t.equal(await repairLanes(server.db, Date.now()), 0, 'a healthy lane is left alone');
});
