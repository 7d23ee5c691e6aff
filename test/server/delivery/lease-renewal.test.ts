import t, { type Test } from 'tap';
import type { Delivery } from '../../../db/queries/deliveries.js';
import { startDispatcher, leaseMs, type Dispatcher } from '../../../server/delivery/dispatcher.js';
import { TARGET_RESOLVERS } from '../../../server/delivery/resolvers.js';
import type { TargetResolver } from '../../../server/delivery/targets.js';
import { createApp, createEndpoint, send } from '../../helpers/dispatch-fixtures.js';
import { forEachDatabase } from '../../helpers/each-database.js';
import { startReceiver } from '../../helpers/receiver.js';
import type { TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait-for.js';

// A row is its claimer's until the attempt is recorded. When that takes longer than the lease
// (a slow database, a starved machine), the claimer renews the lease, so no other process claims
// the row and the receiver gets the message once; a row another process did take is not sent.

t.setTimeout(120_000);

// a short lease (the timeout + 5 s), with a timeout a starved machine does not reach on loopback
const env = { DISPATCH_REQUEST_TIMEOUT: '2s' };
const lease = leaseMs(2_000);

/**
 * The endpoint resolver, held up on its first batch until `release()`: the claimed rows stay in
 * flight as long as the test wants, the way a slow database holds them.
 */
function heldResolver() {
  const real = TARGET_RESOLVERS.endpoint as TargetResolver;
  let claimed: Delivery[] | null = null;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const resolver: TargetResolver = {
    async resolve(ctx, deliveries) {
      if (claimed === null) {
        claimed = deliveries;
        await gate;
      }
      return real.resolve(ctx, deliveries);
    },
    afterAttempts: (tx, ctx, attempts) => real.afterAttempts(tx, ctx, attempts),
    afterAbandoned: (tx, ctx, deliveries) => real.afterAbandoned(tx, ctx, deliveries),
  };
  return { resolver, release, claimed: () => claimed };
}

function stopAtTeardown(t: Test, dispatcher: Dispatcher): Dispatcher {
  t.teardown(() => dispatcher.stop(2_000));
  return dispatcher;
}

/** A receiver, an endpoint and one message, whose row a dispatcher claims and then holds until `held.release()`. */
async function claimOneRowAndHoldIt(t: Test, server: TestServer) {
  const receiver = await startReceiver();
  t.teardown(() => receiver.close());
  const setup = await createApp(server);
  await createEndpoint(server, setup, 'acme', { url: receiver.url });
  const held = heldResolver();
  const slow = stopAtTeardown(t, startDispatcher(server.deps, { pollMs: 50, resolvers: { endpoint: held.resolver } }));
  const sentAt = Date.now();
  const message = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
  const [claimed] = await waitFor(() => held.claimed(), 'the slow dispatcher to claim the row');
  t.equal(claimed.messageId, message.id, 'the slow dispatcher claimed the message');
  return { receiver, held, slow, claimed, sentAt };
}

async function deliveryRow(server: TestServer, id: string) {
  return server
    .db('deliveries')
    .where({ id })
    .first<{ status: string; attempts: number; due_at: number | string | null; locked_by: string | null }>();
}

forEachDatabase(
  t,
  'lease renewal: a row held past its lease is renewed, no other process claims it, and it is delivered once',
  async (t, server) => {
    const { receiver, held, slow, claimed, sentAt } = await claimOneRowAndHoldIt(t, server);
    // a second process polls all along; it would claim the row as soon as its lease ran out
    stopAtTeardown(t, startDispatcher(server.deps, { pollMs: 50 }));

    const firstExpiry = claimed.dueAt as number;
    t.ok(firstExpiry >= sentAt + lease, 'the claim leased the row for a whole lease');
    await waitFor(() => Date.now() > firstExpiry + lease / 3, 'the first lease to run out, and a renewal period more', lease * 3, 100);
    const renewed = await deliveryRow(server, claimed.id);
    t.equal(renewed?.locked_by, claimed.lockedBy, 'still leased to the slow dispatcher');
    t.ok(Number(renewed?.due_at) > firstExpiry, 'its expiry was pushed past the first lease');
    t.same(receiver.requests, [], 'nothing was sent by the other process');

    held.release();
    await receiver.waitForRequests(1);
    await waitFor(async () => (await deliveryRow(server, claimed.id))?.status === 'succeeded', 'the attempt to be recorded');
    await waitFor(() => slow.inFlight() === 0, 'the slow dispatcher to finish');
    const row = await deliveryRow(server, claimed.id);
    t.equal(Number(row?.attempts), 1, 'one attempt recorded');
    const attempts = await server.db('attempts').where({ delivery_id: claimed.id }).count<{ n: number | string }[]>({ n: '*' });
    t.equal(Number(attempts[0].n), 1, 'one attempt row');
    t.equal(receiver.requests.length, 1, 'the receiver got the message once');
  },
  { env },
);

forEachDatabase(
  t,
  'lease renewal: a row another process claimed meanwhile is not sent by the process that lost it',
  async (t, server) => {
    const { receiver, held, slow, claimed } = await claimOneRowAndHoldIt(t, server);

    // what a process that claimed the row after its lease ran out leaves behind
    const taker = 'other-host-1-00000000:1';
    const takenUntil = Date.now() + 60_000;
    await server.db('deliveries').where({ id: claimed.id }).update({ locked_by: taker, due_at: takenUntil });
    await waitFor(
      () => server.logs.some((line) => line.includes('another process claimed the rows')),
      'the renewal to find the row taken',
      lease * 2,
      50,
    );

    held.release();
    await waitFor(() => slow.inFlight() === 0, 'the slow dispatcher to finish');
    t.same(receiver.requests, [], 'the dispatcher that lost the lease sent nothing');
    const row = await deliveryRow(server, claimed.id);
    t.same(
      [row?.status, Number(row?.attempts), row?.locked_by, Number(row?.due_at)],
      ['pending', 0, taker, takenUntil],
      'the row is left to its new holder',
    );
  },
  { env },
);
