import t from 'tap';
import type { Attempt, Endpoint } from '../../../tui/api-types.js';
import {
  endpointState,
  endpointsReducer,
  healthOf,
  initialEndpointsState,
  parseSince,
  type EndpointsAction,
  type EndpointsState,
} from '../../../tui/screens/endpoints/reducer.js';
import { endpointColumns, hostOf } from '../../../tui/screens/endpoints/view.js';

const run = (state: EndpointsState, ...actions: EndpointsAction[]) => actions.reduce(endpointsReducer, state);
const endpoint = (id: string, fields: Partial<Endpoint> = {}): Endpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  event_types: [],
  disabled: false,
  created_at: '2026-11-26T10:00:00.000Z',
  ...fields,
});
const attempt = (
  status: 'succeeded' | 'failed',
  at: string,
  response_status: number | null = status === 'succeeded' ? 200 : 503,
): Attempt => ({
  id: `atm_${at}`,
  attempt: 1,
  trigger: 'scheduled',
  status,
  response_status,
  error: status === 'failed' ? 'http_status' : null,
  duration_ms: 12,
  created_at: at,
});
const loaded = (...endpoints: Endpoint[]) =>
  run(initialEndpointsState(), { type: 'list/refreshed', list: 'endpoints', page: { items: endpoints, nextCursor: null }, at: 1 });

t.test('endpoints reducer applies a toggle and derives each endpoint’s state', async (t) => {
  let state = loaded(endpoint('ep_1'), endpoint('ep_2'), endpoint('ep_3', { consecutive_failures: 2 }));
  state = run(state, { type: 'endpoint/updated', endpoint: endpoint('ep_2', { disabled: true }) });
  t.same(
    state.endpoints.items.map((e) => e.disabled),
    [false, true, false],
  );
  t.equal(state.notice, 'Disabled https://hooks.example.com/ep_2.');
  t.same(
    state.endpoints.items.map((e) => endpointState(state, e)),
    ['enabled', 'disabled', 'failing'],
  );
  state = run(state, { type: 'failing', failing: { ep_1: 'endpoint_failing', ep_2: 'endpoint_disabled' } });
  t.same(
    state.endpoints.items.map((e) => endpointState(state, e)),
    ['failing', 'auto-disabled', 'failing'],
  );
});

t.test('endpoints reducer computes success rate and last attempt from the newest attempts', async (t) => {
  t.same(healthOf([]), { rate: null, sampled: 0, last: null });
  const newest = attempt('failed', '2026-11-26T10:00:03.000Z');
  const health = healthOf([
    newest,
    attempt('succeeded', '2026-11-26T10:00:02.000Z'),
    attempt('succeeded', '2026-11-26T10:00:01.000Z'),
    attempt('succeeded', '2026-11-26T10:00:00.000Z'),
  ]);
  t.same(health, { rate: 0.75, sampled: 4, last: newest });
  const state = run(loaded(endpoint('ep_1')), { type: 'health', health: { ep_1: health } });
  const columns = endpointColumns(state, 79, Date.parse('2026-11-26T10:00:13.000Z'));
  t.same(
    columns.map((c) => c.header),
    ['URL', 'STATE', 'SUCCESS', 'LAST ATTEMPT'],
    'narrow: no event types column',
  );
  const row = state.endpoints.items[0];
  t.same(
    columns.map((c) => c.value(row)),
    ['hooks.example.com', 'enabled', '75.0%', '503 10s ago'],
    'host only when narrow',
  );
  t.equal(columns[2].color?.(row), 'red', 'a low success rate is red');
  const wide = endpointColumns(state, 140, Date.now());
  t.equal(wide[0].value(row), 'https://hooks.example.com/ep_1', 'the full URL when wide');
  t.equal(wide[1].header, 'EVENT TYPES');
  t.equal(hostOf('not a url'), 'not a url');
});

t.test('endpoints reducer runs the rotate, recover and discard flows', async (t) => {
  let state = loaded(endpoint('ep_1'), endpoint('ep_2', { disabled: true, held_count: 3 }));
  state = run(state, { type: 'rotate/ask' });
  t.match(state.mode, { kind: 'confirm-rotate', endpoint: { id: 'ep_1' } });
  state = run(state, { type: 'rotated', url: 'https://hooks.example.com/ep_1', secret: 'whsec_new' });
  t.same(state.mode, { kind: 'secret', url: 'https://hooks.example.com/ep_1', secret: 'whsec_new' }, 'the new secret is shown once');
  state = run(state, { type: 'cancel' });
  t.same(state.mode, { kind: 'list' }, 'and gone after Enter');

  state = run(state, { type: 'recover/ask' });
  t.match(state.mode, { kind: 'recover', text: '24h' }, 'recover starts from a one-day look-back');
  state = run(
    state,
    { type: 'recover/backspace' },
    { type: 'recover/backspace' },
    { type: 'recover/backspace' },
    { type: 'recover/type', text: '6h\u0007' },
  );
  t.match(state.mode, { kind: 'recover', text: '6h' }, 'control characters are dropped');
  state = run(state, { type: 'recovered', url: 'https://hooks.example.com/ep_1', replayed: 4 });
  t.equal(state.notice, 'Recovering 4 failed messages to https://hooks.example.com/ep_1.');
  t.same(state.mode, { kind: 'list' });

  state = run(state, { type: 'list/move', list: 'endpoints', delta: 1 }, { type: 'discard/ask' });
  t.match(state.mode, { kind: 'confirm-discard', endpoint: { id: 'ep_2', held_count: 3 } });
  state = run(state, { type: 'discarded', url: 'https://hooks.example.com/ep_2', discarded: 1 });
  t.equal(state.notice, 'Discarded 1 held delivery of https://hooks.example.com/ep_2.');
});

t.test('parseSince takes look-backs and past ISO times only', async (t) => {
  const now = Date.parse('2026-12-07T12:00:00.000Z');
  t.equal(parseSince('30m', now), '2026-12-07T11:30:00.000Z');
  t.equal(parseSince(' 6h ', now), '2026-12-07T06:00:00.000Z');
  t.equal(parseSince('7d', now), '2026-11-30T12:00:00.000Z');
  t.equal(parseSince('2026-12-01T00:00:00Z', now), '2026-12-01T00:00:00.000Z');
  t.equal(parseSince('2026-12-08T00:00:00Z', now), null, 'not in the future');
  t.equal(parseSince('yesterday', now), null);
  t.equal(parseSince('', now), null);
});
