import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { api, createApp } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession, portal } from '../../helpers/portal.js';

const env = { DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false', DISPATCH_PLAN_LIMITS: '{"endpoints_per_recipient":3}' };

forEachDatabase(
  t,
  'portal endpoint routes',
  async (t, server) => {
    const setup = await createApp(server, {
      eventTypes: { 'invoice.paid': null, 'invoice.voided': null, 'old.event': null },
      recipients: ['acme'],
    });
    await api(server, 'POST', `/apps/${setup.app}/event-types/old.event/archive`);
    const { token } = await createPortalSession(server, setup.app, 'acme');

    let endpointId = '';
    let firstSecret = '';

    await t.test('portal creates an endpoint with a generated secret for its recipient', async (t) => {
      const created = await portal(server, token, 'POST', '/endpoints', {
        url: 'https://hooks.acme.example/in',
        description: 'prod',
        event_types: ['invoice.paid'],
      });
      t.equal(created.status, 201);
      t.match(created.body, {
        ok: true,
        data: {
          id: /^ep_/,
          recipient_id: setup.recipients.acme,
          app_id: setup.app,
          url: 'https://hooks.acme.example/in',
          description: 'prod',
          event_types: ['invoice.paid'],
          disabled: false,
        },
      });
      t.match(created.body.data.secret, /^whsec_[A-Za-z0-9+/=]{32,}$/);
      endpointId = created.body.data.id;
      firstSecret = created.body.data.secret;
      const viaApi = await api(server, 'GET', `/apps/${setup.app}/recipients/acme/endpoints/${endpointId}`);
      t.equal(viaApi.url, 'https://hooks.acme.example/in', 'the API sees the endpoint the portal made');
    });

    await t.test('portal lists, reads and updates the endpoint without exposing its secret', async (t) => {
      const listed = await portal(server, token, 'GET', '/endpoints');
      t.equal(listed.status, 200);
      t.same(
        listed.body.data.map((e: { id: string }) => e.id),
        [endpointId],
      );
      t.equal(listed.body.next_cursor, null);
      t.notOk(JSON.stringify(listed.body).includes(firstSecret), 'lists never include the secret');
      const read = await portal(server, token, 'GET', `/endpoints/${endpointId}`);
      t.equal(read.status, 200);
      t.notOk('secret' in read.body.data);
      const patched = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, {
        description: null,
        event_types: ['invoice.paid', 'invoice.voided'],
        disabled: true,
      });
      t.equal(patched.status, 200);
      t.match(patched.body.data, { description: null, event_types: ['invoice.paid', 'invoice.voided'], disabled: true });
      const enabled = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, { disabled: false });
      t.equal(enabled.body.data.disabled, false);
    });

    await t.test('portal sets the delivery options and sees the held count, with credentials write-only', async (t) => {
      const options = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, {
        filter: { 'customer.tier': 'gold' },
        retry_schedule: ['10s', '5m'],
        timeout: '20s',
        auth: { type: 'basic', username: 'dispatch', password: 'hunter2-portal' },
      });
      t.equal(options.status, 200);
      t.match(options.body.data, {
        filter: { 'customer.tier': 'gold' },
        retry_schedule: ['10s', '5m'],
        timeout: '20s',
        auth: { type: 'basic', username: 'dispatch', password: null },
        held_count: 0,
      });
      t.notOk(JSON.stringify(options.body).includes('hunter2-portal'), 'the password is never answered');
      const bad = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, { timeout: '2h' });
      t.equal(bad.status, 400);
      t.match(bad.body, { error: 'invalid_request', details: [{ path: '/timeout' }] });

      await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, { disabled: true });
      await api(server, 'POST', `/apps/${setup.app}/messages`, { event_type: 'invoice.paid', payload: { customer: { tier: 'gold' } } });
      await api(server, 'POST', `/apps/${setup.app}/messages`, { event_type: 'invoice.paid', payload: { customer: { tier: 'silver' } } });
      const read = await portal(server, token, 'GET', `/endpoints/${endpointId}`);
      t.equal(read.body.data.held_count, 1, 'the matching message waits as held; the filtered-out one never reached the endpoint');
      const listed = await portal(server, token, 'GET', '/endpoints');
      t.equal(listed.body.data[0].held_count, 1);

      const cleared = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, {
        filter: null,
        retry_schedule: null,
        timeout: null,
        auth: null,
        disabled: false,
      });
      t.match(cleared.body.data, { filter: null, retry_schedule: null, timeout: null, auth: null, disabled: false, held_count: 0 });
    });

    await t.test('portal reveals and rotates the signing secret', async (t) => {
      const revealed = await portal(server, token, 'GET', `/endpoints/${endpointId}/secret`);
      t.same(revealed.body, { ok: true, data: { secret: firstSecret } });
      const rotated = await portal(server, token, 'POST', `/endpoints/${endpointId}/rotate-secret`, {});
      t.equal(rotated.status, 200);
      t.match(rotated.body.data.secret, /^whsec_/);
      t.not(rotated.body.data.secret, firstSecret);
      const after = await portal(server, token, 'GET', `/endpoints/${endpointId}/secret`);
      t.equal(after.body.data.secret, rotated.body.data.secret, 'the new secret is current');
      const row = await server.db('endpoints').where({ id: endpointId }).first();
      t.equal(row.previous_secret, firstSecret, 'the old secret keeps signing for its grace period');
      const chosen = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
      const given = await portal(server, token, 'POST', `/endpoints/${endpointId}/rotate-secret`, { secret: chosen });
      t.equal(given.body.data.secret, chosen);
      const badSecret = await portal(server, token, 'POST', `/endpoints/${endpointId}/rotate-secret`, { secret: 'whsec_short' });
      t.equal(badSecret.status, 400);
    });

    await t.test('portal applies the API validation, SSRF check and event type check', async (t) => {
      const cases: [unknown, number, string, string?][] = [
        [{ url: 'http://10.0.0.7/hook' }, 400, 'destination_invalid'],
        [{ url: 'http://[::1]:8080/hook' }, 400, 'destination_invalid'],
        [{ url: 'ftp://hooks.acme.example/' }, 400, 'invalid_request', '/url'],
        [{ url: 'https://hooks.acme.example/', event_types: ['no.such'] }, 400, 'invalid_request', '/event_types/0'],
        [{ url: 'https://hooks.acme.example/', event_types: ['old.event'] }, 400, 'invalid_request', '/event_types/0'],
        [{ url: 'https://hooks.acme.example/', headers: { 'webhook-id': 'x' } }, 400, 'invalid_request', '/headers/webhook-id'],
        [{ url: 'https://hooks.acme.example/', secret: 'plain' }, 400, 'invalid_request', '/secret'],
        [{ url: 'https://hooks.acme.example/', colour: 'red' }, 400, 'invalid_request', '/colour'],
        [{}, 400, 'invalid_request', '/url'],
      ];
      for (const [body, status, error, path] of cases) {
        const response = await portal(server, token, 'POST', '/endpoints', body);
        t.equal(response.status, status, JSON.stringify(body));
        t.equal(response.body.error, error, JSON.stringify(body));
        if (path) t.equal(response.body.details?.[0]?.path, path, JSON.stringify(body));
      }
      const badJson = await server.request('POST', '/api/v1/portal/endpoints', { key: token, rawBody: '{"url":' });
      t.equal(badJson.status, 400);
      t.equal(badJson.body.error, 'invalid_json');
      const patchBlocked = await portal(server, token, 'PATCH', `/endpoints/${endpointId}`, { url: 'http://169.254.169.254/latest' });
      t.equal(patchBlocked.body.error, 'destination_invalid');
      t.equal((await server.db('endpoints').where({ recipient_id: setup.recipients.acme })).length, 1, 'nothing was stored');
    });

    await t.test('portal counts API-made endpoints against the plan limit', async (t) => {
      await api(server, 'POST', `/apps/${setup.app}/recipients/acme/endpoints`, { url: 'https://two.acme.example/' });
      const third = await portal(server, token, 'POST', '/endpoints', { url: 'https://three.acme.example/' });
      t.equal(third.status, 201);
      const fourth = await portal(server, token, 'POST', '/endpoints', { url: 'https://four.acme.example/' });
      t.equal(fourth.status, 429);
      t.equal(fourth.body.error, 'plan_limit_reached');
      const page = await portal(server, token, 'GET', '/endpoints?limit=2');
      t.equal(page.body.data.length, 2);
      t.ok(page.body.next_cursor);
      const rest = await portal(server, token, 'GET', `/endpoints?limit=2&cursor=${page.body.next_cursor}`);
      t.equal(rest.body.data.length, 1);
      t.equal(rest.body.next_cursor, null);
      t.equal((await portal(server, token, 'GET', '/endpoints?limit=0')).status, 400);
    });

    await t.test('portal deletes the endpoint', async (t) => {
      const deleted = await portal(server, token, 'DELETE', `/endpoints/${endpointId}`);
      t.same(deleted.body, { ok: true, data: { id: endpointId, deleted: true } });
      const gone = await portal(server, token, 'GET', `/endpoints/${endpointId}`);
      t.equal(gone.status, 404);
      t.equal(gone.body.error, 'endpoint_not_found');
    });

    await t.test('portal lists the app event types that are not archived', async (t) => {
      const listed = await portal(server, token, 'GET', '/event-types');
      t.equal(listed.status, 200);
      t.same(listed.body.data.map((e: { name: string }) => e.name).sort(), ['invoice.paid', 'invoice.voided']);
      t.match(listed.body.data[0], { id: /^et_/, app_id: setup.app, archived: false });
      const first = await portal(server, token, 'GET', '/event-types?limit=1');
      t.equal(first.body.data.length, 1);
      const second = await portal(server, token, 'GET', `/event-types?limit=1&cursor=${first.body.next_cursor}`);
      t.equal(second.body.data.length, 1);
      t.equal(second.body.next_cursor, null);
    });

    await t.test('portal session route names the recipient and the expiry', async (t) => {
      const session = await portal(server, token, 'GET', '/session');
      t.equal(session.status, 200);
      t.match(session.body.data, {
        app: { id: setup.app, name: 'shop' },
        recipient: { id: setup.recipients.acme, uid: 'acme' },
        expires_at: /Z$/,
      });
      t.notOk('metadata' in session.body.data.app, 'the app metadata stays private');
    });
  },
  { env },
);
