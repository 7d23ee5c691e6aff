import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';

forEachDatabase(t, 'keys API creates, lists and revokes keys', async (t, server) => {
  const created = await server.request('POST', '/api/v1/keys', { body: { name: 'reader', scopes: ['key:read'] } });
  t.equal(created.status, 201);
  t.match(created.body.data, { name: 'reader', scopes: ['key:read'], key: /^rlk_[A-Za-z0-9]{40}$/, id: /^key_/ });
  const plaintext = created.body.data.key;

  const listed = await server.request('GET', '/api/v1/keys', { key: plaintext });
  t.equal(listed.status, 200);
  t.ok(listed.body.data.some((k: { id: string }) => k.id === created.body.data.id));
  t.notOk(JSON.stringify(listed.body).includes(plaintext), 'list never includes the key');

  const stored = await server.db('api_keys').where({ id: created.body.data.id }).first();
  t.not(stored.key_hash, plaintext, 'only a hash is stored');

  const forbidden = await server.request('POST', '/api/v1/keys', { key: plaintext, body: { name: 'x', scopes: ['*'] } });
  t.equal(forbidden.status, 403);
  t.same(forbidden.body, { ok: false, error: 'missing_scope', message: forbidden.body.message, required_scope: 'key:write' });

  const revoked = await server.request('DELETE', `/api/v1/keys/${created.body.data.id}`);
  t.equal(revoked.status, 200);
  const after = await server.request('GET', '/api/v1/keys', { key: plaintext });
  t.equal(after.status, 401);
  t.equal(after.body.error, 'unauthorized');
});
