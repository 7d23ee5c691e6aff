import t from 'tap';
import { createEndpointFilters } from '../../../server/delivery/endpoint-filters.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { Json } from '../../helpers/json.js';

// CONTRACT §8, §8.1: an endpoint receives a message only when its event types AND its filter match

t.setTimeout(240_000);

t.test('endpoint filters compile once per endpoint version', async (t) => {
  const filters = createEndpointFilters();
  const text = JSON.stringify({ tier: 'gold' });
  const first = filters.matcherFor('ep_1', text);
  t.ok(first, 'a filter compiles');
  t.equal(filters.matcherFor('ep_1', JSON.stringify({ tier: 'gold' })), first, 'the same filter text reuses the compiled one');
  t.equal(first?.({ tier: 'gold' }), true);
  t.equal(first?.({ tier: 'silver' }), false);
  const changed = filters.matcherFor('ep_1', JSON.stringify({ tier: 'silver' }));
  t.not(changed, first, 'a changed filter is compiled again');
  t.equal(changed?.({ tier: 'silver' }), true);
  t.equal(filters.size(), 1, 'one entry per endpoint');
  t.equal(filters.matcherFor('ep_2', null), null, 'no filter: no matcher');
  t.equal(filters.matcherFor('ep_3', '{"a":{"$nope":1}}')?.({ a: 1 }), false, 'a stored filter that no longer compiles matches nothing');
  t.equal(filters.matcherFor('ep_4', '{}')?.({ anything: true }), true, '{} matches every payload');
});

forEachDatabase(
  t,
  'filtered fan-out: each endpoint receives only the messages its filter matches, on both accept paths',
  async (t, server) => {
    runDispatcher(t, server);
    const receivers = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    t.teardown(() => Promise.all(receivers.map((r) => r.close())));
    const [goldReceiver, bigReceiver, allReceiver] = receivers;
    const setup = await createApp(server, { eventTypes: { 'order.created': null, 'order.paid': null } });
    const gold = await createEndpoint(server, setup, 'acme', { url: goldReceiver.url, filter: { 'customer.tier': 'gold' } });
    const big = await createEndpoint(server, setup, 'acme', {
      url: bigReceiver.url,
      event_types: ['order.paid'],
      filter: { $or: [{ amount: { $gte: 100 } }, { 'items.0.sku': { $prefix: 'VIP-' } }] },
    });
    await createEndpoint(server, setup, 'acme', { url: allReceiver.url });

    const cases: { event: string; payload: Json; key?: string; expected: string[] }[] = [
      { event: 'order.created', payload: { customer: { tier: 'gold' }, amount: 500 }, expected: ['gold', 'all'] },
      { event: 'order.paid', payload: { customer: { tier: 'gold' }, amount: 500 }, expected: ['gold', 'big', 'all'] },
      { event: 'order.paid', payload: { customer: { tier: 'silver' }, amount: 5, items: [{ sku: 'VIP-1' }] }, expected: ['big', 'all'] },
      { event: 'order.paid', payload: { customer: { tier: 'silver' }, amount: 5 }, key: 'k-1', expected: ['all'] },
      { event: 'order.paid', payload: { customer: { tier: 'gold' }, amount: 150 }, key: 'k-2', expected: ['gold', 'big', 'all'] },
      { event: 'order.paid', payload: { amount: '500' }, expected: ['all'] },
    ];
    const byName: Record<string, string[]> = { gold: [], big: [], all: [] };
    for (const c of cases) {
      const sent = await send(server, setup, { event_type: c.event, payload: c.payload }, c.key ? { 'idempotency-key': c.key } : undefined);
      t.equal(sent.delivery_count, c.expected.length, `${JSON.stringify(c.payload)} fans out to ${c.expected.join(', ')}`);
      for (const name of c.expected) byName[name].push(sent.id);
    }
    await goldReceiver.waitForRequests(byName.gold.length);
    await bigReceiver.waitForRequests(byName.big.length);
    await allReceiver.waitForRequests(byName.all.length);
    const ids = (receiver: typeof goldReceiver) => receiver.requests.map((r) => r.headers['webhook-id']).sort();
    t.same(ids(goldReceiver), [...byName.gold].sort(), 'the gold endpoint got exactly the gold messages');
    t.same(ids(bigReceiver), [...byName.big].sort(), 'the big endpoint got exactly its matches of order.paid');
    t.same(ids(allReceiver), [...byName.all].sort(), 'the unfiltered endpoint got everything');

    // a PATCHed filter applies to the next message; null clears it
    const path = `/apps/${setup.app}/recipients/acme/endpoints/${gold.id}`;
    await api(server, 'PATCH', path, { filter: { 'customer.tier': 'silver' } });
    const silver = await send(server, setup, { event_type: 'order.created', payload: { customer: { tier: 'silver' } } });
    t.equal(silver.delivery_count, 2, 'the new filter takes effect at once');
    await api(server, 'PATCH', path, { filter: null });
    const anyTier = await send(server, setup, { event_type: 'order.created', payload: { customer: { tier: 'bronze' } } });
    t.equal(anyTier.delivery_count, 2, 'a cleared filter matches every payload');
    t.ok(server.deps.endpointFilters.size() >= 1 && server.deps.endpointFilters.size() <= 2, 'one compiled filter per filtered endpoint');
    const rows = await server.db('deliveries').where({ message_id: anyTier.id }).select('endpoint_id');
    t.ok(
      rows.some((row: Json) => row.endpoint_id === gold.id),
      'delivered to the endpoint whose filter was cleared',
    );
    t.notOk(
      rows.some((row: Json) => row.endpoint_id === big.id),
      'event types still apply',
    );
  },
);

forEachDatabase(t, 'filtered fan-out: a disabled endpoint gets held deliveries only for messages its filter matches', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://hooks.example.com/', disabled: true, filter: { ok: true } });
  const matching = await send(server, setup, { event_type: 'invoice.paid', payload: { ok: true } });
  const other = await send(server, setup, { event_type: 'invoice.paid', payload: { ok: false } });
  t.equal(matching.delivery_count, 1);
  t.equal(other.delivery_count, 0);
  const rows = await server.db('deliveries').where({ endpoint_id: endpoint.id }).select('message_id', 'status');
  t.same(rows, [{ message_id: matching.id, status: 'held' }]);
});
