import t from 'tap';
import { forEachDatabase } from '../../helpers/each-database.js';
import { createWorkspaceWithKey } from '../../../server/bootstrap.js';
import { assertBelowLimit } from '../../../server/plan-limits.js';
import { AppError } from '../../../server/errors.js';

t.test('assertBelowLimit allows up to the limit and names it when reached', async (t) => {
  t.doesNotThrow(() => assertBelowLimit(undefined, 1_000_000, 'sources'), 'no limit set');
  t.doesNotThrow(() => assertBelowLimit(3, 2, 'sources'));
  const error = t.throws(() => assertBelowLimit(3, 3, 'sources per workspace (sources)')) as AppError;
  t.equal(error.code, 'plan_limit_reached');
  t.equal(error.status, 429);
  t.match(error.message, /3 sources per workspace/);
  t.throws(() => assertBelowLimit(0, 0, 'sources'), 'a limit of 0 forbids any');
});

forEachDatabase(
  t,
  'plan limits answer 429 for the apps of a workspace',
  async (t, server) => {
    for (const name of ['a', 'b']) t.equal((await server.request('POST', '/api/v1/apps', { body: { name } })).status, 201);
    const third = await server.request('POST', '/api/v1/apps', { body: { name: 'c' } });
    t.equal(third.status, 429);
    t.equal(third.body.error, 'plan_limit_reached');
    t.match(third.body.message, /2 apps per workspace/);
    t.equal(
      await server
        .db('apps')
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      2,
    );

    // the limit is per workspace
    const other = await createWorkspaceWithKey(server.db, 'other', Date.now());
    t.equal((await server.request('POST', '/api/v1/apps', { key: other.key, body: { name: 'x' } })).status, 201);

    const first = (await server.request('GET', '/api/v1/apps?limit=1')).body.data[0];
    await server.request('DELETE', `/api/v1/apps/${first.id}`);
    t.equal((await server.request('POST', '/api/v1/apps', { body: { name: 'c' } })).status, 201, 'deleting one frees a slot');
  },
  { env: { DISPATCH_PLAN_LIMITS: '{"apps":2}' } },
);

forEachDatabase(
  t,
  'plan limits hold under concurrent creates',
  async (t, server) => {
    const apps = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.request('POST', '/api/v1/apps', { body: { name: `app ${i}` } })),
    );
    t.same(apps.map((r) => r.status).sort(), [201, 201, 201, 429, 429, 429, 429, 429]);
    await server.request('POST', '/api/v1/apps/' + apps.find((r) => r.status === 201)?.body.data.id + '/recipients', {
      body: { uid: 'r' },
    });
    const appId = apps.find((r) => r.status === 201)?.body.data.id;
    const endpoints = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.request('POST', `/api/v1/apps/${appId}/recipients/r/endpoints`, { body: { url: 'https://h.example/' } }),
      ),
    );
    t.same(endpoints.map((r) => r.status).sort(), [201, 201, 429, 429, 429, 429]);
  },
  { env: { DISPATCH_PLAN_LIMITS: '{"apps":3,"endpoints_per_recipient":2}' } },
);

forEachDatabase(
  t,
  'plan limits answer 429 for the endpoints of one recipient',
  async (t, server) => {
    await server.request('POST', '/api/v1/apps', { body: { name: 'a', uid: 'a' } });
    await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'r1' } });
    await server.request('POST', '/api/v1/apps/a/recipients', { body: { uid: 'r2' } });
    const create = (recipient: string) =>
      server.request('POST', `/api/v1/apps/a/recipients/${recipient}/endpoints`, { body: { url: 'https://h.example/' } });
    t.equal((await create('r1')).status, 201);
    t.equal((await create('r1')).status, 201);
    const third = await create('r1');
    t.equal(third.status, 429);
    t.equal(third.body.error, 'plan_limit_reached');
    t.match(third.body.message, /endpoints_per_recipient/);
    t.equal((await create('r2')).status, 201, 'the limit is per recipient');
    t.equal((await server.request('POST', '/api/v1/apps', { body: { name: 'unlimited' } })).status, 201, 'apps have no limit here');
  },
  { env: { DISPATCH_PLAN_LIMITS: '{"endpoints_per_recipient":2}' } },
);
