import { useCallback, useEffect } from 'react';
import { useLatest } from '../hooks/use-latest.js';
import type { ApiClient } from '../api-client.js';
import type { Page } from '../api-types.js';
import { describeError } from '../describe-error.js';
import type { FeedbackAction } from './feedback.js';
import type { ListAction } from './list-state.js';

export { useLatest };

/** What the app hands every screen. */
export interface ScreenProps {
  client: ApiClient;
  width: number;
  /** Terminal rows the screen may fill (status line, content, message line and footer). */
  height: number;
  refreshMs: number;
  /** False when stdin is not a TTY (raw mode unsupported): the screen then only displays. */
  inputActive: boolean;
  /**
   * Set during render by a screen that is reading text or a confirmation, so the app leaves
   * digits and `q` to it. A ref, not state: the very next key must already see it.
   */
  capture: { current: boolean };
  /** The text typed after `/` (app-wide, cleared on a tab switch): the current list shows only rows containing it. */
  textFilter: string;
}

/**
 * Applies the app's `/` text to the list the screen shows now (`list` names it, `applied` is that
 * list's current filter): again whenever they differ, so a list the screen rebuilt empty (another
 * app, another status) is filtered too.
 */
export function useTextFilter(textFilter: string, dispatch: (action: Routed<never>) => void, list: string, applied: string): void {
  useEffect(() => {
    if (applied !== textFilter) dispatch({ type: 'list/filter', list, text: textFilter });
  }, [textFilter, dispatch, list, applied]);
}

/** A list action addressed to one of a screen's lists. */
export type Routed<T> = ListAction<T> & { list: string };

type Dispatch<T> = (action: FeedbackAction | Routed<T>) => void;

/**
 * Wraps an async key handler so its failure is caught and shown in red on the screen instead of
 * becoming an unhandled rejection (STYLE §7).
 */
export function useRunner(dispatch: (action: FeedbackAction) => void): (task: () => Promise<void>) => void {
  return useCallback(
    (task) => {
      task().catch((error: unknown) => dispatch({ type: 'feedback/error', message: describeError(error), from: 'action' }));
    },
    [dispatch],
  );
}

/**
 * Fetching for one paged list: `refresh` reloads the first page (live refresh), `loadMore` the
 * page after the loaded rows (scrolling). Both report failures on the screen's error line.
 * `scope` names what the list shows (a filter, the app drilled into): a page fetched for an
 * earlier scope that arrives late is dropped rather than mixed into the new list.
 */
export function useListLoader<T>(list: string, dispatch: Dispatch<T>, fetchPage: (cursor: string | null) => Promise<Page<T>>, scope = '') {
  const fetchRef = useLatest(fetchPage);
  const scopeRef = useLatest(scope);
  const refresh = useCallback(async (): Promise<Page<T> | null> => {
    const asked = scopeRef.current;
    try {
      const page = await fetchRef.current(null);
      if (scopeRef.current !== asked) return null;
      dispatch({ type: 'list/refreshed', list, page, at: Date.now() });
      dispatch({ type: 'feedback/refresh-ok' });
      return page;
    } catch (error) {
      dispatch({ type: 'feedback/error', message: describeError(error), from: 'refresh' });
      return null;
    }
  }, [list, dispatch, fetchRef, scopeRef]);
  const loadMore = useCallback(
    async (cursor: string) => {
      const asked = scopeRef.current;
      dispatch({ type: 'list/loading-more', list });
      try {
        const page = await fetchRef.current(cursor);
        if (scopeRef.current !== asked) return;
        dispatch({ type: 'list/appended', list, page, at: Date.now() });
      } catch (error) {
        dispatch({ type: 'list/load-failed', list });
        dispatch({ type: 'feedback/error', message: describeError(error), from: 'action' });
      }
    },
    [list, dispatch, fetchRef, scopeRef],
  );
  return { refresh, loadMore };
}

/** Movement keys shared by every list: arrows, j/k, PgUp/PgDn, g/G (top/bottom). */
export function listMove(
  input: string,
  key: { upArrow: boolean; downArrow: boolean; pageUp: boolean; pageDown: boolean },
  page: number,
): number | null {
  if (key.upArrow || input === 'k') return -1;
  if (key.downArrow || input === 'j') return 1;
  if (key.pageUp) return -page;
  if (key.pageDown) return page;
  if (input === 'g') return -1_000_000;
  if (input === 'G') return 1_000_000;
  return null;
}
