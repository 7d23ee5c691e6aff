import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { firstScopeNotHeld } from '../../../server/scopes.js';
import type { TestServer } from '../../helpers/server.js';

async function mint(server: TestServer, scopes: string[], key?: string) {
  return server.request('POST', '/api/v1/keys', { key, body: { name: `holds ${scopes.join(' ')}`, scopes } });
}

t.test('firstScopeNotHeld names the first requested scope the granter lacks', async (t) => {
  const cases: [string[], string[], string | null][] = [
    [['*'], ['*'], null],
    [['*'], ['app:write', 'key:write'], null],
    [['key:write'], ['*'], '*'],
    [['key:write'], ['key:write'], null],
    [['key:write', 'app:read'], ['app:read'], null],
    [['key:write', 'app:read'], ['app:read', 'app:write', 'message:write'], 'app:write'],
    [['key:write', 'app:write'], ['app:read'], 'app:read'],
  ];
  for (const [granted, requested, expected] of cases) {
    t.equal(firstScopeNotHeld(granted, requested), expected, `${granted.join(',')} granting ${requested.join(',')}`);
  }
});

forEachDatabase(t, 'a key creates keys only with scopes it holds itself', async (t, server) => {
  const granter = await mint(server, ['key:write', 'app:read']);
  t.equal(granter.status, 201, 'the * admin key may grant anything');
  const key = granter.body.data.key as string;

  const narrower = await mint(server, ['app:read'], key);
  t.equal(narrower.status, 201, 'a held scope can be granted');
  t.same(narrower.body.data.scopes, ['app:read']);

  const wider = await mint(server, ['app:read', 'app:write'], key);
  t.equal(wider.status, 403);
  t.same(wider.body, { ok: false, error: 'missing_scope', message: wider.body.message, required_scope: 'app:write' });

  const star = await mint(server, ['*'], key);
  t.equal(star.status, 403, 'key:write alone cannot mint a * key');
  t.equal(star.body.required_scope, '*');

  const onlyKeyWrite = (await mint(server, ['key:write'])).body.data.key as string;
  const escalate = await mint(server, ['key:write', 'key:read'], onlyKeyWrite);
  t.equal(escalate.status, 403);
  t.equal(escalate.body.required_scope, 'key:read');
  const same = await mint(server, ['key:write'], onlyKeyWrite);
  t.equal(same.status, 201, 'a key may copy its own scopes');

  const stored = await server.db('api_keys').count({ n: '*' }).first();
  t.equal(Number(stored?.n), 5, 'no refused key was stored (admin + 4 created)');
});
