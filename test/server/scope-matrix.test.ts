import t from 'tap';
import { forEachDatabase } from '../helpers/each-database.js';
import { apiRoutes } from '../../server/routes/index.js';
import { ALL_SCOPES } from '../../server/scopes.js';

/** A concrete path for a route pattern: every :param becomes a plausible id that does not exist. */
function concretePath(path: string): string {
  return '/api/v1' + path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => `missing_${name}`);
}

forEachDatabase(t, 'every API route enforces its key and scope', async (t, server) => {
  const scoped = [...new Set(apiRoutes.map((route) => route.scope).filter((scope) => scope !== 'authenticated'))];
  t.ok(scoped.length > 0);

  // one key per scope (only that scope) and one per scope holding every other scope
  const onlyKey = new Map<string, string>();
  const allButKey = new Map<string, string>();
  for (const scope of scoped) {
    const only = await server.request('POST', '/api/v1/keys', { body: { name: `only ${scope}`, scopes: [scope] } });
    t.equal(only.status, 201);
    onlyKey.set(scope, only.body.data.key);
    const others = ALL_SCOPES.filter((candidate) => candidate !== '*' && candidate !== scope);
    const allBut = await server.request('POST', '/api/v1/keys', { body: { name: `all but ${scope}`, scopes: others } });
    t.equal(allBut.status, 201);
    allButKey.set(scope, allBut.body.data.key);
  }

  for (const route of apiRoutes) {
    const method = route.method.toUpperCase();
    const path = concretePath(route.path);
    const label = `${method} ${route.path}`;
    const body = route.body ? {} : undefined;

    const anonymous = await server.request(method, path, { key: null, body });
    t.equal(anonymous.status, 401, `${label} without a key`);
    t.equal(anonymous.body.error, 'unauthorized', `${label} without a key`);

    const bogus = await server.request(method, path, { key: 'rlk_not_a_real_key_000000000000000000', body });
    t.equal(bogus.status, 401, `${label} with an unknown key`);

    if (route.scope === 'authenticated') continue;
    const denied = await server.request(method, path, { key: allButKey.get(route.scope), body });
    t.equal(denied.status, 403, `${label} with every scope but ${route.scope}`);
    t.same(denied.body.error, 'missing_scope', label);
    t.equal(denied.body.required_scope, route.scope, label);

    const allowed = await server.request(method, path, { key: onlyKey.get(route.scope), body });
    t.not(allowed.status, 401, `${label} with only ${route.scope}`);
    t.not(allowed.status, 403, `${label} with only ${route.scope}`);
  }
});
