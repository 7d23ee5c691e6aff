import t from 'tap';
import {
  emptyList,
  matchesFilter,
  mergeFirstPage,
  reduceList,
  selectedItem,
  visibleIndexes,
  wantsMore,
  type ListState,
} from '../../../tui/screens/list-state.js';

type Row = { id: string; v?: number };
const rows = (...ids: string[]): Row[] => ids.map((id) => ({ id }));

t.test('list state refresh keeps scrolled-in older rows and follows the selected row by id', async (t) => {
  let state: ListState<Row> = emptyList();
  state = reduceList(state, { type: 'list/refreshed', page: { items: rows('e', 'd'), nextCursor: 'd' }, at: 1 });
  state = reduceList(state, { type: 'list/appended', page: { items: rows('c', 'b'), nextCursor: null }, at: 2 });
  state = reduceList(state, { type: 'list/move', delta: 2 });
  t.equal(state.items[state.selected].id, 'c');
  state = reduceList(state, { type: 'list/refreshed', page: { items: rows('f', 'e'), nextCursor: 'e' }, at: 3 });
  t.same(
    state.items.map((r) => r.id),
    ['f', 'e', 'd', 'c', 'b'],
    'new row on top, older rows kept',
  );
  t.equal(state.nextCursor, null, 'the loaded tail is complete');
  t.equal(state.items[state.selected].id, 'c', 'selection followed its row');
  t.equal(state.updatedAt, 3);
});

t.test('list state move clamps and wantsMore asks for the next page near the end', async (t) => {
  let state: ListState<Row> = reduceList(emptyList<Row>(), {
    type: 'list/refreshed',
    page: { items: rows('9', '8', '7', '6', '5', '4'), nextCursor: '4' },
    at: 1,
  });
  state = reduceList(state, { type: 'list/move', delta: -5 });
  t.equal(state.selected, 0);
  t.notOk(wantsMore(state));
  state = reduceList(state, { type: 'list/move', delta: 100 });
  t.equal(state.selected, 5);
  t.ok(wantsMore(state));
  state = reduceList(state, { type: 'list/loading-more' });
  t.notOk(wantsMore(state), 'not twice while a page is loading');
  state = reduceList(state, { type: 'list/load-failed' });
  t.equal(state.loadingMore, false);
  t.same(reduceList(state, { type: 'list/reset' }), emptyList());
});

t.test('list state appended pages skip rows already present', async (t) => {
  let state: ListState<Row> = reduceList(emptyList<Row>(), {
    type: 'list/refreshed',
    page: { items: rows('c', 'b'), nextCursor: 'b' },
    at: 1,
  });
  state = reduceList(state, { type: 'list/appended', page: { items: rows('b', 'a'), nextCursor: null }, at: 2 });
  t.same(
    state.items.map((r) => r.id),
    ['c', 'b', 'a'],
  );
  t.same(
    mergeFirstPage(state, { items: rows('c'), nextCursor: null }).items.map((r) => r.id),
    ['c'],
    'a complete first page replaces everything',
  );
});

t.test('list state `/` filter: only matching rows are selectable, moves skip the others', async (t) => {
  const named = (id: string, name: string) => ({ id, name });
  let state = reduceList(emptyList<{ id: string; name: string }>(), {
    type: 'list/refreshed',
    page: { items: [named('a', 'Stripe'), named('b', 'github'), named('c', 'Shopify'), named('d', 'slack')], nextCursor: null },
    at: 1,
  });
  state = reduceList(state, { type: 'list/filter', text: 'S' });
  t.same(visibleIndexes(state), [0, 2, 3], 'case-insensitive, over every field');
  state = reduceList(state, { type: 'list/move', delta: 1 });
  t.equal(selectedItem(state)?.name, 'Shopify', 'the hidden row is skipped');
  state = reduceList(state, { type: 'list/move', delta: 5 });
  t.equal(selectedItem(state)?.name, 'slack', 'clamped to the last match');
  state = reduceList(state, { type: 'list/filter', text: 'git' });
  t.equal(selectedItem(state)?.name, 'github', 'a filter that hides the selection selects the first match');
  state = reduceList(state, { type: 'list/filter', text: 'nothing' });
  t.equal(selectedItem(state), undefined, 'nothing is selected when nothing matches');
  t.equal(reduceList(state, { type: 'list/move', delta: 1 }).selected, state.selected);
  t.ok(matchesFilter({ id: 'x', url: 'https://Hooks.example.com' }, 'hooks'));
  t.equal(reduceList(state, { type: 'list/reset' }).filter, 'nothing', 'a reset keeps the filter');
});
