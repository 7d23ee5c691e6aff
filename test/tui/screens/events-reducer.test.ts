import t from 'tap';
import type { IngestEvent, IngestEventDetail, Source } from '../../../tui/api-types.js';
import {
  detailId,
  eventsReducer,
  initialEventsState,
  sourceName,
  type EventsAction,
  type EventsState,
} from '../../../tui/screens/events/reducer.js';
import { eventDetailLines } from '../../../tui/screens/events/detail-lines.js';

const run = (state: EventsState, ...actions: EventsAction[]) => actions.reduce(eventsReducer, state);
const event = (id: string): IngestEvent => ({
  id,
  source_id: 'src_1',
  method: 'POST',
  status: 'delivered',
  verified: true,
  created_at: '2026-11-26T10:00:00.000Z',
});
const sources: Source[] = ['src_1', 'src_2'].map((id) => ({ id, name: `name-${id}`, verification: null, paused: false, created_at: '' }));

t.test('events reducer cycles the source and status filters', async (t) => {
  let state = run(initialEventsState('src_2'), { type: 'sources/loaded', sources });
  t.equal(sourceName(state, state.filter.sourceId), 'name-src_2', 'starts on the source chosen on the Sources screen');
  state = run(state, { type: 'filter/source-next' });
  t.equal(sourceName(state, state.filter.sourceId), 'all sources');
  state = run(state, { type: 'filter/source-next' });
  t.equal(state.filter.sourceId, 'src_1');
  const statuses = [1, 2, 8].map(
    (n) => run(state, ...Array.from({ length: n }, () => ({ type: 'filter/status-next' }) as const)).filter.status,
  );
  t.same(statuses, ['pending', 'delivered', null]);
  t.equal(sourceName(state, 'src_9'), 'src_9', 'unknown sources show their id');
});

t.test('events reducer opens a detail, confirms a replay and returns to where it was', async (t) => {
  let state = run(initialEventsState(), {
    type: 'list/refreshed',
    list: 'events',
    page: { items: [event('evt_2'), event('evt_1')], nextCursor: null },
    at: 1,
  });
  state = run(state, { type: 'list/move', list: 'events', delta: 1 }, { type: 'detail/open' });
  t.same(state.mode, { kind: 'detail', id: 'evt_1', scroll: 0 });
  const detail: IngestEventDetail = {
    ...event('evt_1'),
    headers: { 'content-type': 'application/json' },
    body: '{"a":[1,2]}',
    attempts: [],
  };
  state = run(state, { type: 'detail/loaded', event: { ...detail, id: 'evt_2' }, at: 2 });
  t.equal(state.detail, null, 'a late answer for another event is ignored');
  state = run(state, { type: 'detail/loaded', event: detail, at: 3 }, { type: 'detail/scroll', delta: 5, max: 4 });
  t.equal(state.detailAt, 3);
  state = run(state, { type: 'replay/ask' });
  t.same(state.mode, { kind: 'confirm-replay', id: 'evt_1', from: 'detail' });
  t.equal(detailId(state), 'evt_1', 'the detail stays visible behind the question');
  state = run(state, { type: 'replayed', id: 'evt_1' });
  t.same(state.mode, { kind: 'detail', id: 'evt_1', scroll: 4 }, 'back to the same scroll position');
  t.match(state.notice, 'Replay of evt_1 accepted');
  state = run(state, { type: 'detail/close' }, { type: 'replay/ask' }, { type: 'replay/cancel' });
  t.same(state.mode, { kind: 'list' });
});

t.test('event detail lines pretty-print JSON bodies and keep other bodies as text', async (t) => {
  const base: IngestEventDetail = {
    ...event('evt_1'),
    path: '/',
    query: 'a=1',
    headers: [['x-one', '1']],
    body: '{"a":[1,2]}',
    attempts: [],
  };
  const text = eventDetailLines(base, 'gh', 80).map((l) => l.text);
  t.ok(text.includes('POST /?a=1'));
  t.ok(text.includes('x-one: 1'));
  t.ok(text.includes('  "a": ['), 'JSON indented');
  const plain = eventDetailLines({ ...base, body: 'a=1&b=2' }, 'gh', 80).map((l) => l.text);
  t.ok(plain.includes('a=1&b=2'));
  const binary = eventDetailLines({ ...base, body: Buffer.from([0xff, 0xfe]).toString('base64'), body_encoding: 'base64' }, 'gh', 80).map(
    (l) => l.text,
  );
  t.ok(binary.includes('(binary body, 2 bytes, base64)'));
  const narrow = eventDetailLines({ ...base, body: 'x'.repeat(50) }, 'gh', 20).map((l) => l.text);
  t.ok(
    narrow.every((line) => line.length <= 20),
    'lines are wrapped to the width',
  );
});

t.test('event detail lines list forwards per destination and mark attempts with theirs', async (t) => {
  const attempt = (n: number, destination: number, status: 'succeeded' | 'failed') => ({
    id: `atm_${n}`,
    attempt: n,
    trigger: 'scheduled' as const,
    status,
    response_status: status === 'succeeded' ? 200 : 500,
    error: status === 'succeeded' ? null : 'http_status',
    duration_ms: 12,
    created_at: '2026-11-26T10:00:01.000Z',
    destination_index: destination,
  });
  const detail: IngestEventDetail = {
    ...event('evt_2'),
    status: 'failed',
    headers: {},
    body: '{}',
    forwards: [
      { destination_index: 0, status: 'delivered', attempts: 1 },
      { destination_index: 2, status: 'failed', attempts: 2 },
    ],
    attempts: [attempt(1, 0, 'succeeded'), attempt(1, 2, 'failed'), attempt(2, 2, 'failed')],
  };
  const lines = eventDetailLines(detail, 'gh', 120, [{ url: 'https://a.example/in' }, { url: 'https://b.example/' }]);
  const text = lines.map((l) => l.text);
  t.ok(text.includes('forwards (2)'));
  t.match(
    text.find((l) => l.startsWith('→0 ')),
    /^→0 delivered\s+1 attempt\s+https:\/\/a\.example\/in$/,
  );
  t.match(
    text.find((l) => l.startsWith('→2 failed')),
    /2 attempts\s+\(destination removed\)$/,
    'a destination gone since is named so',
  );
  t.equal(lines.find((l) => l.text.startsWith('→2 failed'))?.color, 'red');
  t.equal(text.filter((l) => /^→2 #\d scheduled failed/.test(l)).length, 2, 'attempts carry their destination');
  const filtered = eventDetailLines({ ...detail, status: 'filtered', forwards: [], attempts: [] }, 'gh', 120).map((l) => l.text);
  t.ok(filtered.includes("forwards: none — no destination's filter matched"));
  t.notOk(
    eventDetailLines({ ...detail, forwards: undefined }, 'gh', 120).some((l) => l.text.startsWith('forwards')),
    'an older server without forwards shows none',
  );
});
