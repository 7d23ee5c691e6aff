import t from 'tap';
import type { App, ListedDelivery } from '../../../tui/api-types.js';
import {
  deliveryQuery,
  describeFilter,
  failedReducer,
  initialFailedState,
  replayCalls,
  type FailedAction,
  type FailedState,
} from '../../../tui/screens/failed/reducer.js';
import { lastOutcome } from '../../../tui/screens/failed/view.js';

const run = (state: FailedState, ...actions: FailedAction[]) => actions.reduce(failedReducer, state);
const app = (id: string, name: string): App => ({ id, uid: null, name, created_at: '2026-11-26T10:00:00.000Z' });
const delivery = (id: string, fields: Partial<ListedDelivery> = {}): ListedDelivery => ({
  id,
  message_id: `msg_${id}`,
  app_id: 'app_1',
  event_type: 'invoice.paid',
  endpoint_id: 'ep_1',
  recipient_id: 'rcp_1',
  endpoint_url: 'https://hooks.example.com/a',
  status: 'failed',
  trigger: 'scheduled',
  attempts: 8,
  next_attempt_at: null,
  last_attempt: { id: `atm_${id}`, error: 'http_status', response_status: 503, created_at: '2026-12-07T11:00:00.000Z' },
  message_created_at: '2026-12-07T10:00:00.000Z',
  created_at: '2026-12-07T10:00:00.000Z',
  updated_at: '2026-12-07T11:00:00.000Z',
  ...fields,
});
const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const withRows = (state: FailedState, ...rows: ListedDelivery[]) =>
  run(state, { type: 'list/refreshed', list: 'deliveries', page: { items: rows, nextCursor: null }, at: 1 });
const apps = [app('app_1', 'Billing'), app('app_2', 'Shipping')];

t.test('failed reducer filters by app, event type, endpoint and window', async (t) => {
  let state = run(initialFailedState(), { type: 'apps', apps });
  t.same(deliveryQuery(state.filter, NOW), {
    app: undefined,
    event_type: undefined,
    endpoint_id: undefined,
    since: '2026-12-06T12:00:00.000Z',
  });
  t.equal(
    describeFilter(state.filter, (u) => u),
    'app all · last 24h',
  );
  state = run(state, { type: 'filter/app' });
  t.equal(state.filter.app?.name, 'Billing');
  state = run(state, { type: 'filter/app' }, { type: 'filter/app' });
  t.equal(state.filter.app, null, 'cycles back to every app');

  state = withRows(state, delivery('dlv_2', { app_id: 'app_2', endpoint_id: 'ep_9', event_type: 'parcel.sent' }), delivery('dlv_1'));
  state = run(state, { type: 'filter/event-type' });
  t.equal(state.filter.eventType, 'parcel.sent', "the selected row's event type");
  t.equal(state.deliveries.items.length, 0, 'a new filter reloads the list');
  state = withRows(state, delivery('dlv_2', { app_id: 'app_2', endpoint_id: 'ep_9', event_type: 'parcel.sent' }));
  state = run(state, { type: 'filter/endpoint' });
  t.match(state.filter, { app: { id: 'app_2' }, endpoint: { id: 'ep_9', appId: 'app_2' } }, "the endpoint's app comes with it");
  state = run(state, { type: 'filter/window' }, { type: 'filter/window' });
  t.equal(state.filter.window, '30d');
  t.same(deliveryQuery(state.filter, NOW), {
    app: 'app_2',
    event_type: 'parcel.sent',
    endpoint_id: 'ep_9',
    since: '2026-11-07T12:00:00.000Z',
  });
  t.equal(
    describeFilter(state.filter, () => 'hooks.example.com'),
    'app Shipping · type parcel.sent · endpoint hooks.example.com · last 30d',
  );
  state = run(state, { type: 'filter/event-type' });
  t.equal(state.filter.eventType, null, 't again clears the event type');
  state = run(state, { type: 'filter/clear' });
  t.same(state.filter, { app: null, eventType: null, endpoint: null, window: '30d' }, 'clear keeps the window');
});

t.test('failed reducer replays the filter: one call per app it covers, after a confirmation', async (t) => {
  let state = run(initialFailedState(), { type: 'apps', apps }, { type: 'replay/ask' });
  t.equal(state.confirm, false, 'nothing listed, nothing to replay');
  t.equal(state.error, 'Nothing to replay under this filter.');
  state = withRows(state, delivery('dlv_1'));
  state = run(state, { type: 'replay/ask' });
  t.equal(state.confirm, true);
  t.same(replayCalls(state, NOW), [
    { app: 'app_1', body: { since: '2026-12-06T12:00:00.000Z' } },
    { app: 'app_2', body: { since: '2026-12-06T12:00:00.000Z' } },
  ]);
  state = run(state, { type: 'cancel' });
  t.equal(state.confirm, false);
  state = run(state, { type: 'filter/event-type' });
  state = withRows(state, delivery('dlv_1'));
  state = run(state, { type: 'filter/endpoint' });
  t.same(replayCalls(state, NOW), [
    { app: 'app_1', body: { since: '2026-12-06T12:00:00.000Z', event_type: 'invoice.paid', endpoint_id: 'ep_1' } },
  ]);
  state = run(state, { type: 'replay/started' });
  t.match(state, { confirm: false, replaying: true });
  state = run(state, { type: 'replay/done', replayed: 12, apps: 1 });
  t.match(state, { replaying: false, notice: 'Replaying 12 failed deliveries.' });
  t.equal(run(state, { type: 'replay/done', replayed: 1, apps: 2 }).notice, 'Replaying 1 failed delivery in 2 apps.');
});

t.test('failed view names the last outcome', async (t) => {
  t.equal(lastOutcome(delivery('dlv_1')), 'HTTP 503');
  t.equal(
    lastOutcome(delivery('dlv_1', { last_attempt: { id: 'atm_1', error: 'timeout', response_status: null, created_at: '' } })),
    'timeout',
  );
  t.equal(lastOutcome(delivery('dlv_1', { last_attempt: null })), '—');
});
