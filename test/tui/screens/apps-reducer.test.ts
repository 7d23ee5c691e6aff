import t from 'tap';
import { appsReducer, currentList, initialAppsState, type AppsAction, type AppsState } from '../../../tui/screens/apps/reducer.js';

const run = (state: AppsState, ...actions: AppsAction[]) => actions.reduce(appsReducer, state);
const app = { id: 'app_1', uid: 'billing', name: 'Billing', created_at: '2026-11-26T10:00:00.000Z' };
const recipient = { id: 'rcp_1', uid: 'acme', name: 'Acme', created_at: '2026-11-26T10:00:00.000Z' };

t.test('apps reducer drills down apps → recipients → a recipient’s endpoints and back up', async (t) => {
  let state = run(initialAppsState(), { type: 'open' });
  t.equal(state.level, 'apps', 'nothing to open in an empty list');
  state = run(state, { type: 'list/refreshed', list: 'apps', page: { items: [app], nextCursor: null }, at: 1 }, { type: 'open' });
  t.match(state, { level: 'recipients', app: { id: 'app_1' } });
  t.equal(currentList(state), state.recipients);
  state = run(
    state,
    { type: 'list/refreshed', list: 'recipients', page: { items: [recipient], nextCursor: null }, at: 2 },
    { type: 'open' },
  );
  t.match(state, { level: 'endpoints', app: { id: 'app_1' }, recipient: { id: 'rcp_1' } });
  t.equal(run(state, { type: 'open' }).level, 'endpoints', 'endpoints are the bottom level');
  state = run(state, { type: 'back' });
  t.match(state, { level: 'recipients', recipient: null });
  state = run(state, { type: 'back' }, { type: 'back' });
  t.match(state, { level: 'apps', app: null });
});

t.test('apps reducer opens the row the `/` filter shows, not a hidden one', async (t) => {
  const other = { ...app, id: 'app_2', uid: 'shipping', name: 'Shipping' };
  let state = run(
    initialAppsState(),
    { type: 'list/refreshed', list: 'apps', page: { items: [app, other], nextCursor: null }, at: 1 },
    { type: 'list/filter', list: 'apps', text: 'ship' },
  );
  t.equal(state.apps.selected, 1, 'the selection moves to the first match');
  state = run(state, { type: 'open' });
  t.match(state, { level: 'recipients', app: { id: 'app_2' } });
  const none = run(
    initialAppsState(),
    { type: 'list/refreshed', list: 'apps', page: { items: [app], nextCursor: null }, at: 1 },
    { type: 'list/filter', list: 'apps', text: 'zzz' },
    { type: 'open' },
  );
  t.equal(none.level, 'apps', 'nothing opens when the filter hides every row');
});
