import t from 'tap';
import type { Source } from '../../../tui/api-types.js';
import { initialSourcesState, lastHourLabel, sourcesReducer, type SourcesAction, type SourcesState } from '../../../tui/screens/sources/reducer.js';

const run = (state: SourcesState, ...actions: SourcesAction[]) => actions.reduce(sourcesReducer, state);
const source = (id: string, paused = false): Source => ({ id, name: id, verification: { type: 'github' }, paused, created_at: '2026-11-26T10:00:00.000Z' });

t.test('sources reducer applies pause/resume results and merges activity counts', async (t) => {
  let state = run(initialSourcesState(), { type: 'list/refreshed', list: 'sources', page: { items: [source('src_1'), source('src_2')], nextCursor: null }, at: 1 });
  state = run(state, { type: 'source/updated', source: source('src_2', true) });
  t.same(state.sources.items.map((s) => s.paused), [false, true]);
  t.match(state.notice, /^Paused src_2: new events are held/);
  state = run(state, { type: 'source/updated', source: source('src_2', false) });
  t.match(state.notice, /^Resumed src_2: held events are being delivered/);
  state = run(state, { type: 'stats', stats: { src_1: { lastEventAt: '2026-11-26T10:00:00.000Z', lastHour: 100, more: true } } });
  state = run(state, { type: 'stats', stats: { src_2: { lastEventAt: null, lastHour: 0, more: false } } });
  t.same([lastHourLabel(state.stats.src_1), lastHourLabel(state.stats.src_2), lastHourLabel(undefined)], ['100+', '0', '—']);
});
