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
}

export type ListAction<T> =
  | { type: 'list/refreshed'; page: Page<T>; at: number }
  | { type: 'list/appended'; page: Page<T>; at: number }
  | { type: 'list/loading-more' }
  | { type: 'list/load-failed' }
  | { type: 'list/move'; delta: number }
  | { type: 'list/reset' };

/** An empty list that has not been fetched yet. */
export function emptyList<T extends { id: string }>(): ListState<T> {
  return { items: [], nextCursor: null, selected: 0, loaded: false, loadingMore: false, updatedAt: null };
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
      return { ...state, items, nextCursor, loaded: true, updatedAt: action.at, selected: clamp(found >= 0 ? found : state.selected, items.length) };
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
    case 'list/move':
      return { ...state, selected: clamp(state.selected + action.delta, state.items.length) };
    case 'list/reset':
      return emptyList<T>();
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

/** The selected row, if any. */
export function selectedItem<T extends { id: string }>(state: ListState<T>): T | undefined {
  return state.items[state.selected];
}

/** True when the selection is near the end of what is loaded and the server has more. */
export function wantsMore(state: ListState<{ id: string }>, margin = 3): boolean {
  return Boolean(state.nextCursor) && !state.loadingMore && state.selected >= state.items.length - 1 - margin;
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(index, length - 1));
}
