import t from 'tap';
import type { Anomaly } from '../../../tui/api-types.js';
import {
  anomaliesReducer,
  detailAnomaly,
  initialAnomaliesState,
  sortAnomalies,
  type AnomaliesAction,
  type AnomaliesState,
} from '../../../tui/screens/anomalies/reducer.js';

const run = (state: AnomaliesState, ...actions: AnomaliesAction[]) => actions.reduce(anomaliesReducer, state);
const anomaly = (id: string, status: Anomaly['status']): Anomaly => ({
  id,
  type: 'backlog',
  status,
  subject: { kind: 'endpoint', id: 'ep_1' },
  title: id,
  count: 1,
  first_seen_at: '2026-11-26T10:00:00.000Z',
  last_seen_at: '2026-11-26T10:00:00.000Z',
  acknowledged_at: null,
  resolved_at: null,
  details: {},
});

t.test('anomalies reducer shows open anomalies first and keeps the selection on its row', async (t) => {
  t.same(
    sortAnomalies([anomaly('c', 'acknowledged'), anomaly('b', 'open'), anomaly('a', 'resolved'), anomaly('0', 'open')]).map((a) => a.id),
    ['b', '0', 'c', 'a'],
  );
  let state = run(initialAnomaliesState(), {
    type: 'list/refreshed',
    list: 'anomalies',
    page: { items: [anomaly('c', 'acknowledged'), anomaly('b', 'open')], nextCursor: null },
    at: 1,
  });
  t.same(
    state.anomalies.items.map((a) => a.id),
    ['b', 'c'],
  );
  state = run(state, { type: 'list/move', list: 'anomalies', delta: 1 });
  state = run(state, {
    type: 'list/refreshed',
    list: 'anomalies',
    page: { items: [anomaly('d', 'open'), anomaly('c', 'acknowledged'), anomaly('b', 'open')], nextCursor: null },
    at: 2,
  });
  t.same(
    state.anomalies.items.map((a) => a.id),
    ['d', 'b', 'c'],
  );
  t.equal(state.anomalies.items[state.anomalies.selected].id, 'c', 'still on c');
});

t.test('anomalies reducer applies acknowledge/resolve results and drops rows the filter excludes', async (t) => {
  let state = run(initialAnomaliesState(), {
    type: 'list/refreshed',
    list: 'anomalies',
    page: { items: [anomaly('b', 'open'), anomaly('a', 'open')], nextCursor: null },
    at: 1,
  });
  state = run(state, { type: 'anomaly/updated', anomaly: anomaly('b', 'acknowledged'), verb: 'Acknowledged' });
  t.same(
    state.anomalies.items.map((a) => `${a.id}:${a.status}`),
    ['a:open', 'b:acknowledged'],
  );
  t.equal(state.notice, 'Acknowledged b (backlog).');
  state = run(state, { type: 'anomaly/updated', anomaly: anomaly('a', 'resolved'), verb: 'Resolved' });
  t.same(
    state.anomalies.items.map((a) => a.id),
    ['b'],
    'resolved rows leave the active list',
  );
});

t.test('anomalies reducer cycles filters and scrolls the detail within bounds', async (t) => {
  let state = run(initialAnomaliesState(), {
    type: 'list/refreshed',
    list: 'anomalies',
    page: { items: [anomaly('a', 'open')], nextCursor: null },
    at: 1,
  });
  state = run(state, { type: 'detail/open' }, { type: 'detail/scroll', delta: 10, max: 3 });
  t.same(state.detail, { id: 'a', scroll: 3 });
  t.equal(detailAnomaly(state)?.id, 'a');
  state = run(state, { type: 'detail/scroll', delta: -10, max: 3 }, { type: 'detail/close' });
  t.equal(state.detail, null);
  const filters = [1, 2, 3, 4].map((n) => run(state, ...Array.from({ length: n }, () => ({ type: 'filter/next' }) as const)).filter);
  t.same(filters, ['open', 'acknowledged', 'resolved', 'active']);
  t.equal(run(state, { type: 'filter/next' }).anomalies.loaded, false, 'a new filter starts from an empty list');
});
