import t from 'tap';
import { claimDueDeliveries } from '../../../db/queries/deliveries.js';
import { createRecorder } from '../../../server/delivery/recorder.js';
import { TARGET_RESOLVERS } from '../../../server/delivery/resolvers.js';
import { createApp, createEndpoint, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';

// A claimed delivery that can no longer be attempted (its payload purged, its target gone) is
// finished as failed without an attempt; what depends on it is settled in the same transaction.

forEachDatabase(t, 'abandoning a fifo lane head makes the next message of the lane due in the same write', async (t, server) => {
  const setup = await createApp(server);
  const endpoint = await createEndpoint(server, setup, 'acme', { url: 'https://receiver.example/hook', ordering: 'fifo' });
  const first = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  const second = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 } });
  const now = Date.now();
  const claimed = await claimDueDeliveries(server.db, { now, limit: 10, leaseMs: 60_000, lockToken: 'test-process:1' });
  t.same(
    claimed.map((delivery) => delivery.messageId),
    [first.id],
    'only the head of the lane is claimable',
  );

  const { deps } = server;
  const recorder = createRecorder({
    db: deps.db,
    logger: deps.logger,
    signals: deps.signals,
    resolvers: TARGET_RESOLVERS,
    context: () => ({ db: deps.db, config: deps.config, now }),
  });
  t.equal(await recorder.abandon(claimed[0], 'another-process:1'), false, 'a lease held by another token is left alone');
  t.equal(await recorder.abandon(claimed[0], 'test-process:1'), true);

  const rows = await server
    .db('deliveries')
    .where({ endpoint_id: endpoint.id })
    .select<{ message_id: string; status: string; attempts: number; due_at: number | string | null }[]>(
      'message_id',
      'status',
      'attempts',
      'due_at',
    );
  const byMessage = new Map(rows.map((row) => [row.message_id, row]));
  t.match(byMessage.get(first.id), { status: 'failed', due_at: null }, 'the head finished as failed');
  t.equal(Number(byMessage.get(first.id)?.attempts), 0, 'without an attempt');
  t.equal(byMessage.get(second.id)?.status, 'pending');
  t.ok(byMessage.get(second.id)?.due_at !== null, 'the next message of the lane is due');
  const attempts = await server.db('attempts').where({ endpoint_id: endpoint.id }).count<{ n: number | string }[]>({ n: '*' });
  t.equal(Number(attempts[0].n), 0, 'no attempt row');
});
