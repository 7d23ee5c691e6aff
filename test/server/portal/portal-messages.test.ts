import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createApp, createEndpoint, runDispatcher, send } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession, portal } from '../../helpers/portal.js';
import { startReceiver } from '../../helpers/receiver.js';
import { waitFor } from '../../helpers/wait-for.js';

const ids = (body: { data: { id: string }[] }) => body.data.map((item) => item.id);

forEachDatabase(
  t,
  'portal messages',
  async (t, server) => {
    const receiver = await startReceiver((request) =>
      request.path === '/globex' ? { status: 503, body: 'down' } : { status: 200, body: 'ok' },
    );
    t.teardown(() => receiver.close());
    const setup = await createApp(server, { eventTypes: { 'invoice.paid': null, 'invoice.voided': null }, recipients: ['acme', 'globex'] });
    const acme = await createEndpoint(server, setup, 'acme', { url: `${receiver.url}/acme`, event_types: ['invoice.paid'] });
    // globex's receiver fails; with a one-hour retry its deliveries stay pending for the whole test
    const globex = await createEndpoint(server, setup, 'globex', { url: `${receiver.url}/globex` });
    const { token } = await createPortalSession(server, setup.app, 'acme');

    // m1 broadcast to both; m2 targeted at acme; m3 at globex; m4 broadcast that acme's filter
    // excludes (never sent to acme); m5 targeted at acme although no endpoint of it matches
    const m1 = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 1 } });
    const m2 = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 2 }, recipient: 'acme' });
    const m3 = await send(server, setup, { event_type: 'invoice.paid', payload: { n: 3 }, recipient: 'globex' });
    const m4 = await send(server, setup, { event_type: 'invoice.voided', payload: { n: 4 } });
    const m5 = await send(server, setup, { event_type: 'invoice.voided', payload: { n: 5 }, recipient: 'acme' });
    runDispatcher(t, server);
    await receiver.waitForRequests(5);
    await waitFor(async () => Number((await server.db('attempts').count({ n: '*' }).first())?.n) >= 5, 'five attempts recorded');

    await t.test("portal lists the recipient's messages: targeted at it or delivered to its endpoints", async (t) => {
      const listed = await portal(server, token, 'GET', '/messages');
      t.equal(listed.status, 200);
      t.same(ids(listed.body), [m5.id, m2.id, m1.id], 'newest first; m3 and m4 were never sent to acme');
      t.equal(listed.body.next_cursor, null);
      const [five, two, one] = listed.body.data;
      t.match(one, { id: m1.id, app_id: setup.app, event_type: 'invoice.paid', recipient_id: null, payload: { n: 1 }, created_at: /Z$/ });
      t.same(
        one.deliveries.map((d: { endpoint_id: string }) => d.endpoint_id),
        [acme.id],
        "globex's delivery of the broadcast is not shown",
      );
      t.match(one.deliveries[0], {
        status: 'succeeded',
        attempts: 1,
        next_attempt_at: null,
        last_attempt: { status: 'succeeded', response_status: 200, error: null },
      });
      t.equal(two.recipient_id, setup.recipients.acme);
      t.same(five.deliveries, [], 'a targeted message that matched no endpoint is listed without deliveries');
    });

    await t.test('portal message list filters by event type and pages by cursor', async (t) => {
      const voided = await portal(server, token, 'GET', '/messages?event_type=invoice.voided');
      t.same(ids(voided.body), [m5.id]);
      const first = await portal(server, token, 'GET', '/messages?limit=2');
      t.same(ids(first.body), [m5.id, m2.id]);
      const rest = await portal(server, token, 'GET', `/messages?limit=2&cursor=${first.body.next_cursor}`);
      t.same(ids(rest.body), [m1.id]);
      t.equal(rest.body.next_cursor, null);
      t.equal((await portal(server, token, 'GET', '/messages?event_type=bad%20name')).status, 400);
    });

    await t.test("portal lists a message's attempts to the recipient's endpoints only", async (t) => {
      const attempts = await portal(server, token, 'GET', `/messages/${m1.id}/attempts`);
      t.equal(attempts.status, 200);
      t.equal(attempts.body.data.length, 1, "globex's failed attempt of the broadcast is not shown");
      t.match(attempts.body.data[0], {
        id: /^atm_/,
        message_id: m1.id,
        endpoint_id: acme.id,
        attempt: 1,
        trigger: 'scheduled',
        status: 'succeeded',
        response_status: 200,
        response_body: 'ok',
        error: null,
      });
      for (const hidden of [m3.id, m4.id]) {
        const response = await portal(server, token, 'GET', `/messages/${hidden}/attempts`);
        t.equal(response.status, 404);
        t.equal(response.body.error, 'message_not_found');
      }
      const none = await portal(server, token, 'GET', `/messages/${m5.id}/attempts`);
      t.same(none.body, { ok: true, data: [], next_cursor: null });
    });

    await t.test("portal replays a message to one of the recipient's endpoints through the delivery engine", async (t) => {
      const before = receiver.requests.length;
      const replayed = await portal(server, token, 'POST', `/messages/${m1.id}/replay`, { endpoint_id: acme.id });
      t.equal(replayed.status, 202);
      t.same(replayed.body, { ok: true, data: { message_id: m1.id, replayed: 1 } });
      const requests = await receiver.waitForRequests(before + 1);
      const request = requests[before];
      t.equal(request.path, '/acme');
      t.equal(request.headers['webhook-id'], m1.id, 'the replay carries the message id');
      t.equal(request.body.toString(), JSON.stringify({ n: 1 }));
      const attempts = await waitFor(async () => {
        const response = await portal(server, token, 'GET', `/messages/${m1.id}/attempts`);
        return response.body.data.length === 2 ? response.body.data : null;
      }, 'the replay attempt');
      t.same(
        attempts.map((a: { trigger: string }) => a.trigger),
        ['replay', 'scheduled'],
        'newest first',
      );
      const listed = await portal(server, token, 'GET', '/messages?limit=3');
      const one = listed.body.data.find((m: { id: string }) => m.id === m1.id);
      t.match(one.deliveries, [{ endpoint_id: acme.id, status: 'succeeded', attempts: 2, last_attempt: { response_status: 200 } }]);

      // a message that matched none of its endpoints can still be sent to one on request (a "send test")
      const test = await portal(server, token, 'POST', `/messages/${m5.id}/replay`, { endpoint_id: acme.id });
      t.equal(test.status, 202);
      await receiver.waitForRequests(before + 2);
      t.equal(receiver.requests.filter((r) => r.path === '/globex').length, 3, 'globex received only its own three deliveries');
      const globexRows = await server.db('deliveries').where({ endpoint_id: globex.id });
      t.ok(
        globexRows.every((row: { trigger: string }) => row.trigger === 'scheduled'),
        'no replay went to globex',
      );
    });

    await t.test('portal replay validates its body and refuses purged payloads', async (t) => {
      for (const body of [{}, { endpoint_id: '' }, { endpoint_id: acme.id, extra: 1 }]) {
        const response = await portal(server, token, 'POST', `/messages/${m2.id}/replay`, body);
        t.equal(response.status, 400, JSON.stringify(body));
        t.equal(response.body.error, 'invalid_request');
      }
      // what the retention worker does to an old message
      await server.db('messages').where({ id: m2.id }).update({ payload: null, payload_expired: 1 });
      const expired = await portal(server, token, 'POST', `/messages/${m2.id}/replay`, { endpoint_id: acme.id });
      t.equal(expired.status, 400);
      t.equal(expired.body.error, 'payload_expired');
      const listed = await portal(server, token, 'GET', `/messages?event_type=invoice.paid&limit=1&cursor=${m3.id}`);
      t.match(listed.body.data[0], { id: m2.id, payload: null });
    });

    await t.test('portal message routes never leak the token into logs', async (t) => {
      t.notOk(server.logs.join('').includes(token));
    });

    // a deleted endpoint takes its deliveries with it: broadcasts it alone received drop out
    await t.test('portal stops listing broadcasts once the endpoint that received them is deleted', async (t) => {
      t.equal((await portal(server, token, 'DELETE', `/endpoints/${acme.id}`)).status, 200);
      const listed = await portal(server, token, 'GET', '/messages');
      t.same(ids(listed.body), [m5.id, m2.id], 'targeted messages stay; the broadcast goes');
    });
  },
  { env: { DISPATCH_RETRY_SCHEDULE: '1h' } },
);
