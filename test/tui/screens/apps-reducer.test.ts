import t from 'tap';
import type { Endpoint } from '../../../tui/api-types.js';
import { appsReducer, endpointHealth, initialAppsState, type AppsAction, type AppsState } from '../../../tui/screens/apps/reducer.js';

const run = (state: AppsState, ...actions: AppsAction[]) => actions.reduce(appsReducer, state);
const app = { id: 'app_1', uid: 'billing', name: 'Billing', created_at: '2026-11-26T10:00:00.000Z' };
const recipient = { id: 'rcp_1', uid: 'acme', name: 'Acme', created_at: '2026-11-26T10:00:00.000Z' };
const endpoint = (id: string, disabled = false): Endpoint => ({ id, url: `https://x.example/${id}`, event_types: [], disabled, created_at: '2026-11-26T10:00:00.000Z' });

t.test('apps reducer drills down apps → recipients → endpoints and back up', async (t) => {
  let state = run(initialAppsState(), { type: 'open' });
  t.equal(state.level, 'apps', 'nothing to open in an empty list');
  state = run(state, { type: 'list/refreshed', list: 'apps', page: { items: [app], nextCursor: null }, at: 1 }, { type: 'open' });
  t.match(state, { level: 'recipients', app: { id: 'app_1' } });
  state = run(state, { type: 'list/refreshed', list: 'recipients', page: { items: [recipient], nextCursor: null }, at: 2 }, { type: 'open' });
  t.match(state, { level: 'endpoints', recipient: { id: 'rcp_1' }, failing: null });
  t.equal(run(state, { type: 'open' }).level, 'endpoints', 'endpoints are the bottom level');
  state = run(state, { type: 'back' });
  t.match(state, { level: 'recipients', recipient: null });
  state = run(state, { type: 'back' }, { type: 'back' });
  t.match(state, { level: 'apps', app: null });
});

t.test('apps reducer applies an endpoint toggle and derives health from anomalies', async (t) => {
  let state = run(initialAppsState(), { type: 'list/refreshed', list: 'endpoints', page: { items: [endpoint('ep_1'), endpoint('ep_2'), endpoint('ep_3')], nextCursor: null }, at: 1 });
  state = run(state, { type: 'endpoint/updated', endpoint: endpoint('ep_2', true) });
  t.same(state.endpoints.items.map((e) => e.disabled), [false, true, false]);
  t.equal(state.notice, 'Disabled https://x.example/ep_2.');
  t.equal(endpointHealth(state, endpoint('ep_1')), '?', 'unknown until anomalies are read');
  state = run(state, { type: 'failing', failing: { ep_1: 'endpoint_failing', ep_3: 'endpoint_disabled' } });
  t.same(state.endpoints.items.map((e) => endpointHealth(state, e)), ['failing', 'ok', 'auto-disabled']);
});
