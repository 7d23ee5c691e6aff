import type { Page } from '../api-types.js';

/**
 * The state every scrolling list keeps: the rows loaded so far (newest first, as the API pages
 * them), the cursor for the next page, the selected row, and when the data was last fetched.
 */
export interface ListState<T extends { id: string }> {
  items: T[];
  nextCursor: string | null;
  selected: number;
  loaded: boolean;
  loadingMore: boolean;
  updatedAt: number | null;
  /** Text typed after `/`: only rows containing it are shown and selectable ('' shows all). */
  filter: string;
}

export type ListAction<T> =
  | { type: 'list/refreshed'; page: Page<T>; at: number }
  | { type: 'list/appended'; page: Page<T>; at: number }
  | { type: 'list/loading-more' }
  | { type: 'list/load-failed' }
  | { type: 'list/move'; delta: number }
  | { type: 'list/filter'; text: string }
  | { type: 'list/reset' };

/** An empty list that has not been fetched yet. */
export function emptyList<T extends { id: string }>(): ListState<T> {
  return { items: [], nextCursor: null, selected: 0, loaded: false, loadingMore: false, updatedAt: null, filter: '' };
}

/** True for actions `reduceList` handles, so screen reducers can delegate them. */
export function isListAction(action: { type: string }): action is ListAction<never> {
  return action.type.startsWith('list/');
}

/**
 * Applies a list action. A refresh replaces the rows the first page covers and keeps older rows
 * already scrolled into view, so live refresh never throws the operator back to the top; the
 * selection follows its row by id.
 */
export function reduceList<T extends { id: string }>(state: ListState<T>, action: ListAction<T>): ListState<T> {
  switch (action.type) {
    case 'list/refreshed': {
      const { items, nextCursor } = mergeFirstPage(state, action.page);
      const selectedId = state.items[state.selected]?.id;
      const found = selectedId ? items.findIndex((item) => item.id === selectedId) : -1;
      return {
        ...state,
        items,
        nextCursor,
        loaded: true,
        updatedAt: action.at,
        selected: clamp(found >= 0 ? found : state.selected, items.length),
      };
    }
    case 'list/appended': {
      const known = new Set(state.items.map((item) => item.id));
      const items = [...state.items, ...action.page.items.filter((item) => !known.has(item.id))];
      return { ...state, items, nextCursor: action.page.nextCursor, loadingMore: false, updatedAt: action.at };
    }
    case 'list/loading-more':
      return { ...state, loadingMore: true };
    case 'list/load-failed':
      return { ...state, loadingMore: false, loaded: true };
    case 'list/move': {
      if (!state.filter) return { ...state, selected: clamp(state.selected + action.delta, state.items.length) };
      const shown = visibleIndexes(state);
      if (shown.length === 0) return state;
      const at = shown.findIndex((index) => index >= state.selected);
      const from = at === -1 ? shown.length - 1 : at;
      return { ...state, selected: shown[clamp(from + action.delta, shown.length)] };
    }
    case 'list/filter': {
      const next = { ...state, filter: action.text };
      const shown = visibleIndexes(next);
      return shown.includes(state.selected) || shown.length === 0 ? next : { ...next, selected: shown[0] };
    }
    case 'list/reset':
      return { ...emptyList<T>(), filter: state.filter };
  }
}

/** The first page, followed by already-loaded rows older than it when more pages were loaded. */
export function mergeFirstPage<T extends { id: string }>(state: ListState<T>, page: Page<T>): Page<T> {
  const last = page.items[page.items.length - 1];
  if (!page.nextCursor || !last || state.items.length <= page.items.length) return page;
  const older = state.items.filter((item) => item.id < last.id);
  if (older.length === 0) return page;
  return { items: [...page.items, ...older], nextCursor: state.nextCursor };
}

/** True when `item` contains `filter` (case-insensitive) in any of its fields; '' matches everything. */
export function matchesFilter(item: unknown, filter: string): boolean {
  if (!filter) return true;
  return JSON.stringify(item).toLowerCase().includes(filter.toLowerCase());
}

/** Indexes of the rows the filter lets through, in list order. */
export function visibleIndexes(state: ListState<{ id: string }>): number[] {
  const shown: number[] = [];
  state.items.forEach((item, index) => {
    if (matchesFilter(item, state.filter)) shown.push(index);
  });
  return shown;
}

/** The selected row, if any (none when the filter hides it). */
export function selectedItem<T extends { id: string }>(state: ListState<T>): T | undefined {
  const item = state.items[state.selected];
  return item && matchesFilter(item, state.filter) ? item : undefined;
}

/** True when the selection is near the end of what is loaded and the server has more. */
export function wantsMore(state: ListState<{ id: string }>, margin = 3): boolean {
  return Boolean(state.nextCursor) && !state.loadingMore && state.selected >= state.items.length - 1 - margin;
}

/** The cursor of the next page to load once the selection moved by `delta` (see wantsMore), or null. */
export function cursorAfterMove(state: ListState<{ id: string }>, delta: number): string | null {
  const next = { ...state, selected: state.selected + delta };
  return wantsMore(next) ? next.nextCursor : null;
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(index, length - 1));
}
