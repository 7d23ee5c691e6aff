import { createHash } from 'node:crypto';
import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createApp } from '../../helpers/dispatch-fixtures.js';
import { createPortalSession, manualClock, portal } from '../../helpers/portal.js';
import { runRetentionPass } from '../../../server/retention/worker.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// one clock for the file: every session's expiry is judged against it, and the test moves it
const clock = manualClock();

forEachDatabase(
  t,
  'portal sessions',
  async (t, server) => {
    const setup = await createApp(server, { recipients: ['acme', 'globex'] });
    const path = `/api/v1/apps/${setup.app}/recipients/acme/portal-sessions`;

    await t.test('portal sessions route returns a ps_ token and link, and stores only its hash', async (t) => {
      const created = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/globex/portal-sessions`, { body: {} });
      t.equal(created.status, 201);
      t.same(Object.keys(created.body.data).sort(), ['expires_at', 'token', 'url']);
      const { token, url, expires_at: expiresAt } = created.body.data;
      t.match(token, /^ps_[0-9A-Za-z]{40,}$/);
      t.equal(url, `${server.config.publicUrl}/portal?token=${token}`);
      t.equal(Date.parse(expiresAt), clock.now() + 3_600_000, 'default lifetime is one hour');

      const rows = await server.db('portal_sessions').where({ recipient_id: setup.recipients.globex });
      t.equal(rows.length, 1);
      t.equal(rows[0].token_hash, sha256(token), 'the SHA-256 of the token is stored');
      t.notOk(JSON.stringify(rows).includes(token), 'the token itself is not stored');
      t.match(rows[0].id, /^ps_/);
      t.equal(rows[0].app_id, setup.app);

      const other = await createPortalSession(server, setup.app, setup.recipients.globex);
      t.not(other.token, token, 'every session has its own token');
      t.notOk(server.logs.join('').includes(token), 'the token never reaches the logs');
    });

    await t.test('portal sessions route validates expires_in and the path', async (t) => {
      for (const seconds of [1, 604_800]) {
        const ok = await server.request('POST', path, { body: { expires_in: seconds } });
        t.equal(ok.status, 201, `expires_in ${seconds}`);
        t.equal(Date.parse(ok.body.data.expires_at), clock.now() + seconds * 1000, `expires_in ${seconds} lasts ${seconds} s`);
      }
      for (const bad of [0, 604_801, -5, 1.5, '60', null]) {
        const response = await server.request('POST', path, { body: { expires_in: bad } });
        t.equal(response.status, 400, `expires_in ${JSON.stringify(bad)} is refused`);
        t.equal(response.body.error, 'invalid_request');
        t.equal(response.body.details[0].path, '/expires_in');
      }
      const unknownField = await server.request('POST', path, { body: { recipient: 'x' } });
      t.equal(unknownField.status, 400);

      const noRecipient = await server.request('POST', `/api/v1/apps/${setup.app}/recipients/nobody/portal-sessions`, { body: {} });
      t.equal(noRecipient.status, 404);
      t.equal(noRecipient.body.error, 'recipient_not_found');
      const noApp = await server.request('POST', '/api/v1/apps/app_missing/recipients/acme/portal-sessions', { body: {} });
      t.equal(noApp.status, 404);
      t.equal(noApp.body.error, 'app_not_found');

      const reader = await server.request('POST', '/api/v1/keys', { body: { name: 'reader', scopes: ['recipient:read'] } });
      const denied = await server.request('POST', path, { key: reader.body.data.key, body: {} });
      t.equal(denied.status, 403);
      t.equal(denied.body.required_scope, 'recipient:write');
    });

    await t.test('portal session expires: 401 once expires_in has passed', async (t) => {
      await server.db('portal_sessions').delete();
      const link = await createPortalSession(server, setup.app, 'acme', { expires_in: 60 });
      t.equal((await portal(server, link.token, 'GET', '/endpoints')).status, 200, 'live session works');
      clock.advance(59_999);
      t.equal((await portal(server, link.token, 'GET', '/endpoints')).status, 200, 'still live 1 ms before expiry');
      clock.advance(1);
      const expired = await portal(server, link.token, 'GET', '/endpoints');
      t.equal(expired.status, 401, 'expired at expires_at');
      t.equal(expired.body.error, 'unauthorized');
      t.match(expired.body.message, /expired/);

      // the retention pass sweeps the expired row away and leaves a live one
      await createPortalSession(server, setup.app, 'acme');
      clock.advance(1);
      const report = await runRetentionPass(server.deps);
      t.equal(report.portalSessions, 1, 'the expired session was purged');
      t.equal((await server.db('portal_sessions').where({ recipient_id: setup.recipients.acme })).length, 1);
    });

    await t.test('portal sessions created concurrently for one recipient all succeed', async (t) => {
      // deleting expired sessions in the creating transaction deadlocked these on MariaDB (500)
      const created = await Promise.all(
        Array.from({ length: 12 }, () =>
          server.request('POST', `/api/v1/apps/${setup.app}/recipients/globex/portal-sessions`, { body: {} }),
        ),
      );
      t.same(
        created.map((response) => response.status),
        Array(12).fill(201),
      );
    });

    await t.test('portal session is revoked when its recipient is deleted', async (t) => {
      const link = await createPortalSession(server, setup.app, 'acme', { expires_in: 604_800 });
      t.equal((await portal(server, link.token, 'GET', '/session')).status, 200);
      const deleted = await server.request('DELETE', `/api/v1/apps/${setup.app}/recipients/acme`);
      t.equal(deleted.status, 200);
      const after = await portal(server, link.token, 'GET', '/endpoints');
      t.equal(after.status, 401);
      t.equal(after.body.error, 'unauthorized');
      t.equal(
        (await server.db('portal_sessions').where({ recipient_id: setup.recipients.acme })).length,
        0,
        'the FK cascade removed the session',
      );
    });
  },
  { clock },
);
