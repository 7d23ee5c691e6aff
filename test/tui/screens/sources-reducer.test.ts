import t from 'tap';
import type { IngestEventDetail, Source } from '../../../tui/api-types.js';
import { sampleForwards, sourceDetailLines } from '../../../tui/screens/sources/destination-lines.js';
import {
  detailSource,
  initialSourcesState,
  lastHourLabel,
  sourcesReducer,
  type SourcesAction,
  type SourcesState,
} from '../../../tui/screens/sources/reducer.js';

const run = (state: SourcesState, ...actions: SourcesAction[]) => actions.reduce(sourcesReducer, state);
const source = (id: string, paused = false): Source => ({
  id,
  name: id,
  verification: { type: 'github' },
  paused,
  created_at: '2026-11-26T10:00:00.000Z',
});

t.test('sources reducer applies pause/resume results and merges activity counts', async (t) => {
  let state = run(initialSourcesState(), {
    type: 'list/refreshed',
    list: 'sources',
    page: { items: [source('src_1'), source('src_2')], nextCursor: null },
    at: 1,
  });
  state = run(state, { type: 'source/updated', source: source('src_2', true) });
  t.same(
    state.sources.items.map((s) => s.paused),
    [false, true],
  );
  t.match(state.notice, /^Paused src_2: new events are held/);
  state = run(state, { type: 'source/updated', source: source('src_2', false) });
  t.match(state.notice, /^Resumed src_2: held events are being delivered/);
  state = run(state, { type: 'stats', stats: { src_1: { lastEventAt: '2026-11-26T10:00:00.000Z', lastHour: 100, more: true } } });
  state = run(state, { type: 'stats', stats: { src_2: { lastEventAt: null, lastHour: 0, more: false } } });
  t.same([lastHourLabel(state.stats.src_1), lastHourLabel(state.stats.src_2), lastHourLabel(undefined)], ['100+', '0', '—']);
});

t.test("sources reducer opens one source's detail and keeps its sampled forwards", async (t) => {
  let state = run(initialSourcesState(), {
    type: 'list/refreshed',
    list: 'sources',
    page: { items: [source('src_1'), source('src_2')], nextCursor: null },
    at: 1,
  });
  t.equal(detailSource(state), null, 'the list shows no detail');
  state = run(state, { type: 'list/move', list: 'sources', delta: 1 }, { type: 'detail/open' });
  t.same(state.mode, { kind: 'detail', id: 'src_2' });
  t.equal(detailSource(state)?.id, 'src_2');
  state = run(state, { type: 'source/updated', source: source('src_2', true) });
  t.equal(detailSource(state)?.paused, true, 'the detail follows the refreshed source');
  const sample = sampleForwards([]);
  state = run(state, { type: 'forwards/sampled', sourceId: 'src_2', sample });
  t.equal(state.forwards.src_2, sample);
  state = run(state, { type: 'detail/close' });
  t.same(state.mode, { kind: 'list' });
  t.equal(state.sources.selected, 1, 'back on the same row');
  t.same(run(initialSourcesState(), { type: 'detail/open' }).mode, { kind: 'list' }, 'nothing selected: no detail');
});

t.test('forwards are tallied per destination and drawn under each destination with its filter', async (t) => {
  const detail = (id: string, status: IngestEventDetail['status'], forwards: IngestEventDetail['forwards']): IngestEventDetail => ({
    id,
    source_id: 'src_1',
    method: 'POST',
    status,
    verified: false,
    created_at: '2026-11-26T10:00:00.000Z',
    headers: {},
    body: '{}',
    forwards,
  });
  const sample = sampleForwards([
    detail('evt_3', 'failed', [
      { destination_index: 0, status: 'delivered', attempts: 1 },
      { destination_index: 1, status: 'failed', attempts: 8 },
    ]),
    detail('evt_2', 'filtered', []),
    detail('evt_1', 'pending', [{ destination_index: 0, status: 'pending', attempts: 0 }]),
  ]);
  t.same(sample, {
    sampled: 3,
    filtered: 1,
    byDestination: { 0: { delivered: 1, failed: 0, pending: 1 }, 1: { delivered: 0, failed: 1, pending: 0 } },
    latest: {
      eventId: 'evt_3',
      status: 'failed',
      forwards: [
        { destination_index: 0, status: 'delivered', attempts: 1 },
        { destination_index: 1, status: 'failed', attempts: 8 },
      ],
    },
  });
  const withDestinations: Source = {
    ...source('src_1'),
    destinations: [
      { url: 'https://a.example/all', filter: null },
      { url: 'https://b.example/paid', filter: { type: 'invoice.paid' }, path_forwarding: true, headers: { 'x-team': 'ops' } },
      { url: 'https://c.example/new', filter: {} },
    ],
  };
  const lines = sourceDetailLines(withDestinations, sample, 100);
  const text = lines.map((l) => l.text);
  t.ok(text.includes('destinations (3)'));
  t.ok(text.includes('last 3 events: 1 filtered · newest evt_3 failed'));
  t.ok(text.includes('→1 https://b.example/paid'));
  t.ok(text.includes('   filter {"type":"invoice.paid"}'));
  t.ok(text.includes('   path forwarding · headers: x-team'));
  t.ok(text.includes('   newest: failed (8 attempts) · recent: 0 delivered, 1 failed, 0 pending'));
  t.equal(lines.find((l) => l.text.startsWith('   newest: failed'))?.color, 'red');
  t.ok(text.includes('   filter every event'), 'null and {} filters forward every event');
  t.ok(text.includes('   newest: not forwarded · recent: 0 delivered, 0 failed, 0 pending'));
  t.ok(sourceDetailLines(withDestinations, undefined, 100).some((l) => l.text === 'counting recent forwards…'));
  const storeOnly = sourceDetailLines({ ...source('src_9'), destinations: [] }, sampleForwards([]), 100).map((l) => l.text);
  t.ok(storeOnly.includes('none: events are stored, not forwarded'));
  t.ok(
    sourceDetailLines(withDestinations, sample, 24).every((l) => l.text.length <= 24),
    'wrapped to the width',
  );
});
