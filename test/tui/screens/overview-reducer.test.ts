import t from 'tap';
import type { Stats } from '../../../tui/api-types.js';
import { sparkline } from '../../../tui/components/sparkline.js';
import {
  ageLevel,
  duration,
  initialOverviewState,
  latencyLevel,
  overviewReducer,
  perSecond,
  rates,
  successLevel,
} from '../../../tui/screens/overview/reducer.js';

const stats = (fields: Partial<Stats> = {}): Stats => ({
  window_s: 300,
  bucket_s: 10,
  accepted_per_s: new Array<number>(30).fill(0),
  delivered_per_s: new Array<number>(30).fill(0),
  success_rate: null,
  pending: 0,
  held: 0,
  oldest_pending_age_s: null,
  attempt_latency_ms: null,
  anomalies_open: {},
  sources: [],
  ...fields,
});

t.test('overview reducer keeps the latest stats and clears a refresh error when they arrive', async (t) => {
  let state = overviewReducer(initialOverviewState(), { type: 'feedback/error', message: 'down', from: 'refresh' });
  t.equal(state.error, 'down');
  state = overviewReducer(state, { type: 'stats/loaded', stats: stats({ pending: 3 }), at: 5 });
  state = overviewReducer(state, { type: 'feedback/refresh-ok' });
  t.match(state, { stats: { pending: 3 }, updatedAt: 5, error: null });
});

t.test('overview colours figures by threshold', async (t) => {
  t.same([successLevel(null), successLevel(1), successLevel(0.95), successLevel(0.5)], ['none', 'good', 'warn', 'bad']);
  t.same([ageLevel(null), ageLevel(3), ageLevel(120), ageLevel(3600)], ['none', 'good', 'warn', 'bad']);
  t.same([latencyLevel(null), latencyLevel(40), latencyLevel(1500), latencyLevel(9000)], ['none', 'good', 'warn', 'bad']);
});

t.test('overview formats rates, ages and sparklines', async (t) => {
  const series = [...new Array<number>(28).fill(0), 2, 4];
  t.same(rates(series), { now: 4, average: 0.2 });
  t.equal(perSecond(12.345), '12.3/s');
  t.equal(perSecond(1234.5), '1235/s');
  t.equal(perSecond(5 / 300), '0.02/s', 'slow rates keep two decimals');
  t.equal(perSecond(1 / 300), '<0.01/s', 'some traffic never reads as zero');
  t.equal(perSecond(0), '0.00/s');
  t.same([duration(5), duration(250), duration(7300), duration(90_000)], ['5s', '4m 10s', '2h 1m', '1d 1h']);
  t.equal(sparkline([0, 1, 2, 4]), ' ▃▅█');
  t.equal(sparkline([0, 0, 0]), '   ', 'all zeros: a flat baseline');
  t.equal(sparkline([1, 2, 3, 4], 2), '▆█', 'the newest values when narrower');
});
