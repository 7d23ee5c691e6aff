import { useInput } from 'ink';
import type { Source } from '../../api-types.js';
import { selectedItem, cursorAfterMove } from '../list-state.js';
import { listMove, useLatest } from '../screen.js';
import { detailSource, type SourcesAction, type SourcesState } from './reducer.js';

export interface SourcesCommands {
  setPaused(id: string, paused: boolean): void;
  openEvents(source: Source): void;
  loadMore(cursor: string): void;
}

/**
 * Sources keyboard: move, `p` pause/resume, Enter shows that source's events, `d` its detail
 * (destinations, filters, recent forwards per destination); Esc leaves the detail.
 */
export function useSourcesInput(
  state: SourcesState,
  dispatch: (a: SourcesAction) => void,
  commands: SourcesCommands,
  active: boolean,
  page: number,
): void {
  const latest = useLatest({ state, commands, page });
  useInput(
    (input, key) => {
      const { state, commands, page } = latest.current;
      dispatch({ type: 'feedback/clear' });
      if (state.mode.kind === 'detail') {
        const shown = detailSource(state);
        if (key.escape || input === 'd') dispatch({ type: 'detail/close' });
        else if (shown && input === 'p') commands.setPaused(shown.id, !shown.paused);
        else if (shown && key.return) commands.openEvents(shown);
        return;
      }
      const move = listMove(input, key, page);
      if (move !== null) {
        dispatch({ type: 'list/move', list: 'sources', delta: move });
        const cursor = cursorAfterMove(state.sources, move);
        if (cursor) commands.loadMore(cursor);
        return;
      }
      const source = selectedItem(state.sources);
      if (!source) return;
      if (input === 'p') commands.setPaused(source.id, !source.paused);
      else if (input === 'd') dispatch({ type: 'detail/open' });
      else if (key.return) commands.openEvents(source);
    },
    { isActive: active },
  );
}
